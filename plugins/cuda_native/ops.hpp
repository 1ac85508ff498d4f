#pragma once
// The operations of the LLaMA forward pass, behind one interface with two implementations:
//   CudaOps (cuda_ops.cpp)  cuBLAS GEMMs and the kernels of llama_kernels.cu / logprob_kernel.cu, on one GPU
//   CpuOps  (cpu_ops.cpp)   plain loops in double precision: the reference that defines what each operation computes
// so that the forward pass itself (llama_model.cpp: buffers, layouts, KV offsets, scored rows) is one piece of code,
// checked on the CPU against llama.cpp, and each GPU operation is checked against its CPU twin.
//
// Layouts: activations are token-major rows; a weight matrix W is `out` rows of `in` values (GGUF/ggml {in, out}),
// y = W x. "act" buffers are in the model's compute type (the GEMM input type); everything else is FP32.
// Pointers are the implementation's memory (device memory for CudaOps); all calls are ordered (a stream).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace clika::cuda_native {

enum class DType : int { f32 = 0, f16 = 1, bf16 = 2 };

[[nodiscard]] constexpr std::size_t dtype_bytes(DType t) noexcept { return t == DType::f32 ? 4 : 2; }
[[nodiscard]] constexpr const char* dtype_name(DType t) noexcept { return t == DType::f32 ? "f32" : t == DType::f16 ? "f16" : "bf16"; }

// Shape of the attention heads.
struct HeadShape {
    int heads = 0;
    int kv_heads = 0;
    int head_dim = 0;
    [[nodiscard]] int q_dim() const noexcept { return heads * head_dim; }
    [[nodiscard]] int kv_dim() const noexcept { return kv_heads * head_dim; }
};

class Ops {
public:
    virtual ~Ops() = default;

    [[nodiscard]] virtual std::string name() const = 0;  // "CPU reference" or the GPU's name
    // Zero-filled memory; freed by release().
    [[nodiscard]] virtual void* allocate(std::size_t bytes) = 0;
    virtual void release(void* p) noexcept = 0;
    virtual void upload(void* dst, const void* src, std::size_t bytes) = 0;
    virtual void download(void* dst, const void* src, std::size_t bytes) = 0;  // waits for the work before it
    virtual void synchronize() = 0;

    // out[t] = table[tokens[t]] as FP32 (table: vocab rows of dim values of type `table_type`).
    virtual void embed(const std::int32_t* tokens, int n, const void* table, DType table_type, int dim, float* out) = 0;

    // out[r] = x[rows[r]] / sqrt(mean(x[rows[r]]^2) + eps) * weight, written as `out_type`; rows == null: rows r = 0..n-1.
    virtual void rmsnorm(const float* x, const std::int32_t* rows, int n, int dim, const float* weight, float eps, void* out,
                         DType out_type) = 0;

    // y[n x out] (FP32) = x[n x in] (type `type`) * W^T, W[out x in] of the same type; accumulate: y += instead of y =.
    // FP32 accumulation always (FP32 inputs: no TF32).
    virtual void gemm(const void* w, DType type, int out_features, int in_features, const void* x, int n, float* y, bool accumulate) = 0;

    // From fused projections qkv[n x (q_dim + 2 kv_dim)] (FP32): rotates the first n_rot dims of every head of q and k
    // with llama.cpp's "llama" RoPE (ggml mode 0: adjacent pairs (2i, 2i+1)), angles from rope[pos][i] = (cos, sin)
    // (rope: rows of n_rot/2 (cos, sin) pairs); writes q_out[n x q_dim], and k/v rows [n x kv_dim] at k_out, v_out.
    virtual void rope_split(const float* qkv, int n, const std::int32_t* positions, const float* rope, int n_rot, HeadShape shape,
                            float* q_out, float* k_out, float* v_out) = 0;

    // Causal attention over packed sequences. Query t (q[t], head h) attends to the n_pre rows of k_pre/v_pre (a shared
    // prefix, visible to every query) and to the rows of k_cur/v_cur in [ranges[4t], ranges[4t+1]) and
    // [ranges[4t+2], ranges[4t+3]) (its own question's context, and its own continuation; empty ranges have begin == end).
    // KV rows are [kv_dim] FP32; KV head of query head h is h / (heads / kv_heads). Softmax of scale * q.k in FP32.
    // out[n x q_dim] as `out_type`.
    virtual void attention(const float* q, int n, const float* k_pre, const float* v_pre, int n_pre, const float* k_cur,
                           const float* v_cur, const std::int32_t* ranges, HeadShape shape, float scale, void* out, DType out_type) = 0;

    // out[t][j] = silu(gu[t][j]) * gu[t][ff + j] (gu: [n x 2ff] FP32, gate then up), written as `out_type`.
    virtual void swiglu(const float* gu, int n, int ff, void* out, DType out_type) = 0;

    // The fused log-probability head over FP32 logits[rows x vocab] (logprob_reference.hpp semantics).
    virtual void logprob(const float* logits, int rows, int vocab, const std::int32_t* target_offsets, const std::int32_t* targets,
                         float* target_logprob, std::int32_t* row_argmax) = 0;
};

// The CPU reference implementation.
[[nodiscard]] std::unique_ptr<Ops> make_cpu_ops();

}  // namespace clika::cuda_native
