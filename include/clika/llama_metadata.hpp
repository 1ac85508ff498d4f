#pragma once
// The GGUF metadata llama.cpp asserts on while loading a model: llama.cpp (pinned v0.5.0, src/llama-model.cpp,
// load_hparams) checks these with GGML_ASSERT, which aborts the whole process (SIGABRT and a backtrace dump) instead of
// failing the load. clika reads the file with its own GGUF reader first and refuses such values as bad input, naming
// the key and its value. Keys of another type than llama.cpp expects are left to llama.cpp, which refuses them cleanly.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/gguf.hpp"

namespace clika::gguf {

inline constexpr std::int64_t llama_max_layers = 512;    // LLAMA_MAX_LAYERS
inline constexpr std::int64_t llama_max_experts = 1024;  // LLAMA_MAX_EXPERTS

namespace detail {

// An integer key's value (for an array of integers: its largest element), or nullopt when the key is absent or holds
// anything else.
[[nodiscard]] inline std::optional<std::int64_t> integer_or_max(const File& f, const std::string& key) {
    const Value* v = f.find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is<Array>()) return v->as_integer();
    std::optional<std::int64_t> most;
    for (const Value& item : v->as<Array>().items) {
        const std::optional<std::int64_t> n = item.as_integer();
        if (!n) return std::nullopt;
        most = std::max(most.value_or(*n), *n);
    }
    return most;
}

}  // namespace detail

// Refuses (clika::Error, bad_input) a model whose metadata would make llama.cpp abort while loading it.
inline void check_llama_cpp_metadata(const File& f) {
    const Value* arch_value = f.find("general.architecture");
    if (arch_value == nullptr || !arch_value->is<std::string>()) return;  // llama.cpp refuses it without aborting
    const std::string arch = arch_value->as<std::string>();
    auto refuse = [&](const std::string& key, std::int64_t value, const std::string& expected) {
        fail_input({f.path(), 0, key}, fmt::format("is {}, a value llama.cpp aborts the process on instead of refusing the model", value), expected);
    };
    auto get = [&](std::string_view name) { return detail::integer_or_max(f, fmt::format("{}.{}", arch, name)); };
    auto key = [&](std::string_view name) { return fmt::format("{}.{}", arch, name); };

    const std::optional<std::int64_t> layers = get("block_count");
    if (layers && (*layers < 1 || *layers > llama_max_layers))
        refuse(key("block_count"), *layers, fmt::format("1 to {} layers", llama_max_layers));
    if (const auto nextn = get("nextn_predict_layers"); nextn && layers && (*nextn < 0 || *nextn > *layers))
        refuse(key("nextn_predict_layers"), *nextn, fmt::format("0 to the block_count, {}", *layers));

    const std::int64_t experts = get("expert_count").value_or(0);
    if (experts < 0 || experts > llama_max_experts) refuse(key("expert_count"), experts, fmt::format("0 to {}", llama_max_experts));
    const std::int64_t used = get("expert_used_count").value_or(0);
    const std::int64_t groups = get("expert_group_count").value_or(0);
    const std::int64_t groups_used = get("expert_group_used_count").value_or(0);
    if (experts > 0) {
        if (used < 1 || used > experts) refuse(key("expert_used_count"), used, fmt::format("1 to the expert_count, {}", experts));
        if (groups < 0 || groups >= experts) refuse(key("expert_group_count"), groups, fmt::format("0 to {} (fewer than the expert_count)", experts - 1));
        if (groups > 1 && experts % groups != 0) refuse(key("expert_group_count"), groups, fmt::format("a divisor of the expert_count, {}", experts));
        if (groups > 1 && (groups_used < 1 || groups_used >= groups))
            refuse(key("expert_group_used_count"), groups_used, fmt::format("1 to {} (fewer than the expert_group_count)", groups - 1));
    } else {
        if (used != 0) refuse(key("expert_used_count"), used, "0 for a model without experts (expert_count 0)");
        if (groups != 0) refuse(key("expert_group_count"), groups, "0 for a model without experts (expert_count 0)");
    }

    if (const Value* scaling = f.find(key("rope.scaling.type")); scaling != nullptr && scaling->is<std::string>()) {
        const std::string& type = scaling->as<std::string>();
        if (type != "none" && type != "linear" && type != "yarn" && type != "longrope")
            fail_input({f.path(), 0, key("rope.scaling.type")},
                       fmt::format("is \"{}\", a value llama.cpp aborts the process on instead of refusing the model", type),
                       "none, linear, yarn or longrope");
    }
}

}  // namespace clika::gguf
