#pragma once
// LLaMA-architecture GGUF test models with deterministic random weights and a real tokenizer copied from a
// vocab-only GGUF file (llama.cpp's models/ggml-vocab-*.gguf). The files load in llama.cpp (arch "llama").
//
// Weights are a function of (seed, tensor name, element index, fan-in) only, so any backend can rebuild them without
// reading the file (tensor_values below). The generator, version 1, is fully specified:
//   fnv1a64(name)  = FNV-1a 64 over the tensor name's bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
//   tensor_seed    = first output of SplitMix64(seed ^ fnv1a64(name))
//   r              = SplitMix64(tensor_seed); element i uses outputs 4i .. 4i+3 (0-based) of r, call them z0..z3
//   c              = (z0>>40) + (z1>>40) + (z2>>40) + (z3>>40) - 33554430         (an integer, |c| <= 2^25)
//   value          = (float) ((double) c * (sqrt(3.0 / fan_in) / 16777216.0))   (IEEE double, round to float)
// c is an Irwin-Hall(4) draw of 24-bit uniforms, so value is approximately N(0, 1/fan_in). Norm weights are 1.
// fan_in is ne[0] of the tensor (its input width); for token_embd and output it is `dim`. With --type f16 the stored
// values are these floats rounded to f16 (round to nearest even); tensor_values(..., WeightType::f16) returns them.
//
// Tensor layout (ggml ne order, ne[0] fastest; a matrix {n_in, n_out} holds n_out rows of n_in values, y = W x with
// y[o] = sum_i W[o * n_in + i] x[i]); head_dim = dim / heads:
//   token_embd.weight {dim, vocab}   output_norm.weight {dim}   output.weight {dim, vocab} (absent when tied)
//   blk.N.attn_norm {dim}  attn_q {dim, dim}  attn_k {dim, kv_heads*head_dim}  attn_v {dim, kv_heads*head_dim}
//   blk.N.attn_output {dim, dim}  ffn_norm {dim}  ffn_gate {dim, ff}  ffn_up {dim, ff}  ffn_down {ff, dim}
// (every name ends in ".weight"). llama.cpp's "llama" arch applies RoPE to adjacent pairs (x[2k], x[2k+1]) of each
// head (ggml rope mode 0); an exporter to HF-style rotate-half RoPE must permute the rows of attn_q/attn_k.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/random.hpp"
#include "clika/gguf.hpp"
#include "clika/parallel.hpp"

namespace clika::model {

struct ModelShape {
    int layers = 2;
    int dim = 64;
    int heads = 4;
    int kv_heads = 2;
    int ff = 128;
    int context = 2048;
    float rope_base = 10000.0f;
    float rms_eps = 1e-5f;
    bool tie_embeddings = true;  // no output.weight: llama.cpp reuses token_embd

