#pragma once
// LoRA adapters in llama.cpp's GGUF format: random adapters for tests, and merging an adapter into its base model.
//
// What llama.cpp reads (src/llama-adapter.cpp, llama_adapter_lora_init_impl; src/llama-graph.cpp, build_lora_mm):
//   KV    general.type = "adapter", general.architecture = the base model's, adapter.type = "lora",
//         adapter.lora.alpha (f32; 0 or absent: no alpha/rank factor)
//   per adapted weight W = "<name>.weight" of the base, ne {n_in, n_out}:
//         "<name>.weight.lora_a"  ne {n_in, rank}   (A: rank rows of n_in values)
//         "<name>.weight.lora_b"  ne {rank, n_out}  (B: n_out rows of rank values)
//   y = W x + s · B (A x),  s = lora_scale · alpha / rank   (s = lora_scale when alpha is 0; rank = ne[0] of lora_b)
// so the merged weight is W' = W + s · B A, element [o][i] = W[o][i] + s · Σ_k B[o][k] A[k][i].
//
// Random adapters: A and B come from the model generator of model_maker.hpp (seed, tensor name, fan_in = ne[0]:
// A ~ N(0, 1/n_in), B ~ N(0, 1/rank)). Unlike PEFT's initialisation (B = 0, a no-op), both are random, so the adapter
// changes every output -- what a test of adapter loading needs.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/gguf.hpp"
#include "clika/tools/model_maker.hpp"

