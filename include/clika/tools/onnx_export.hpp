#pragma once
// Writes a LLaMA-architecture GGUF (f32, f16 or bf16 weights; what `clika make-model` writes) as an ONNX decoder with
// the signature Hugging Face Optimum gives decoder-only LMs exported "with past":
//
//   inputs   input_ids                      int64 [batch, seq]
//            attention_mask                 int64 [batch, past + seq]     1 = attend, 0 = padding
//            position_ids                   int64 [batch, seq]
//            past_key_values.N.key / .value float [batch, kv_heads, past, head_dim]   (N = 0 .. layers-1)
//   outputs  logits                         float [batch, seq, vocab]
//            present.N.key / .value         float [batch, kv_heads, past + seq, head_dim]
//
// The graph is built by hand from standard ONNX operators (opset 17, no contrib ops), so any ONNX runtime can run it:
// embedding Gather, RMSNorm (x / sqrt(mean(x^2) + eps) * w), RoPE, grouped-query attention over the past and the new
// keys with a causal mask combined with attention_mask, SwiGLU feed-forward, output head (tied to the embedding when
// the GGUF has no output.weight). Weights are copied as float32 (f16 values convert exactly).
//
// RoPE follows llama.cpp's "llama" arch bit for bit where it can: the angle of pair k at position p is computed as
// ggml does, theta_0 = p and theta_k = theta_{k-1} * powf(base, -2/head_dim) in float, one multiplication at a time.
// llama.cpp rotates adjacent pairs (x[2k], x[2k+1]); Hugging Face's LLaMA rotates halves (x[k], x[k + head_dim/2]). The
// export uses the Hugging Face form, as a real Optimum export does, and permutes the rows of attn_q and attn_k within
// each head (even rows first, then odd rows) to match: q.k is unchanged because both get the same permutation. The
// present.* tensors therefore hold keys in the permuted layout, which only this graph reads.
//
// The protobuf encoding is written directly (ONNX's messages need a dozen field numbers); the file depends only on the
// GGUF's contents, so the same GGUF gives a byte-identical ONNX file.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/gguf.hpp"

namespace clika::onnx {

// ---- protobuf wire format ------------------------------------------------------------------------------------------

class Message {
public:
    void varint_field(int field, std::uint64_t v) {
        key(field, 0);
        varint(v);
    }
    void int_field(int field, std::int64_t v) { varint_field(field, static_cast<std::uint64_t>(v)); }
    void float_field(int field, float v) {
        key(field, 5);
        char b[4];
        std::memcpy(b, &v, 4);
        bytes_.append(b, 4);
    }
    void bytes_field(int field, std::string_view v) {
        key(field, 2);
        varint(v.size());
        bytes_.append(v);
    }
    void message_field(int field, const Message& m) { bytes_field(field, m.bytes_); }
    [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }
    [[nodiscard]] std::string take() { return std::move(bytes_); }

private:
    void key(int field, int wire) { varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire)); }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        bytes_.push_back(static_cast<char>(v));
    }
    std::string bytes_;
};

// Field numbers and enums of onnx.proto (only what this writer uses).
namespace pb {
enum DataType : int { FLOAT = 1, INT64 = 7, BOOL = 9 };
enum AttrType : int { A_FLOAT = 1, A_INT = 2, A_INTS = 7 };
}  // namespace pb

struct Attribute {
    std::string name;
    int type = pb::A_INT;
    std::int64_t i = 0;
    float f = 0;
    std::vector<std::int64_t> ints;

    static Attribute integer(std::string n, std::int64_t v) { return {std::move(n), pb::A_INT, v, 0, {}}; }
    static Attribute real(std::string n, float v) { return {std::move(n), pb::A_FLOAT, 0, v, {}}; }
    static Attribute integers(std::string n, std::vector<std::int64_t> v) { return {std::move(n), pb::A_INTS, 0, 0, std::move(v)}; }
};

