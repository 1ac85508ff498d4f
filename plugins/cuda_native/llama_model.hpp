#pragma once
// A LLaMA-architecture GGUF model (F32, F16 or BF16 weights) held in an Ops implementation's memory, and its forward
// pass over one packed batch of tokens:
//
//   x = embed(tokens)
//   per layer:  q|k|v = W_qkv rmsnorm(x)            (one GEMM over the fused projection)
//               q, k = rope(q, k); k, v -> KV rows [n_pre, n_pre + n)
//               x += W_o attention(q; KV rows [0, n_pre) for every token + the token's own ranges)
//               x += W_down swiglu(W_gate|up rmsnorm(x))
//   scored rows only: logits = W_out rmsnorm(x[rows]) -> fused log-probabilities of each row's targets, argmax
//
// GEMM inputs are in the compute type (the layers' weight type: F32 weights give FP32 GEMMs without TF32, so the tiny
// F32 test model matches llama.cpp's CPU backend); residual stream, KV cache, attention and logits are FP32.
// RoPE is llama.cpp's "llama" RoPE (ggml mode 0) with its cos/sin table computed on the host exactly as ggml's CPU
// backend computes it (theta multiplied by theta_scale pair after pair in float, cosf/sinf).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ops.hpp"

namespace clika::cuda_native {

struct LlamaConfig {
    int layers = 0;
    int dim = 0;
    int heads = 0;
    int kv_heads = 0;
    int head_dim = 0;
    int ff = 0;
    int n_rot = 0;
    int vocab = 0;
    int ctx_train = 0;
    float rms_eps = 1e-5f;
    float rope_base = 10000.0f;
    float rope_freq_scale = 1.0f;
    float attention_scale = 0.0f;  // 0: 1/sqrt(head_dim)
    bool tied = false;
    DType weight_type = DType::f32;  // of blk.0.attn_q.weight
    std::vector<float> rope_freq_factors;  // rope_freqs.weight, or empty
    std::string name;

    [[nodiscard]] HeadShape shape() const noexcept { return {heads, kv_heads, head_dim}; }
    [[nodiscard]] std::int64_t parameters() const noexcept;
};

// One packed batch. Token t is at position positions[t]; it attends to the first n_pre KV rows and to the batch rows
// [ranges[4t], ranges[4t+1]) and [ranges[4t+2], ranges[4t+3]) (indices into this batch). score_rows lists the tokens
// whose next-token distribution is wanted; row r's targets are targets[target_offsets[r] .. target_offsets[r+1]).
struct Batch {
    std::vector<std::int32_t> tokens;
    std::vector<std::int32_t> positions;
    std::vector<std::int32_t> ranges;
    std::vector<std::int32_t> score_rows;
    std::vector<std::int32_t> target_offsets{0};
    std::vector<std::int32_t> targets;

    [[nodiscard]] int size() const noexcept { return static_cast<int>(tokens.size()); }
    void clear() {
        tokens.clear();
        positions.clear();
        ranges.clear();
        score_rows.clear();
        target_offsets.assign(1, 0);
        targets.clear();
    }
};

struct BatchScores {
    std::vector<float> target_logprob;  // [targets]
    std::vector<std::int32_t> argmax;   // [score_rows]
};

// Reads the hyperparameters (refusing what this backend cannot run, with the reason).
[[nodiscard]] LlamaConfig read_llama_config(const std::filesystem::path& gguf_path);

class LlamaModel {
public:
    // compute: the GEMM input type; nullptr-like "auto" is the weight type (see compute_type_from_env in the plugin).
    LlamaModel(const std::filesystem::path& gguf_path, Ops& ops, DType compute, int n_ctx, int n_batch);
    ~LlamaModel();
    LlamaModel(const LlamaModel&) = delete;
    LlamaModel& operator=(const LlamaModel&) = delete;

    [[nodiscard]] const LlamaConfig& config() const noexcept { return config_; }
    [[nodiscard]] DType compute_type() const noexcept { return compute_; }
    [[nodiscard]] int n_ctx() const noexcept { return n_ctx_; }      // longest sequence (prefix + question + option)
    [[nodiscard]] int n_batch() const noexcept { return n_batch_; }  // most tokens in one forward pass
    [[nodiscard]] Ops& ops() noexcept { return ops_; }

    // Runs the batch with its keys/values stored at KV rows [n_pre, n_pre + size), seeing KV rows [0, n_pre).
    // Requires n_pre + size <= n_ctx + n_batch, size <= n_batch, every position < n_ctx.
    void forward(const Batch& batch, int n_pre, BatchScores& out);

private:
    struct Layer {
        float* attn_norm = nullptr;
        void* wqkv = nullptr;
        void* wo = nullptr;
        float* ffn_norm = nullptr;
        void* wgu = nullptr;
        void* wdown = nullptr;
        float* k = nullptr;  // KV cache rows [n_ctx + n_batch][kv_dim]
        float* v = nullptr;
    };

    void* own(std::size_t bytes);
    void* upload_owned(const void* data, std::size_t bytes);
    void ensure_targets(std::size_t count);

    Ops& ops_;
    LlamaConfig config_;
    DType compute_;
    int n_ctx_;
    int n_batch_;
    int logits_rows_;
    std::vector<void*> owned_;
    std::vector<Layer> layers_;
    void* embd_ = nullptr;    // [vocab x dim] compute type (embedding table, and the output matrix when tied)
    void* output_ = nullptr;  // [vocab x dim] compute type
    float* output_norm_ = nullptr;
    float* rope_ = nullptr;  // [n_ctx x n_rot]: (cos, sin) per pair
    // batch scratch
    std::int32_t* tokens_ = nullptr;
    std::int32_t* positions_ = nullptr;
    std::int32_t* ranges_ = nullptr;
    std::int32_t* rows_ = nullptr;
    std::int32_t* offsets_ = nullptr;
    std::int32_t* argmax_ = nullptr;
    std::int32_t* targets_ = nullptr;
    float* target_logprob_ = nullptr;
    std::size_t targets_capacity_ = 0;
    float* x_ = nullptr;
    void* xn_ = nullptr;
    float* qkv_ = nullptr;
    float* q_ = nullptr;
    void* attn_ = nullptr;
    float* gu_ = nullptr;
    void* act_ = nullptr;
    float* logits_ = nullptr;
};

}  // namespace clika::cuda_native
