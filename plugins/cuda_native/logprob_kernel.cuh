#pragma once
// The fused log-probability kernel: for rows of logits [rows x vocab] (FP32, BF16 or FP16) and per row a list of target
// token ids, ONE pass over each row (online max and sum of exp, 128-bit loads, warp and block reductions) gives
// log p(target) for every target and the row's argmax (first index of the maximum). Semantics are those of
// logprob_reference.hpp, which the tests compare against (GPU results are FP32).
//
// Work split: one block of 256 threads per (row, split). With few rows, a row is cut into `splits` contiguous parts
// whose partial (max, sum, argmax) go to a workspace and are merged by a second, one-warp-per-row kernel; with many rows
// (splits == 1) each block finishes its row itself. Host-only header: include it from plain C++.

#include <cstddef>
#include <cstdint>

#include <cuda_runtime_api.h>

#include "logit_type.hpp"

namespace clika::cuda_native {

struct LogprobArgs {
    const void* logits = nullptr;           // device, rows x ld elements of `type`
    LogitType type = LogitType::f32;
    std::int64_t rows = 0;
    std::int64_t vocab = 0;
    std::int64_t ld = 0;                    // elements from one row to the next (>= vocab); any alignment works
    const std::int32_t* target_offsets = nullptr;  // device, [rows + 1]
    const std::int32_t* targets = nullptr;         // device, [target_offsets[rows]]
    float* target_logprob = nullptr;               // device, [target_offsets[rows]]
    std::int32_t* row_argmax = nullptr;            // device, [rows], or null
    float* row_log_normalizer = nullptr;           // device, [rows] max + log(sum exp), or null
};

// How many parts to cut each row into so that `rows * splits` blocks fill the GPU (1 for many rows).
[[nodiscard]] int logprob_splits(std::int64_t rows, std::int64_t vocab, LogitType type, int multiprocessors);
// Device workspace the launch needs for that many splits (0 when splits == 1).
[[nodiscard]] std::size_t logprob_workspace_bytes(std::int64_t rows, int splits);
// Enqueues the work on `stream`. `workspace` holds logprob_workspace_bytes(rows, splits) bytes of device memory.
[[nodiscard]] cudaError_t launch_logprob(const LogprobArgs& args, int splits, void* workspace, cudaStream_t stream);

}  // namespace clika::cuda_native