// A dimension of a graph input or output: a number, or a symbolic name.
struct Dim {
    std::int64_t value = -1;
    std::string param;
    Dim(std::int64_t v) : value(v) {}  // NOLINT: implicit on purpose
    Dim(const char* p) : param(p) {}   // NOLINT
};

// Builds a GraphProto node by node (nodes must be added in topological order, as ONNX requires).
class GraphBuilder {
public:
    // Adds a node; returns the names of its outputs: `names` where given, fresh names otherwise.
    std::vector<std::string> node_n(std::string_view op, const std::vector<std::string>& inputs, std::size_t n_outputs,
                                    const std::vector<Attribute>& attrs = {}, const std::vector<std::string>& names = {}) {
        Message n;
        for (const std::string& in : inputs) n.bytes_field(1, in);
        std::vector<std::string> outs;
        for (std::size_t k = 0; k < n_outputs; ++k) {
            outs.push_back(k < names.size() ? names[k] : fmt::format("{}_{}", op, counter_++));
            n.bytes_field(2, outs.back());
        }
        n.bytes_field(3, fmt::format("n{}", nodes_));
        n.bytes_field(4, op);
        for (const Attribute& a : attrs) {
            Message m;
            m.bytes_field(1, a.name);
            if (a.type == pb::A_FLOAT) m.float_field(2, a.f);
            if (a.type == pb::A_INT) m.int_field(3, a.i);
            if (a.type == pb::A_INTS)
                for (std::int64_t v : a.ints) m.int_field(8, v);
            m.int_field(20, a.type);
            n.message_field(5, m);
        }
        graph_.message_field(1, n);
        ++nodes_;
        return outs;
    }
    std::string node(std::string_view op, const std::vector<std::string>& inputs, const std::vector<Attribute>& attrs = {}) {
        return node_n(op, inputs, 1, attrs).front();
    }
    // A node whose single output has a chosen name (a graph output).
    void node_named(std::string_view op, const std::vector<std::string>& inputs, const std::string& output,
                    const std::vector<Attribute>& attrs = {}) {
        node_n(op, inputs, 1, attrs, {output});
    }
    [[nodiscard]] std::size_t nodes() const noexcept { return static_cast<std::size_t>(nodes_); }

    std::string initializer_f32(std::string name, const std::vector<std::int64_t>& dims, std::span<const float> values) {
        Message t;
        for (std::int64_t d : dims) t.int_field(1, d);
        t.int_field(2, pb::FLOAT);
        t.bytes_field(8, name);
        t.bytes_field(9, std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
        initializers_.push_back(t.take());
        return name;
    }
    std::string initializer_i64(std::string name, const std::vector<std::int64_t>& dims, std::span<const std::int64_t> values) {
        Message t;
        for (std::int64_t d : dims) t.int_field(1, d);
        t.int_field(2, pb::INT64);
        t.bytes_field(8, name);
        t.bytes_field(9, std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t)));
        initializers_.push_back(t.take());
        return name;
    }
    std::string scalar_f32(float v) {
        const std::string name = fmt::format("const_f{}", counter_++);
        return initializer_f32(name, {}, std::span<const float>(&v, 1));
    }
    std::string scalar_i64(std::int64_t v) {
        const std::string name = fmt::format("const_i{}", counter_++);
        return initializer_i64(name, {}, std::span<const std::int64_t>(&v, 1));
    }
    std::string vector_i64(std::vector<std::int64_t> v) {
        const std::string name = fmt::format("const_v{}", counter_++);
        return initializer_i64(name, {static_cast<std::int64_t>(v.size())}, v);
    }

    void input(const std::string& name, int elem_type, const std::vector<Dim>& dims) { inputs_.push_back(value_info(name, elem_type, dims)); }
    void output(const std::string& name, int elem_type, const std::vector<Dim>& dims) { outputs_.push_back(value_info(name, elem_type, dims)); }

    // The serialized GraphProto.
    [[nodiscard]] std::string finish(std::string_view name) {
        Message g = graph_;
        g.bytes_field(2, name);
        for (const std::string& t : initializers_) g.bytes_field(5, t);
        for (const Message& m : inputs_) g.message_field(11, m);
        for (const Message& m : outputs_) g.message_field(12, m);
        return g.take();
    }

