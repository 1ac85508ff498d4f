#pragma once
// Hand-written CUDA kernels of the LLaMA forward pass. Each computes what the CpuOps method of the same name in
// cpu_ops.cpp computes (see ops.hpp for the contracts); the GEMMs are cuBLAS's. Host-only header.

#include <cstdint>

#include <cuda_runtime_api.h>

#include "ops.hpp"

namespace clika::cuda_native {

[[nodiscard]] cudaError_t launch_embed(const std::int32_t* tokens, int n, const void* table, DType table_type, int dim, float* out,
                                       cudaStream_t stream);
[[nodiscard]] cudaError_t launch_rmsnorm(const float* x, const std::int32_t* rows, int n, int dim, const float* weight, float eps, void* out,
                                         DType out_type, cudaStream_t stream);
[[nodiscard]] cudaError_t launch_rope_split(const float* qkv, int n, const std::int32_t* positions, const float* rope, int n_rot,
                                            HeadShape shape, float* q_out, float* k_out, float* v_out, cudaStream_t stream);
[[nodiscard]] cudaError_t launch_attention(const float* q, int n, const float* k_pre, const float* v_pre, int n_pre, const float* k_cur,
                                           const float* v_cur, const std::int32_t* ranges, HeadShape shape, float scale, void* out,
                                           DType out_type, cudaStream_t stream);
[[nodiscard]] cudaError_t launch_swiglu(const float* gu, int n, int ff, void* out, DType out_type, cudaStream_t stream);

}  // namespace clika::cuda_native
