// CudaOps: the GPU implementation of ops.hpp. Host code only (g++); kernels live in the .cu files.

#include "cuda_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "llama_kernels.cuh"
#include "logprob_kernel.cuh"

namespace clika::cuda_native {

namespace {

void check(cudaError_t rc, const char* what) {
    if (rc != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(rc));
}

void check(cublasStatus_t rc, const char* what) {
    if (rc != CUBLAS_STATUS_SUCCESS) throw std::runtime_error(std::string("cuBLAS error in ") + what + ": " + cublasGetStatusString(rc));
}

cudaDataType_t cuda_type(DType t) {
    switch (t) {
        case DType::f32: return CUDA_R_32F;
        case DType::f16: return CUDA_R_16F;
        case DType::bf16: return CUDA_R_16BF;
    }
    return CUDA_R_32F;
}

class CudaOps final : public Ops {
public:
    explicit CudaOps(int device) : device_(device) {
        check(cudaSetDevice(device), "cudaSetDevice");
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
        name_ = prop.name;
        multiprocessors_ = prop.multiProcessorCount;
        check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
        if (const cublasStatus_t rc = cublasCreate(&blas_); rc != CUBLAS_STATUS_SUCCESS) {
            cudaStreamDestroy(stream_);
            check(rc, "cublasCreate");
        }
        check(cublasSetStream(blas_, stream_), "cublasSetStream");
        check(cublasSetMathMode(blas_, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");  // no TF32 for FP32 GEMMs
    }
    ~CudaOps() override {
        cudaStreamSynchronize(stream_);
        if (workspace_ != nullptr) cudaFree(workspace_);
        cublasDestroy(blas_);
        cudaStreamDestroy(stream_);
    }
    CudaOps(const CudaOps&) = delete;
    CudaOps& operator=(const CudaOps&) = delete;

    [[nodiscard]] std::string name() const override { return name_; }

    [[nodiscard]] void* allocate(std::size_t bytes) override {
        void* p = nullptr;
        check(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "cudaMalloc");
        if (const cudaError_t rc = cudaMemsetAsync(p, 0, bytes == 0 ? 1 : bytes, stream_); rc != cudaSuccess) {
            cudaFree(p);
            check(rc, "cudaMemset");
        }
        return p;
    }
    void release(void* p) noexcept override {
        if (p == nullptr) return;
        cudaStreamSynchronize(stream_);
        cudaFree(p);
    }
    void upload(void* dst, const void* src, std::size_t bytes) override {
        if (bytes == 0) return;
        check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "cudaMemcpy (upload)");
        check(cudaStreamSynchronize(stream_), "upload");  // the host buffer may go away after we return
    }
    void download(void* dst, const void* src, std::size_t bytes) override {
        if (bytes == 0) return;
        check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "cudaMemcpy (download)");
        check(cudaStreamSynchronize(stream_), "download");
    }
    void synchronize() override { check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

    void embed(const std::int32_t* tokens, int n, const void* table, DType table_type, int dim, float* out) override {
        check(launch_embed(tokens, n, table, table_type, dim, out, stream_), "embed kernel");
    }
    void rmsnorm(const float* x, const std::int32_t* rows, int n, int dim, const float* weight, float eps, void* out, DType out_type) override {
        check(launch_rmsnorm(x, rows, n, dim, weight, eps, out, out_type, stream_), "rmsnorm kernel");
    }
    void gemm(const void* w, DType type, int out_features, int in_features, const void* x, int n, float* y, bool accumulate) override {
        if (n == 0) return;
        const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
        const cudaDataType_t t = cuda_type(type);
        // Row-major y[n x out] = x[n x in] W^T is column-major y^T[out x n] = W^T[out x in] x^T[in x n]: W (column-major
        // in x out, lda = in) transposed, x (column-major in x n, ldb = in) as is.
        check(cublasGemmEx(blas_, CUBLAS_OP_T, CUBLAS_OP_N, out_features, n, in_features, &alpha, w, t, in_features, x, t, in_features, &beta, y,
                           CUDA_R_32F, out_features, type == DType::f32 ? CUBLAS_COMPUTE_32F_PEDANTIC : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
              "cublasGemmEx");
    }
    void rope_split(const float* qkv, int n, const std::int32_t* positions, const float* rope, int n_rot, HeadShape shape, float* q_out,
                    float* k_out, float* v_out) override {
        check(launch_rope_split(qkv, n, positions, rope, n_rot, shape, q_out, k_out, v_out, stream_), "rope kernel");
    }
    void attention(const float* q, int n, const float* k_pre, const float* v_pre, int n_pre, const float* k_cur, const float* v_cur,
                   const std::int32_t* ranges, HeadShape shape, float scale, void* out, DType out_type) override {
        check(launch_attention(q, n, k_pre, v_pre, n_pre, k_cur, v_cur, ranges, shape, scale, out, out_type, stream_), "attention kernel");
    }
    void swiglu(const float* gu, int n, int ff, void* out, DType out_type) override {
        check(launch_swiglu(gu, n, ff, out, out_type, stream_), "swiglu kernel");
    }
    void logprob(const float* logits, int rows, int vocab, const std::int32_t* target_offsets, const std::int32_t* targets, float* target_logprob,
                 std::int32_t* row_argmax) override {
        if (rows == 0) return;
        LogprobArgs a;
        a.logits = logits;
        a.type = LogitType::f32;
        a.rows = rows;
        a.vocab = vocab;
        a.ld = vocab;
        a.target_offsets = target_offsets;
        a.targets = targets;
        a.target_logprob = target_logprob;
        a.row_argmax = row_argmax;
        const int splits = logprob_splits(rows, vocab, LogitType::f32, multiprocessors_);
        const std::size_t need = logprob_workspace_bytes(std::min<std::int64_t>(rows, 65535), splits);
        if (need > workspace_bytes_) {
            if (workspace_ != nullptr) release(workspace_);
            workspace_ = nullptr;
            workspace_bytes_ = 0;
            check(cudaMalloc(&workspace_, need), "cudaMalloc (logprob workspace)");
            workspace_bytes_ = need;
        }
        check(launch_logprob(a, splits, workspace_, stream_), "logprob kernel");
    }

private:
    int device_;
    std::string name_;
    int multiprocessors_ = 1;
    cudaStream_t stream_ = nullptr;
    cublasHandle_t blas_ = nullptr;
    void* workspace_ = nullptr;
    std::size_t workspace_bytes_ = 0;
};

}  // namespace

std::string cuda_unavailable_reason() {
    int count = 0;
    const cudaError_t rc = cudaGetDeviceCount(&count);
    if (rc != cudaSuccess) {
        cudaGetLastError();  // clear the sticky-free error so later calls are not confused by it
        return std::string("no CUDA device: ") + cudaGetErrorString(rc);
    }
    if (count == 0) return "no CUDA device: cudaGetDeviceCount found none";
    return {};
}

std::unique_ptr<Ops> make_cuda_ops(int device) {
    if (const std::string reason = cuda_unavailable_reason(); !reason.empty()) throw std::runtime_error(reason);
    return std::make_unique<CudaOps>(device);
}

}  // namespace clika::cuda_native