    [[nodiscard]] int head_dim() const noexcept { return heads > 0 ? dim / heads : 0; }
    bool operator==(const ModelShape&) const = default;
};

// Tiny: 2 layers, dim 64, 4 heads (2 KV heads), ff 128, context 2048, tied embeddings. With the 32k llama-spm vocab
// that is 2.1M parameters, about 5 MB as f16.
[[nodiscard]] inline ModelShape default_test_shape() { return {}; }

enum class WeightType { f32, f16 };

[[nodiscard]] constexpr std::string_view weight_type_name(WeightType t) noexcept { return t == WeightType::f16 ? "f16" : "f32"; }

inline constexpr std::string_view generator_name = "clika-splitmix64-irwinhall4-v1";

// Refuses shapes llama.cpp cannot run (clika::Error, bad_input).
inline void validate(const ModelShape& s) {
    auto positive = [](int v, const char* what) {
        if (v <= 0) fail_input({}, fmt::format("model shape: {} is {}", what, v), "a positive number");
    };
    positive(s.layers, "layers");
    positive(s.dim, "dim");
    positive(s.heads, "heads");
    positive(s.kv_heads, "kv-heads");
    positive(s.ff, "ff");
    positive(s.context, "context");
    if (s.layers > 512) fail_input({}, fmt::format("model shape: {} layers", s.layers), "at most 512 (llama.cpp's limit)");
    if (s.dim % s.heads != 0) fail_input({}, fmt::format("model shape: dim {} is not divisible by heads {}", s.dim, s.heads), "dim = heads * head_dim");
    if (s.head_dim() % 2 != 0) fail_input({}, fmt::format("model shape: head_dim {} is odd", s.head_dim()), "an even head_dim (RoPE rotates pairs)");
    if (s.heads % s.kv_heads != 0)
        fail_input({}, fmt::format("model shape: heads {} is not a multiple of kv-heads {}", s.heads, s.kv_heads), "kv-heads dividing heads (GQA)");
    if (!(s.rope_base > 0.0f) || !std::isfinite(s.rope_base)) fail_input({}, "model shape: rope base must be a positive number");
    if (!(s.rms_eps > 0.0f) || !std::isfinite(s.rms_eps)) fail_input({}, "model shape: rms eps must be a positive number");
}

struct TensorSpec {
    std::string name;
    std::vector<std::int64_t> shape;  // ggml ne order
    bool is_norm = false;             // 1-D, all ones, always stored as f32
    [[nodiscard]] std::int64_t fan_in() const noexcept { return shape[0]; }
    [[nodiscard]] std::int64_t elements() const noexcept {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
};

// Every tensor of the model, in file order.
[[nodiscard]] inline std::vector<TensorSpec> tensor_specs(const ModelShape& s, std::int64_t vocab_size) {
    const std::int64_t dim = s.dim;
    const std::int64_t kv = static_cast<std::int64_t>(s.kv_heads) * s.head_dim();
    std::vector<TensorSpec> out;
    out.push_back({"token_embd.weight", {dim, vocab_size}});
    out.push_back({"output_norm.weight", {dim}, true});
    if (!s.tie_embeddings) out.push_back({"output.weight", {dim, vocab_size}});
    for (int i = 0; i < s.layers; ++i) {
        auto name = [i](std::string_view what) { return fmt::format("blk.{}.{}.weight", i, what); };
        out.push_back({name("attn_norm"), {dim}, true});
        out.push_back({name("attn_q"), {dim, dim}});
        out.push_back({name("attn_k"), {dim, kv}});
        out.push_back({name("attn_v"), {dim, kv}});
        out.push_back({name("attn_output"), {dim, dim}});
        out.push_back({name("ffn_norm"), {dim}, true});
        out.push_back({name("ffn_gate"), {dim, s.ff}});
        out.push_back({name("ffn_up"), {dim, s.ff}});
        out.push_back({name("ffn_down"), {static_cast<std::int64_t>(s.ff), dim}});
    }
    return out;
}

[[nodiscard]] constexpr std::uint64_t fnv1a64(std::string_view text) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

[[nodiscard]] constexpr std::uint64_t tensor_seed(std::uint64_t seed, std::string_view name) noexcept {
    SplitMix64 mix(seed ^ fnv1a64(name));
    return mix.next();
}

// Elements [first, first + out.size()) of a weight tensor (generator v1 above).
inline void generate_weights(std::uint64_t seed, std::string_view name, std::int64_t fan_in, std::uint64_t first, std::span<float> out) {
    const double scale = std::sqrt(3.0 / static_cast<double>(fan_in)) / 16777216.0;
    // SplitMix64 adds the golden gamma before mixing, so starting at tensor_seed + 4*first*gamma resumes the stream.
    SplitMix64 rng(tensor_seed(seed, name) + 4 * first * 0x9E3779B97F4A7C15ull);
    for (float& v : out) {
        const std::int64_t c = static_cast<std::int64_t>((rng.next() >> 40) + (rng.next() >> 40) + (rng.next() >> 40) + (rng.next() >> 40)) - 33554430;
        v = static_cast<float>(static_cast<double>(c) * scale);
    }
}

// The F32 values of a named tensor exactly as make_model stores them (f16-rounded when weight_type is f16), rebuilt
// from (seed, shape, name) alone. vocab_size is the tokenizer's token count (it sizes token_embd and output).
[[nodiscard]] inline std::vector<float> tensor_values(std::uint64_t seed, const ModelShape& shape, std::int64_t vocab_size,
                                                      std::string_view name, WeightType weight_type = WeightType::f32) {
    for (const TensorSpec& spec : tensor_specs(shape, vocab_size)) {
        if (spec.name != name) continue;
        std::vector<float> values(static_cast<std::size_t>(spec.elements()));
        if (spec.is_norm) {
            std::fill(values.begin(), values.end(), 1.0f);
            return values;
        }
        generate_weights(seed, spec.name, spec.fan_in(), 0, values);
        if (weight_type == WeightType::f16)
            for (float& v : values) v = gguf::f16_to_f32(gguf::f32_to_f16(v));
        return values;
    }
    fail_input({}, fmt::format("no tensor named \"{}\" in a {}-layer llama model{}", name, shape.layers,
                               shape.tie_embeddings ? " with tied embeddings" : ""));
}

struct MadeModel {
    std::filesystem::path path;
    std::int64_t vocab_size = 0;
    std::string tokenizer;    // tokenizer.ggml.model of the vocab file (llama, gpt2, ...)
    std::string pre;          // tokenizer.ggml.pre, empty when absent
    std::int64_t parameters = 0;
    std::uint64_t file_bytes = 0;
    std::size_t tokenizer_keys = 0;  // tokenizer.* KV pairs copied
    double seconds = 0;
};

// Writes a llama-architecture GGUF to out_path: the tokenizer.* KV pairs of vocab_gguf_path copied verbatim (in their
// order), the llama.* hyperparameters of `shape`, and weights from `seed` (generator v1). The result depends only on
// (vocab file, shape, seed, weight_type): the same inputs give a byte-identical file. `poison`, for tests of broken
// models: every weight of output_norm is this value instead of 1 (NaN makes every logit NaN).
inline MadeModel make_model(const std::filesystem::path& vocab_gguf_path, const std::filesystem::path& out_path, const ModelShape& shape,
                            std::uint64_t seed, WeightType weight_type, std::optional<float> poison = std::nullopt) {
    const auto start = std::chrono::steady_clock::now();
    validate(shape);
    if (!std::filesystem::is_regular_file(vocab_gguf_path))
        fail_input({vocab_gguf_path, 0, {}}, "vocab file not found", "a GGUF file with tokenizer.* keys, such as llama.cpp's models/ggml-vocab-llama-spm.gguf");
    const gguf::File vocab = gguf::File::read(vocab_gguf_path);

    MadeModel made;
    made.path = out_path;
    const gguf::Value* tokens = vocab.find("tokenizer.ggml.tokens");
    if (tokens == nullptr || !tokens->is<gguf::Array>() || tokens->as<gguf::Array>().type != gguf::ValueType::string)
        fail_input({vocab_gguf_path, 0, "tokenizer.ggml.tokens"}, "the vocab file has no token list", "an array of strings");
    made.vocab_size = static_cast<std::int64_t>(tokens->as<gguf::Array>().items.size());
    if (made.vocab_size == 0) fail_input({vocab_gguf_path, 0, "tokenizer.ggml.tokens"}, "the token list is empty");
    made.tokenizer = vocab.get<std::string>("tokenizer.ggml.model");
    if (const gguf::Value* pre = vocab.find("tokenizer.ggml.pre"); pre != nullptr && pre->is<std::string>()) made.pre = pre->as<std::string>();

    gguf::Writer w;
    const std::uint32_t file_type = weight_type == WeightType::f16 ? 1u : 0u;  // LLAMA_FTYPE_MOSTLY_F16 : ALL_F32
    auto u32 = [](int v) { return gguf::Value::u32(static_cast<std::uint32_t>(v)); };
    w.set("general.architecture", gguf::Value::str("llama"));
    w.set("general.name", gguf::Value::str(fmt::format("clika test llama {}x{} seed {}", shape.layers, shape.dim, seed)));
    w.set("general.file_type", gguf::Value::u32(file_type));
    w.set("llama.vocab_size", gguf::Value::u32(static_cast<std::uint32_t>(made.vocab_size)));
    w.set("llama.context_length", u32(shape.context));
    w.set("llama.embedding_length", u32(shape.dim));
    w.set("llama.block_count", u32(shape.layers));
    w.set("llama.feed_forward_length", u32(shape.ff));
    w.set("llama.attention.head_count", u32(shape.heads));
    w.set("llama.attention.head_count_kv", u32(shape.kv_heads));
    w.set("llama.rope.dimension_count", u32(shape.head_dim()));
    w.set("llama.attention.layer_norm_rms_epsilon", gguf::Value::f32(shape.rms_eps));
    w.set("llama.rope.freq_base", gguf::Value::f32(shape.rope_base));
    w.set("clika.generator", gguf::Value::str(std::string(generator_name)));
    w.set("clika.seed", gguf::Value::u64(seed));
    for (const gguf::KeyValue& kv : vocab.kvs()) {
        if (!kv.key.starts_with("tokenizer.")) continue;
        w.set(kv.key, kv.value);
        ++made.tokenizer_keys;
    }

    const auto stored = weight_type == WeightType::f16 ? gguf::TensorType::f16 : gguf::TensorType::f32;
    for (const TensorSpec& spec : tensor_specs(shape, made.vocab_size)) {
        made.parameters += spec.elements();
        if (spec.is_norm) {
            const float value = poison && spec.name == "output_norm.weight" ? *poison : 1.0f;
            w.add_tensor(spec.name, spec.shape, gguf::TensorType::f32, std::vector<float>(static_cast<std::size_t>(spec.elements()), value));
            continue;
        }
        w.add_tensor(spec.name, spec.shape, stored, [spec, seed, stored](std::span<std::uint8_t> out) {
            // Fixed 64k-element chunks filled in parallel: the values do not depend on the thread count.
            constexpr std::size_t chunk = 65536;
            const auto n = static_cast<std::size_t>(spec.elements());
            const std::size_t element_bytes = stored == gguf::TensorType::f16 ? 2 : 4;
            parallel_for((n + chunk - 1) / chunk, 0, [&](std::size_t c) {
                const std::size_t first = c * chunk;
                std::vector<float> values(std::min(chunk, n - first));
                generate_weights(seed, spec.name, spec.fan_in(), first, values);
                gguf::Writer::encode_floats(values, stored, out.subspan(first * element_bytes, values.size() * element_bytes));
            });
        });
    }
    if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
    w.write(out_path);
    made.file_bytes = std::filesystem::file_size(out_path);
    made.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return made;
}

}  // namespace clika::model