namespace clika::lora {

struct RandomLoraSpec {
    int rank = 8;
    float alpha = 16.0f;
    std::uint64_t seed = 1;
    std::vector<std::string> targets{"attn_q", "attn_v"};  // llama.cpp names of q_proj and v_proj
    gguf::TensorType type = gguf::TensorType::f32;
};

struct MadeAdapter {
    std::filesystem::path path;
    std::size_t pairs = 0;
    std::int64_t parameters = 0;
};

[[nodiscard]] inline std::string string_kv(const gguf::File& f, std::string_view key) {
    const gguf::Value* v = f.find(key);
    return v != nullptr && v->is<std::string>() ? v->as<std::string>() : std::string();
}

// Writes a random adapter for every "blk.N.<target>.weight" of the base GGUF model.
inline MadeAdapter make_random_lora(const std::filesystem::path& base_path, const std::filesystem::path& out_path, const RandomLoraSpec& spec) {
    if (spec.rank <= 0) fail_input({}, fmt::format("LoRA rank {}", spec.rank), "a positive rank");
    if (spec.targets.empty()) fail_input({}, "no LoRA target tensors", "names such as attn_q,attn_v");
    const gguf::File base = gguf::File::read(base_path);
    const std::string arch = string_kv(base, "general.architecture");
    if (arch.empty()) fail_input({base_path, 0, "general.architecture"}, "the base model names no architecture");
    gguf::Writer w;
    w.set("general.architecture", gguf::Value::str(arch));
    w.set("general.type", gguf::Value::str("adapter"));
    w.set("general.name", gguf::Value::str(fmt::format("clika random LoRA rank {} seed {}", spec.rank, spec.seed)));
    w.set("adapter.type", gguf::Value::str("lora"));
    w.set("adapter.lora.alpha", gguf::Value::f32(spec.alpha));
    w.set("clika.generator", gguf::Value::str(std::string(model::generator_name)));
    w.set("clika.seed", gguf::Value::u64(spec.seed));
    MadeAdapter made;
    made.path = out_path;
    std::vector<bool> used(spec.targets.size(), false);
    for (const gguf::TensorInfo& t : base.tensors()) {
        if (!t.name.starts_with("blk.") || t.shape.size() != 2) continue;
        for (std::size_t k = 0; k < spec.targets.size(); ++k) {
            const std::string suffix = "." + spec.targets[k] + ".weight";
            if (!t.name.ends_with(suffix)) continue;
            used[k] = true;
            const std::int64_t n_in = t.shape[0], n_out = t.shape[1], r = spec.rank;
            for (auto [name, shape, fan_in] : {std::tuple{t.name + ".lora_a", std::vector<std::int64_t>{n_in, r}, n_in},
                                               std::tuple{t.name + ".lora_b", std::vector<std::int64_t>{r, n_out}, r}}) {
                std::vector<float> values(static_cast<std::size_t>(shape[0] * shape[1]));
                model::generate_weights(spec.seed, name, fan_in, 0, values);
                made.parameters += static_cast<std::int64_t>(values.size());
                w.add_tensor(name, shape, spec.type, std::move(values));
            }
            ++made.pairs;
        }
    }
    for (std::size_t k = 0; k < spec.targets.size(); ++k)
        if (!used[k])
            fail_input({base_path}, fmt::format("no tensor blk.N.{}.weight in the base model", spec.targets[k]),
                       "llama.cpp tensor names such as attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down");
    if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
    w.write(out_path);
    return made;
}

// W' = W + s · B A for every pair of the adapter, s = scale · alpha / rank as llama.cpp computes it. Every other tensor
// and every KV pair of the base are copied unchanged; merged tensors keep their type (f32, f16 or bf16).
inline std::size_t merge_lora(const std::filesystem::path& base_path, const std::filesystem::path& adapter_path,
                              const std::filesystem::path& out_path, float scale) {
    const gguf::File base = gguf::File::read(base_path);
    const gguf::File adapter = gguf::File::read(adapter_path);
    if (string_kv(adapter, "general.type") != "adapter" || string_kv(adapter, "adapter.type") != "lora")
        fail_input({adapter_path, 0, "general.type"}, "not a LoRA adapter", "general.type \"adapter\" and adapter.type \"lora\"");
    if (string_kv(adapter, "general.architecture") != string_kv(base, "general.architecture"))
        fail_input({adapter_path, 0, "general.architecture"},
                   fmt::format("adapter for \"{}\", base model is \"{}\"", string_kv(adapter, "general.architecture"), string_kv(base, "general.architecture")),
                   "an adapter made for this base model");
    float alpha = 0.0f;
    if (const gguf::Value* a = adapter.find("adapter.lora.alpha"); a != nullptr && a->is<float>()) alpha = a->as<float>();

    struct Pair {
        const gguf::TensorInfo* a = nullptr;
        const gguf::TensorInfo* b = nullptr;
    };
    std::vector<std::pair<std::string, Pair>> pairs;
    auto pair_of = [&](const std::string& name) -> Pair& {
        for (auto& p : pairs)
            if (p.first == name) return p.second;
        pairs.emplace_back(name, Pair{});
        return pairs.back().second;
    };
    for (const gguf::TensorInfo& t : adapter.tensors()) {
        if (t.name.ends_with(".lora_a")) pair_of(t.name.substr(0, t.name.size() - 7)).a = &t;
        else if (t.name.ends_with(".lora_b")) pair_of(t.name.substr(0, t.name.size() - 7)).b = &t;
        else if (!t.name.ends_with("_norm.weight"))
            fail_input({adapter_path, 0, t.name}, "unexpected tensor in a LoRA adapter", "names ending in .lora_a or .lora_b");
    }
    std::vector<std::pair<const gguf::TensorInfo*, Pair>> merges;
    for (const auto& [name, p] : pairs) {
        if (p.a == nullptr || p.b == nullptr) fail_input({adapter_path, 0, name}, "only one of lora_a and lora_b", "both halves of every pair");
        if (name.ends_with("token_embd.weight")) fail_input({adapter_path, 0, name}, "merging a token-embedding adapter is not supported");
        const gguf::TensorInfo* w = base.find_tensor(name);
        if (w == nullptr) fail_input({base_path, 0, name}, "the adapter changes a tensor the base model does not have", "the adapter's base model");
        if (w->shape.size() != 2 || p.a->shape.size() != 2 || p.b->shape.size() != 2 || p.a->shape[0] != w->shape[0] ||
            p.b->shape[1] != w->shape[1] || p.a->shape[1] != p.b->shape[0])
            fail_input({adapter_path, 0, name}, "lora_a/lora_b shapes do not fit the base tensor", "lora_a {n_in, rank} and lora_b {rank, n_out}");
        merges.emplace_back(w, p);
    }
    gguf::Writer out;
    for (const gguf::KeyValue& kv : base.kvs()) out.set(kv.key, kv.value);
    out.set("clika.merged_lora", gguf::Value::str(fmt::format("{} scale {}", adapter_path.filename().string(), scale)));
    for (const gguf::TensorInfo& t : base.tensors()) {
        const auto merge = std::find_if(merges.begin(), merges.end(), [&](const auto& m) { return m.first == &t; });
        if (merge == merges.end()) {
            out.add_tensor(t.name, t.shape, t.type, [&base, &t](std::span<std::uint8_t> bytes) {
                const std::vector<std::uint8_t> raw = base.tensor_bytes(t);
                std::copy(raw.begin(), raw.end(), bytes.begin());
            });
            continue;
        }
        if (t.type != 0 && t.type != 1 && t.type != 30)
            fail_input({base_path, 0, t.name}, fmt::format("cannot merge into a {} tensor", gguf::tensor_type_name(t.type)), "f32, f16 or bf16 weights");
        const std::vector<float> a = adapter.tensor_floats(*merge->second.a);
        const std::vector<float> b = adapter.tensor_floats(*merge->second.b);
        std::vector<float> w = base.tensor_floats(t);
        const std::int64_t n_in = t.shape[0], n_out = t.shape[1], rank = merge->second.b->shape[0];
        const double s = alpha != 0.0f ? static_cast<double>(scale) * static_cast<double>(alpha) / static_cast<double>(rank) : static_cast<double>(scale);
        for (std::int64_t o = 0; o < n_out; ++o)
            for (std::int64_t i = 0; i < n_in; ++i) {
                double delta = 0;
                for (std::int64_t k = 0; k < rank; ++k)
                    delta += static_cast<double>(b[static_cast<std::size_t>(o * rank + k)]) * static_cast<double>(a[static_cast<std::size_t>(k * n_in + i)]);
                float& v = w[static_cast<std::size_t>(o * n_in + i)];
                v = static_cast<float>(static_cast<double>(v) + s * delta);
            }
        out.add_tensor(t.name, t.shape, static_cast<gguf::TensorType>(t.type), std::move(w));
    }
    if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
    out.write(out_path);
    return merges.size();
}

}  // namespace clika::lora