private:
    static Message value_info(const std::string& name, int elem_type, const std::vector<Dim>& dims) {
        Message shape;
        for (const Dim& d : dims) {
            Message dim;
            if (d.param.empty()) dim.int_field(1, d.value);
            else dim.bytes_field(2, d.param);
            shape.message_field(1, dim);
        }
        Message tensor;
        tensor.int_field(1, elem_type);
        tensor.message_field(2, shape);
        Message type;
        type.message_field(1, tensor);
        Message vi;
        vi.bytes_field(1, name);
        vi.message_field(2, type);
        return vi;
    }

    Message graph_;
    std::vector<std::string> initializers_;
    std::vector<Message> inputs_, outputs_;
    int counter_ = 0;
    int nodes_ = 0;
};

// ---- the llama graph -------------------------------------------------------------------------------------------------

struct LlamaHyper {
    std::int64_t vocab = 0, dim = 0, layers = 0, heads = 0, kv_heads = 0, ff = 0, context = 0;
    float rope_base = 10000.0f, rms_eps = 1e-5f;
    bool tied = true;
    [[nodiscard]] std::int64_t head_dim() const noexcept { return dim / heads; }
};

// Variants of the signature, for testing a backend against what other exporters write.
struct ExportOptions {
    bool past_key_values = true;  // false: no past_key_values.* inputs and no present.* outputs (whole sequences only)
    bool position_ids = true;     // false: positions are derived from attention_mask (cumsum - 1), as HF models do
    bool logits_to_keep = false;  // true: an int64 scalar input num_logits_to_keep; logits for the last N positions only
                                  // (0: all), as transformers' `logits_to_keep` does
};

struct ExportedModel {
    LlamaHyper hyper;
    std::uint64_t file_bytes = 0;
    std::size_t nodes = 0;
};

namespace detail {

inline std::int64_t gguf_int(const gguf::File& f, const std::string& key) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr) fail_input({f.path(), 0, key}, "missing GGUF key", "a llama-architecture GGUF");
    const auto i = v->as_integer();
    if (!i) fail_input({f.path(), 0, key}, "GGUF key is not an integer");
    return *i;
}

inline float gguf_float(const gguf::File& f, const std::string& key, float fallback) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr) return fallback;
    if (v->is<float>()) return v->as<float>();
    if (v->is<double>()) return static_cast<float>(v->as<double>());
    fail_input({f.path(), 0, key}, "GGUF key is not a float");
}

// W stored as n_out rows of n_in values -> [n_in, n_out] (ONNX MatMul's right operand), rows optionally permuted first.
inline std::vector<float> transpose(const std::vector<float>& w, std::int64_t n_in, std::int64_t n_out, const std::vector<std::int64_t>& row_order = {}) {
    std::vector<float> t(w.size());
    for (std::int64_t o = 0; o < n_out; ++o) {
        const std::int64_t src = row_order.empty() ? o : row_order[static_cast<std::size_t>(o)];
        for (std::int64_t i = 0; i < n_in; ++i) t[static_cast<std::size_t>(i * n_out + o)] = w[static_cast<std::size_t>(src * n_in + i)];
    }
    return t;
}

// Row order that turns llama.cpp's adjacent-pair RoPE layout into Hugging Face's rotate-half layout, head by head.
inline std::vector<std::int64_t> rope_row_order(std::int64_t heads, std::int64_t head_dim) {
    std::vector<std::int64_t> order;
    const std::int64_t half = head_dim / 2;
    for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t j = 0; j < head_dim; ++j) order.push_back(h * head_dim + (j < half ? 2 * j : 2 * (j - half) + 1));
    return order;
}

}  // namespace detail

