// Loading a LLaMA GGUF into Ops memory and its forward pass (see llama_model.hpp).

#include "llama_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "gguf_reader.hpp"
#include "logprob_reference.hpp"

namespace clika::cuda_native {

namespace {

[[noreturn]] void refuse(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error(fmt::format("{}: {}", path.string(), what));
}

std::optional<std::int64_t> int_key(const GgufReader& f, const std::string& key) { return f.integer(key); }

std::optional<double> float_key(const GgufReader& f, const std::string& key) { return f.number(key); }

int required_int(const GgufReader& f, const std::string& key) {
    const auto v = int_key(f, key);
    if (!v) refuse(f.path(), fmt::format("missing GGUF key {}", key));
    if (*v <= 0 || *v > (1 << 30)) refuse(f.path(), fmt::format("GGUF key {} = {} is out of range", key, *v));
    return static_cast<int>(*v);
}

std::optional<DType> dtype_of_ggml(std::uint32_t type) {
    switch (type) {
        case 0: return DType::f32;
        case 1: return DType::f16;
        case 30: return DType::bf16;
        default: return std::nullopt;
    }
}

const GgufTensor& tensor(const GgufReader& f, const std::string& name, std::initializer_list<std::int64_t> shape) {
    const GgufTensor* t = f.find_tensor(name);
    if (t == nullptr) refuse(f.path(), fmt::format("no tensor {} (not a plain LLaMA model?)", name));
    if (!std::equal(t->shape.begin(), t->shape.end(), shape.begin(), shape.end())) {
        std::string want, got;
        for (std::int64_t d : shape) want += (want.empty() ? "" : ", ") + std::to_string(d);
        for (std::int64_t d : t->shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
        refuse(f.path(), fmt::format("tensor {} has shape {{{}}}, expected {{{}}}", name, got, want));
    }
    if (!dtype_of_ggml(t->type))
        refuse(f.path(), fmt::format("tensor {} is {}: cuda_native runs F32, F16 and BF16 weights only", name, GgufReader::tensor_type_name(t->type)));
    return *t;
}

// Converts `n` values of ggml type `src_type` to `dst` (parallel over chunks; values do not depend on the split).
std::vector<std::uint8_t> convert(const std::vector<std::uint8_t>& raw, std::uint32_t src_type, std::size_t n, DType dst) {
    const DType src = *dtype_of_ggml(src_type);
    if (src == dst) return raw;
    std::vector<std::uint8_t> out(n * dtype_bytes(dst));
    auto work = [&](std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) {
            float v = 0;
            if (src == DType::f32) std::memcpy(&v, raw.data() + 4 * i, 4);
            else {
                std::uint16_t h = 0;
                std::memcpy(&h, raw.data() + 2 * i, 2);
                v = src == DType::f16 ? clika::half::f16_to_f32(h) : clika::half::bf16_to_f32(h);
            }
            if (dst == DType::f32) std::memcpy(out.data() + 4 * i, &v, 4);
            else {
                const std::uint16_t h = dst == DType::f16 ? clika::half::f32_to_f16(v) : clika::half::f32_to_bf16(v);
                std::memcpy(out.data() + 2 * i, &h, 2);
            }
        }
    };
    const std::size_t threads = n < (1u << 20) ? 1 : std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (std::size_t k = 1; k < threads; ++k) pool.emplace_back(work, n * k / threads, n * (k + 1) / threads);
    work(0, n / threads);
    for (std::thread& t : pool) t.join();
    return out;
}

std::vector<std::uint8_t> read_as(const GgufReader& f, const GgufTensor& t, DType dst) {
    return convert(f.tensor_bytes(t), t.type, static_cast<std::size_t>(t.elements()), dst);
}

std::vector<float> read_f32(const GgufReader& f, const GgufTensor& t) { return f.tensor_floats(t); }

}  // namespace

std::int64_t LlamaConfig::parameters() const noexcept {
    const std::int64_t d = dim, q = static_cast<std::int64_t>(heads) * head_dim, kv = static_cast<std::int64_t>(kv_heads) * head_dim;
    const std::int64_t per_layer = d * (q + 2 * kv) + q * d + 3 * d * ff + 2 * d;
    return layers * per_layer + static_cast<std::int64_t>(vocab) * d * (tied ? 1 : 2) + d;
}

LlamaConfig read_llama_config(const std::filesystem::path& path) {
    const GgufReader f(path);
    LlamaConfig c;
    const std::optional<std::string> arch = f.string("general.architecture");
    if (!arch) refuse(path, "no general.architecture key");
    if (*arch != "llama") refuse(path, fmt::format("architecture \"{}\": cuda_native runs the \"llama\" architecture only", *arch));
    if (const auto n = f.string("general.name")) c.name = *n;
    c.layers = required_int(f, "llama.block_count");
    c.dim = required_int(f, "llama.embedding_length");
    c.ff = required_int(f, "llama.feed_forward_length");
    c.heads = required_int(f, "llama.attention.head_count");
    c.kv_heads = int_key(f, "llama.attention.head_count_kv").has_value() ? required_int(f, "llama.attention.head_count_kv") : c.heads;
    if (c.dim % c.heads != 0) refuse(path, "embedding_length is not a multiple of head_count");
    c.head_dim = c.dim / c.heads;
    if (const auto k = int_key(f, "llama.attention.key_length"); k && *k != c.head_dim) refuse(path, "key_length differs from embedding_length / head_count");
    if (const auto v = int_key(f, "llama.attention.value_length"); v && *v != c.head_dim) refuse(path, "value_length differs from embedding_length / head_count");
    if (c.heads % c.kv_heads != 0) refuse(path, "head_count is not a multiple of head_count_kv");
    if (c.head_dim % 2 != 0 || c.head_dim > 256) refuse(path, fmt::format("head size {} (cuda_native needs an even head size up to 256)", c.head_dim));
    c.n_rot = static_cast<int>(int_key(f, "llama.rope.dimension_count").value_or(c.head_dim));
    if (c.n_rot != c.head_dim) refuse(path, "rope.dimension_count differs from the head size (llama.cpp refuses that too)");
    c.ctx_train = static_cast<int>(int_key(f, "llama.context_length").value_or(2048));
    c.rms_eps = static_cast<float>(float_key(f, "llama.attention.layer_norm_rms_epsilon").value_or(1e-5));
    c.rope_base = static_cast<float>(float_key(f, "llama.rope.freq_base").value_or(10000.0));
    c.attention_scale = static_cast<float>(float_key(f, "llama.attention.scale").value_or(0.0));
    if (int_key(f, "llama.expert_count").value_or(0) > 0) refuse(path, "mixture-of-experts models are not supported");
    std::string scaling = "linear";
    if (const auto s = f.string("llama.rope.scaling.type")) scaling = *s;
    if (scaling != "linear" && scaling != "none") refuse(path, fmt::format("RoPE scaling \"{}\" is not supported (none and linear are)", scaling));
    double factor = float_key(f, "llama.rope.scale_linear").value_or(0.0);
    if (factor == 0.0) factor = float_key(f, "llama.rope.scaling.factor").value_or(0.0);
    c.rope_freq_scale = factor == 0.0 ? 1.0f : static_cast<float>(1.0 / factor);

    const GgufTensor* embd = f.find_tensor("token_embd.weight");
    if (embd == nullptr || embd->shape.size() != 2 || embd->shape[0] != c.dim) refuse(path, "no token_embd.weight of shape {dim, vocab}");
    c.vocab = static_cast<int>(embd->shape[1]);
    c.tied = f.find_tensor("output.weight") == nullptr;
    if (f.find_tensor("blk.0.attn_qkv.weight") != nullptr) refuse(path, "fused attn_qkv tensors are not supported");
    const GgufTensor& q0 = tensor(f, "blk.0.attn_q.weight", {c.dim, static_cast<std::int64_t>(c.heads) * c.head_dim});
    c.weight_type = *dtype_of_ggml(q0.type);
    if (const GgufTensor* rf = f.find_tensor("rope_freqs.weight"); rf != nullptr) {
        if (rf->elements() != c.n_rot / 2) refuse(path, "rope_freqs.weight has the wrong size");
        c.rope_freq_factors = read_f32(f, *rf);
    }
    return c;
}

LlamaModel::LlamaModel(const std::filesystem::path& path, Ops& ops, DType compute, int n_ctx, int n_batch)
    : ops_(ops), config_(read_llama_config(path)), compute_(compute), n_ctx_(n_ctx), n_batch_(n_batch) {
    try {
        if (n_ctx_ <= 0 || n_batch_ <= 0) throw std::runtime_error("n_ctx and n_batch must be positive");
        const GgufReader f(path);
        const LlamaConfig& c = config_;
        const std::int64_t d = c.dim, q_dim = static_cast<std::int64_t>(c.heads) * c.head_dim, kv_dim = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
        const std::size_t cb = dtype_bytes(compute_);

        auto load_matrix = [&](const std::string& name, std::int64_t in, std::int64_t out) {
            const std::vector<std::uint8_t> bytes = read_as(f, tensor(f, name, {in, out}), compute_);
            return upload_owned(bytes.data(), bytes.size());
        };
        auto load_norm = [&](const std::string& name) {
            const std::vector<float> v = read_f32(f, tensor(f, name, {d}));
            return static_cast<float*>(upload_owned(v.data(), v.size() * sizeof(float)));
        };
        // Fused matrices: the row blocks of several [out_i x in] matrices one after the other.
        auto load_fused = [&](std::initializer_list<std::pair<std::string, std::int64_t>> parts, std::int64_t in) {
            std::vector<std::uint8_t> all;
            for (const auto& [name, out] : parts) {
                const std::vector<std::uint8_t> bytes = read_as(f, tensor(f, name, {in, out}), compute_);
                all.insert(all.end(), bytes.begin(), bytes.end());
            }
            return upload_owned(all.data(), all.size());
        };

        embd_ = load_matrix("token_embd.weight", d, c.vocab);
        output_ = c.tied ? embd_ : load_matrix("output.weight", d, c.vocab);
        output_norm_ = load_norm("output_norm.weight");
        const std::size_t kv_rows = static_cast<std::size_t>(n_ctx_) + static_cast<std::size_t>(n_batch_);
        layers_.resize(static_cast<std::size_t>(c.layers));
        for (int i = 0; i < c.layers; ++i) {
            Layer& l = layers_[static_cast<std::size_t>(i)];
            const std::string p = fmt::format("blk.{}.", i);
            l.attn_norm = load_norm(p + "attn_norm.weight");
            l.wqkv = load_fused({{p + "attn_q.weight", q_dim}, {p + "attn_k.weight", kv_dim}, {p + "attn_v.weight", kv_dim}}, d);
            l.wo = load_matrix(p + "attn_output.weight", q_dim, d);
            l.ffn_norm = load_norm(p + "ffn_norm.weight");
            l.wgu = load_fused({{p + "ffn_gate.weight", c.ff}, {p + "ffn_up.weight", c.ff}}, d);
            l.wdown = load_matrix(p + "ffn_down.weight", c.ff, d);
            l.k = static_cast<float*>(own(kv_rows * static_cast<std::size_t>(kv_dim) * sizeof(float)));
            l.v = static_cast<float*>(own(kv_rows * static_cast<std::size_t>(kv_dim) * sizeof(float)));
        }

        // RoPE table, as ggml's CPU backend builds it (ggml_rope_cache_init with ext_factor 0, mscale 1).
        std::vector<float> rope(static_cast<std::size_t>(n_ctx_) * static_cast<std::size_t>(c.n_rot));
        const float theta_scale = std::pow(c.rope_base, -2.0f / static_cast<float>(c.n_rot));
        for (int p = 0; p < n_ctx_; ++p) {
            float theta = static_cast<float>(p);
            float* row = rope.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(c.n_rot);
            for (int i0 = 0; i0 < c.n_rot; i0 += 2) {
                const float ff = c.rope_freq_factors.empty() ? 1.0f : c.rope_freq_factors[static_cast<std::size_t>(i0 / 2)];
                const float angle = c.rope_freq_scale * (theta / ff);
                row[i0] = std::cos(angle);
                row[i0 + 1] = std::sin(angle);
                theta *= theta_scale;
            }
        }
        rope_ = static_cast<float*>(upload_owned(rope.data(), rope.size() * sizeof(float)));

        const std::size_t nb = static_cast<std::size_t>(n_batch_);
        tokens_ = static_cast<std::int32_t*>(own(nb * 4));
        positions_ = static_cast<std::int32_t*>(own(nb * 4));
        ranges_ = static_cast<std::int32_t*>(own(nb * 16));
        rows_ = static_cast<std::int32_t*>(own(nb * 4));
        offsets_ = static_cast<std::int32_t*>(own((nb + 1) * 4));
        argmax_ = static_cast<std::int32_t*>(own(nb * 4));
        ensure_targets(nb * 2);
        x_ = static_cast<float*>(own(nb * static_cast<std::size_t>(d) * 4));
        xn_ = own(nb * static_cast<std::size_t>(std::max(d, q_dim)) * cb);
        qkv_ = static_cast<float*>(own(nb * static_cast<std::size_t>(q_dim + 2 * kv_dim) * 4));
        q_ = static_cast<float*>(own(nb * static_cast<std::size_t>(q_dim) * 4));
        attn_ = own(nb * static_cast<std::size_t>(q_dim) * cb);
        gu_ = static_cast<float*>(own(nb * 2 * static_cast<std::size_t>(c.ff) * 4));
        act_ = own(nb * static_cast<std::size_t>(c.ff) * cb);
        // Logits for at most 256 MB worth of rows at a time (at least one row).
        const std::size_t row_bytes = static_cast<std::size_t>(c.vocab) * 4;
        logits_rows_ = static_cast<int>(std::clamp<std::size_t>((std::size_t{256} << 20) / row_bytes, 1, nb));
        logits_ = static_cast<float*>(own(static_cast<std::size_t>(logits_rows_) * row_bytes));
        ops_.synchronize();
    } catch (...) {
        for (void* p : owned_) ops_.release(p);
        owned_.clear();
        throw;
    }
}

LlamaModel::~LlamaModel() {
    for (void* p : owned_) ops_.release(p);
}

void* LlamaModel::own(std::size_t bytes) {
    owned_.reserve(owned_.size() + 1);
    void* p = ops_.allocate(bytes);
    owned_.push_back(p);
    return p;
}

void* LlamaModel::upload_owned(const void* data, std::size_t bytes) {
    void* p = own(bytes);
    ops_.upload(p, data, bytes);
    return p;
}

void LlamaModel::ensure_targets(std::size_t count) {
    if (count <= targets_capacity_) return;
    const std::size_t cap = std::max(count, targets_capacity_ * 2);
    auto* targets = static_cast<std::int32_t*>(own(cap * 4));
    auto* logprob = static_cast<float*>(own(cap * 4));
    // The old buffers stay owned until the model goes away (rare growth; a few bytes per target).
    targets_ = targets;
    target_logprob_ = logprob;
    targets_capacity_ = cap;
}

void LlamaModel::forward(const Batch& b, int n_pre, BatchScores& out) {
    const LlamaConfig& c = config_;
    const int n = b.size();
    if (n == 0) {
        out.target_logprob.clear();
        out.argmax.clear();
        return;
    }
    if (n > n_batch_ || n_pre < 0 || n_pre + n > n_ctx_ + n_batch_ || b.positions.size() != b.tokens.size() ||
        b.ranges.size() != 4 * b.tokens.size() || b.target_offsets.size() != b.score_rows.size() + 1)
        throw std::logic_error("cuda_native: malformed batch");
    for (int t = 0; t < n; ++t) {
        if (b.tokens[t] < 0 || b.tokens[t] >= c.vocab) throw std::runtime_error(fmt::format("token id {} is outside the vocabulary", b.tokens[t]));
        if (b.positions[t] < 0 || b.positions[t] >= n_ctx_) throw std::runtime_error(fmt::format("position {} is beyond n_ctx {}", b.positions[t], n_ctx_));
    }
    const HeadShape shape = c.shape();
    const int q_dim = shape.q_dim(), kv_dim = shape.kv_dim();
    const float scale = c.attention_scale != 0.0f ? c.attention_scale : 1.0f / std::sqrt(static_cast<float>(c.head_dim));

    ops_.upload(tokens_, b.tokens.data(), b.tokens.size() * 4);
    ops_.upload(positions_, b.positions.data(), b.positions.size() * 4);
    ops_.upload(ranges_, b.ranges.data(), b.ranges.size() * 4);

    ops_.embed(tokens_, n, embd_, compute_, c.dim, x_);
    for (const Layer& l : layers_) {
        float* k_cur = l.k + static_cast<std::size_t>(n_pre) * static_cast<std::size_t>(kv_dim);
        float* v_cur = l.v + static_cast<std::size_t>(n_pre) * static_cast<std::size_t>(kv_dim);
        ops_.rmsnorm(x_, nullptr, n, c.dim, l.attn_norm, c.rms_eps, xn_, compute_);
        ops_.gemm(l.wqkv, compute_, q_dim + 2 * kv_dim, c.dim, xn_, n, qkv_, false);
        ops_.rope_split(qkv_, n, positions_, rope_, c.n_rot, shape, q_, k_cur, v_cur);
        ops_.attention(q_, n, l.k, l.v, n_pre, k_cur, v_cur, ranges_, shape, scale, attn_, compute_);
        ops_.gemm(l.wo, compute_, c.dim, q_dim, attn_, n, x_, true);
        ops_.rmsnorm(x_, nullptr, n, c.dim, l.ffn_norm, c.rms_eps, xn_, compute_);
        ops_.gemm(l.wgu, compute_, 2 * c.ff, c.dim, xn_, n, gu_, false);
        ops_.swiglu(gu_, n, c.ff, act_, compute_);
        ops_.gemm(l.wdown, compute_, c.dim, c.ff, act_, n, x_, true);
    }

    // The scoring head, for the scored rows only, logits_rows_ rows at a time.
    const int rows = static_cast<int>(b.score_rows.size());
    out.target_logprob.assign(b.targets.size(), 0.0f);
    out.argmax.assign(static_cast<std::size_t>(rows), 0);
    if (rows == 0) return;
    for (int r : b.score_rows)
        if (r < 0 || r >= n) throw std::logic_error("cuda_native: scored row outside the batch");
    ops_.upload(rows_, b.score_rows.data(), b.score_rows.size() * 4);
    for (int first = 0; first < rows; first += logits_rows_) {
        const int count = std::min(logits_rows_, rows - first);
        const std::int32_t t0 = b.target_offsets[static_cast<std::size_t>(first)];
        const std::int32_t t1 = b.target_offsets[static_cast<std::size_t>(first + count)];
        std::vector<std::int32_t> offsets(b.target_offsets.begin() + first, b.target_offsets.begin() + first + count + 1);
        for (std::int32_t& o : offsets) o -= t0;
        ensure_targets(static_cast<std::size_t>(t1 - t0));
        ops_.upload(offsets_, offsets.data(), offsets.size() * 4);
        ops_.upload(targets_, b.targets.data() + t0, static_cast<std::size_t>(t1 - t0) * 4);
        ops_.rmsnorm(x_, rows_ + first, count, c.dim, output_norm_, c.rms_eps, xn_, compute_);
        ops_.gemm(output_, compute_, c.vocab, c.dim, xn_, count, logits_, false);
        ops_.logprob(logits_, count, c.vocab, offsets_, targets_, target_logprob_, argmax_);
        ops_.download(out.target_logprob.data() + t0, target_logprob_, static_cast<std::size_t>(t1 - t0) * 4);
        ops_.download(out.argmax.data() + first, argmax_, static_cast<std::size_t>(count) * 4);
    }
}

}  // namespace clika::cuda_native
