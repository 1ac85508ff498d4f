#pragma once
// CudaOps: ops.hpp on one CUDA device (cuBLAS GEMMs, the kernels of llama_kernels.cu and logprob_kernel.cu).

#include <memory>
#include <string>

#include "ops.hpp"

namespace clika::cuda_native {

// Why no GPU can be used ("no CUDA device: <cudaGetErrorString>"), or an empty string when device 0 is usable.
[[nodiscard]] std::string cuda_unavailable_reason();

// Ops on CUDA device `device`; throws std::runtime_error with a clear message when there is none.
[[nodiscard]] std::unique_ptr<Ops> make_cuda_ops(int device = 0);

}  // namespace clika::cuda_native