// Reads the hyperparameters of a llama-architecture GGUF.
[[nodiscard]] inline LlamaHyper llama_hyper(const gguf::File& f) {
    const std::string arch = f.get<std::string>("general.architecture");
    if (arch != "llama") fail_input({f.path(), 0, "general.architecture"}, fmt::format("architecture \"{}\"", arch), "llama");
    LlamaHyper h;
    h.dim = detail::gguf_int(f, "llama.embedding_length");
    h.layers = detail::gguf_int(f, "llama.block_count");
    h.heads = detail::gguf_int(f, "llama.attention.head_count");
    h.kv_heads = f.find("llama.attention.head_count_kv") != nullptr ? detail::gguf_int(f, "llama.attention.head_count_kv") : h.heads;
    h.ff = detail::gguf_int(f, "llama.feed_forward_length");
    h.context = detail::gguf_int(f, "llama.context_length");
    h.rope_base = detail::gguf_float(f, "llama.rope.freq_base", 10000.0f);
    h.rms_eps = detail::gguf_float(f, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
    if (embd == nullptr || embd->shape.size() != 2) fail_input({f.path(), 0, {}}, "no 2-D token_embd.weight tensor");
    h.vocab = embd->shape[1];
    h.tied = f.find_tensor("output.weight") == nullptr;
    if (h.dim <= 0 || h.heads <= 0 || h.kv_heads <= 0 || h.layers <= 0 || h.dim % h.heads != 0 || h.heads % h.kv_heads != 0 ||
        h.head_dim() % 2 != 0)
        fail_input({f.path(), 0, {}}, fmt::format("unsupported llama shape: dim {}, heads {}, kv heads {}", h.dim, h.heads, h.kv_heads));
    if (f.find("llama.rope.dimension_count") != nullptr && detail::gguf_int(f, "llama.rope.dimension_count") != h.head_dim())
        fail_input({f.path(), 0, "llama.rope.dimension_count"}, "partial RoPE is not supported", "rope dimension = head_dim");
    return h;
}

// Writes the ONNX file; the result depends only on the GGUF's tensors and hyperparameters.
inline ExportedModel export_llama_gguf(const std::filesystem::path& gguf_path, const std::filesystem::path& onnx_path,
                                       const ExportOptions& options = {}) {
    const gguf::File f = gguf::File::read(gguf_path);
    const LlamaHyper hp = llama_hyper(f);
    const std::int64_t D = hp.dim, H = hp.heads, KVH = hp.kv_heads, HD = hp.head_dim(), KVD = KVH * HD, G = H / KVH, V = hp.vocab;
    auto weight = [&](const std::string& name, std::vector<std::int64_t> shape) {
        const gguf::TensorInfo* t = f.find_tensor(name);
        if (t == nullptr) fail_input({gguf_path, 0, {}}, fmt::format("no tensor named \"{}\"", name));
        if (t->shape != shape) fail_input({gguf_path, 0, {}}, fmt::format("tensor \"{}\" has an unexpected shape", name));
        return f.tensor_floats(*t);
    };

    GraphBuilder g;
    using A = Attribute;
    // Masked scores become the lowest float, as Hugging Face's masks do: a fully masked row (padding before any real
    // token) then averages instead of turning into NaN, which 0 * NaN would spread to every row that masks it out.
    const std::string masked = g.scalar_f32(std::numeric_limits<float>::lowest());
    const std::string eps = g.scalar_f32(hp.rms_eps);
    const std::string kq_scale = g.scalar_f32(1.0f / std::sqrt(static_cast<float>(HD)));
    const std::string axis_last = g.vector_i64({-1});

    // inputs
    g.input("input_ids", pb::INT64, {"batch_size", "sequence_length"});
    g.input("attention_mask", pb::INT64, {"batch_size", "total_sequence_length"});
    if (options.position_ids) g.input("position_ids", pb::INT64, {"batch_size", "sequence_length"});
    if (options.logits_to_keep) g.input("num_logits_to_keep", pb::INT64, {});
    for (std::int64_t l = 0; l < hp.layers && options.past_key_values; ++l)
        for (const char* kv : {"key", "value"})
            g.input(fmt::format("past_key_values.{}.{}", l, kv), pb::FLOAT, {"batch_size", KVH, "past_sequence_length", HD});

    // embedding
    const std::string embd = g.initializer_f32("model.embed_tokens.weight", {V, D}, weight("token_embd.weight", {D, V}));
    std::string x = g.node("Gather", {embd, "input_ids"}, {A::integer("axis", 0)});

    // mask [batch, 1, 1, seq, total]: key slot j is visible to query i (slot past + i) when j <= past + i and the
    // attention_mask has 1 at j
    const std::string total = g.node("Gather", {g.node("Shape", {"attention_mask"}), g.scalar_i64(1)}, {A::integer("axis", 0)});
    const std::string seq = g.node("Gather", {g.node("Shape", {"input_ids"}), g.scalar_i64(1)}, {A::integer("axis", 0)});
    const std::string zero = g.scalar_i64(0), one = g.scalar_i64(1);
    const std::string key_slots = g.node("Range", {zero, total, one});
    const std::string query_slots = g.node("Range", {g.node("Sub", {total, seq}), total, one});
    const std::string causal = g.node("LessOrEqual", {g.node("Unsqueeze", {key_slots, g.vector_i64({0})}),
                                                      g.node("Unsqueeze", {query_slots, g.vector_i64({1})})});  // [seq, total]
    const std::string padding = g.node("Unsqueeze", {g.node("Cast", {"attention_mask"}, {A::integer("to", pb::BOOL)}), g.vector_i64({1, 2, 3})});
    const std::string visible = g.node("And", {causal, padding});  // [batch, 1, 1, seq, total]

    // RoPE tables [batch, 1, seq, head_dim], angles exactly as ggml computes them
    std::string position_ids = "position_ids";
    if (!options.position_ids) {  // the last `seq` columns of cumsum(attention_mask) - 1
        const std::string cumsum = g.node("Sub", {g.node("CumSum", {"attention_mask", g.scalar_i64(1)}), one});
        position_ids = g.node("Slice", {cumsum, g.node("Unsqueeze", {g.node("Sub", {total, seq}), g.vector_i64({0})}),
                                        g.node("Unsqueeze", {total, g.vector_i64({0})}), g.vector_i64({1})});
    }
    const std::string pos = g.node("Unsqueeze", {g.node("Cast", {position_ids}, {A::integer("to", pb::FLOAT)}), g.vector_i64({2})});
    const std::string theta_scale = g.scalar_f32(std::pow(hp.rope_base, -2.0f / static_cast<float>(HD)));
    std::vector<std::string> thetas{pos};
    for (std::int64_t k = 1; k < HD / 2; ++k) thetas.push_back(g.node("Mul", {thetas.back(), theta_scale}));
    const std::string theta = thetas.size() == 1 ? thetas.front() : g.node("Concat", thetas, {A::integer("axis", 2)});
    const std::string cos_half = g.node("Cos", {theta}), sin_half = g.node("Sin", {theta});
    const std::string cos = g.node("Unsqueeze", {g.node("Concat", {cos_half, cos_half}, {A::integer("axis", 2)}), g.vector_i64({1})});
    const std::string sin = g.node("Unsqueeze", {g.node("Concat", {sin_half, sin_half}, {A::integer("axis", 2)}), g.vector_i64({1})});
    const std::string halves = g.vector_i64({HD / 2, HD / 2});
    auto rope = [&](const std::string& t) {  // t: [batch, heads, seq, head_dim]
        const std::vector<std::string> parts = g.node_n("Split", {t, halves}, 2, {A::integer("axis", 3)});
        const std::string rotated = g.node("Concat", {g.node("Neg", {parts[1]}), parts[0]}, {A::integer("axis", 3)});
        return g.node("Add", {g.node("Mul", {t, cos}), g.node("Mul", {rotated, sin})});
    };
    auto rms_norm = [&](const std::string& t, const std::string& w) {
        const std::string mean = g.node("ReduceMean", {g.node("Mul", {t, t})}, {A::integers("axes", {-1}), A::integer("keepdims", 1)});
        return g.node("Mul", {g.node("Div", {t, g.node("Sqrt", {g.node("Add", {mean, eps})})}), w});
    };
    auto norm_weight = [&](const std::string& gguf_name, const std::string& name) {
        return g.initializer_f32(name, {D}, weight(gguf_name, {D}));
    };
    auto matmul_weight = [&](const std::string& gguf_name, const std::string& name, std::int64_t n_in, std::int64_t n_out,
                             const std::vector<std::int64_t>& order = {}) {
        return g.initializer_f32(name, {n_in, n_out}, detail::transpose(weight(gguf_name, {n_in, n_out}), n_in, n_out, order));
    };
    const std::vector<std::int64_t> q_order = detail::rope_row_order(H, HD), k_order = detail::rope_row_order(KVH, HD);
    const std::string shape_heads = g.vector_i64({0, 0, H, HD}), shape_kv_heads = g.vector_i64({0, 0, KVH, HD});
    const std::string shape_groups = g.vector_i64({0, KVH, G, -1, HD}), shape_merge = g.vector_i64({0, H, -1, HD});
    const std::string shape_model = g.vector_i64({0, 0, D});
    const std::vector<std::int64_t> to_heads{0, 2, 1, 3};

    for (std::int64_t l = 0; l < hp.layers; ++l) {
        const std::string p = fmt::format("blk.{}.", l), hfp = fmt::format("model.layers.{}.", l);
        const std::string h = rms_norm(x, norm_weight(p + "attn_norm.weight", hfp + "input_layernorm.weight"));
        const std::string wq = matmul_weight(p + "attn_q.weight", hfp + "self_attn.q_proj.weight_t", D, D, q_order);
        const std::string wk = matmul_weight(p + "attn_k.weight", hfp + "self_attn.k_proj.weight_t", D, KVD, k_order);
        const std::string wv = matmul_weight(p + "attn_v.weight", hfp + "self_attn.v_proj.weight_t", D, KVD);
        const std::string wo = matmul_weight(p + "attn_output.weight", hfp + "self_attn.o_proj.weight_t", D, D);
        const std::string q = rope(g.node("Transpose", {g.node("Reshape", {g.node("MatMul", {h, wq}), shape_heads})}, {A::integers("perm", to_heads)}));
        const std::string k = rope(g.node("Transpose", {g.node("Reshape", {g.node("MatMul", {h, wk}), shape_kv_heads})}, {A::integers("perm", to_heads)}));
        const std::string v = g.node("Transpose", {g.node("Reshape", {g.node("MatMul", {h, wv}), shape_kv_heads})}, {A::integers("perm", to_heads)});
        std::string present_k = k, present_v = v;
        if (options.past_key_values) {
            present_k = fmt::format("present.{}.key", l);
            present_v = fmt::format("present.{}.value", l);
            g.node_named("Concat", {fmt::format("past_key_values.{}.key", l), k}, present_k, {A::integer("axis", 2)});
            g.node_named("Concat", {fmt::format("past_key_values.{}.value", l), v}, present_v, {A::integer("axis", 2)});
        }
        // grouped-query attention: query head h reads key/value head h / G
        const std::string q5 = g.node("Reshape", {q, shape_groups});  // [batch, kv_heads, G, seq, head_dim]
        const std::string kt = g.node("Unsqueeze", {g.node("Transpose", {present_k}, {A::integers("perm", {0, 1, 3, 2})}), g.vector_i64({2})});
        std::string scores = g.node("Mul", {g.node("MatMul", {q5, kt}), kq_scale});  // [batch, kv_heads, G, seq, total]
        scores = g.node("Where", {visible, scores, masked});
        const std::string probs = g.node("Softmax", {scores}, {A::integer("axis", -1)});
        const std::string o5 = g.node("MatMul", {probs, g.node("Unsqueeze", {present_v, g.vector_i64({2})})});
        const std::string o = g.node("Reshape", {g.node("Transpose", {g.node("Reshape", {o5, shape_merge})}, {A::integers("perm", to_heads)}), shape_model});
        x = g.node("Add", {x, g.node("MatMul", {o, wo})});

        const std::string h2 = rms_norm(x, norm_weight(p + "ffn_norm.weight", hfp + "post_attention_layernorm.weight"));
        const std::string wg = matmul_weight(p + "ffn_gate.weight", hfp + "mlp.gate_proj.weight_t", D, hp.ff);
        const std::string wu = matmul_weight(p + "ffn_up.weight", hfp + "mlp.up_proj.weight_t", D, hp.ff);
        const std::string wd = matmul_weight(p + "ffn_down.weight", hfp + "mlp.down_proj.weight_t", hp.ff, D);
        const std::string gate = g.node("MatMul", {h2, wg});
        const std::string act = g.node("Mul", {g.node("Mul", {gate, g.node("Sigmoid", {gate})}), g.node("MatMul", {h2, wu})});
        x = g.node("Add", {x, g.node("MatMul", {act, wd})});
    }
    std::string hn = rms_norm(x, norm_weight("output_norm.weight", "model.norm.weight"));
    if (options.logits_to_keep)  // the last N columns: start -N (and -0 = 0 keeps all)
        hn = g.node("Slice", {hn, g.node("Unsqueeze", {g.node("Neg", {"num_logits_to_keep"}), g.vector_i64({0})}),
                              g.vector_i64({std::numeric_limits<std::int64_t>::max()}), g.vector_i64({1})});
    const std::string head = hp.tied ? g.node("Transpose", {embd}, {A::integers("perm", {1, 0})})
                                     : matmul_weight("output.weight", "lm_head.weight_t", D, V);
    g.node_named("MatMul", {hn, head}, "logits");

    g.output("logits", pb::FLOAT, {"batch_size", options.logits_to_keep ? "kept_length" : "sequence_length", V});
    for (std::int64_t l = 0; l < hp.layers && options.past_key_values; ++l)
        for (const char* kv : {"key", "value"})
            g.output(fmt::format("present.{}.{}", l, kv), pb::FLOAT, {"batch_size", KVH, "total_sequence_length", HD});

    Message opset;
    opset.bytes_field(1, "");
    opset.int_field(2, 17);
    Message model;
    model.int_field(1, 8);  // IR version 8 (ONNX 1.10+), enough for opset 17
    model.bytes_field(2, "clika");
    model.bytes_field(3, "onnx_export v1");
    model.bytes_field(6, fmt::format("llama {}x{} from {}", hp.layers, hp.dim, gguf_path.filename().string()));
    model.message_field(8, opset);
    const std::size_t nodes = g.nodes();
    model.bytes_field(7, g.finish("clika_llama"));
    auto meta = [&](std::string_view key, const std::string& value) {
        Message kv;
        kv.bytes_field(1, key);
        kv.bytes_field(2, value);
        model.message_field(14, kv);
    };
    meta("clika.architecture", "llama");
    meta("clika.context_length", std::to_string(hp.context));
    meta("clika.source", gguf_path.filename().string());
    meta("clika.rope", "rotate-half, q/k rows permuted from llama.cpp's adjacent pairs");

    if (model.bytes().size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        fail_input({onnx_path, 0, {}}, fmt::format("the model is {:.1f} GB", static_cast<double>(model.bytes().size()) / 1e9),
                   "at most 2 GB (protobuf's limit; this writer does not use external data files)");
    if (onnx_path.has_parent_path()) std::filesystem::create_directories(onnx_path.parent_path());
    const std::filesystem::path tmp = onnx_path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail_input({onnx_path, 0, {}}, "cannot write the ONNX file");
        out.write(model.bytes().data(), static_cast<std::streamsize>(model.bytes().size()));
        if (!out) fail_input({onnx_path, 0, {}}, "writing the ONNX file failed (disk full?)");
    }
    std::filesystem::rename(tmp, onnx_path);
    return {hp, static_cast<std::uint64_t>(model.bytes().size()), nodes};
}

}  // namespace clika::onnx
