#pragma once
// The rules of declared plugin settings (clika_setting in plugin_abi.h), for both sides of the boundary: clika checks a
// plugin's declarations and the values given on its command line; a plugin reads its values, or its declared defaults,
// from the settings JSON. Depends only on plugin_abi.h, holds.hpp and nlohmann/json, so plugins and the core share it.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clika/abi/holds.hpp"
#include "clika/plugin_abi.h"

namespace clika::abi {

// The settings clika itself puts in clika_open_options.settings; no plugin may declare them.
inline constexpr std::array<std::string_view, 2> host_setting_names{"mode", "max_new_tokens"};

// Integers travel as JSON numbers, exact only within +-2^53.
inline constexpr double largest_exact_integer = 9007199254740992.0;

namespace detail {

// Whole numbers as such (1000000000000000, not 1e+15), others as JSON writes them.
[[nodiscard]] inline std::string number_text(double x) {
    if (x == std::floor(x) && std::fabs(x) <= 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(x));
    return nlohmann::json(x).dump();
}

}  // namespace detail

// The bounds of a numeric setting as text: "in 1..4096", ">= 0", "<= 1"; empty when it has none.
[[nodiscard]] inline std::string setting_bounds(const clika_setting& s) {
    const bool low = (s.flags & CLIKA_SETTING_HAS_MIN) != 0;
    const bool high = (s.flags & CLIKA_SETTING_HAS_MAX) != 0;
    if (low && high) return "in " + detail::number_text(s.min) + ".." + detail::number_text(s.max);
    if (low) return ">= " + detail::number_text(s.min);
    if (high) return "<= " + detail::number_text(s.max);
    return {};
}

// What a value of `s` must be, for messages and listings: "a whole number in 1..4096", "true or false", "text".
[[nodiscard]] inline std::string setting_kind(const clika_setting& s) {
    switch (s.type) {
        case CLIKA_SETTING_INT:
        case CLIKA_SETTING_NUMBER: {
            const std::string bounds = setting_bounds(s);
            return std::string(s.type == CLIKA_SETTING_INT ? "a whole number" : "a number") + (bounds.empty() ? "" : " " + bounds);
        }
        case CLIKA_SETTING_BOOL: return "true or false";
        case CLIKA_SETTING_STRING: return "text";
        default: return "an unknown type " + std::to_string(s.type);
    }
}

// Why `value` is no value of `s` (its type, its bounds); empty when it is one.
template <class Json>
[[nodiscard]] std::string setting_problem(const clika_setting& s, const Json& value) {
    switch (s.type) {
        case CLIKA_SETTING_BOOL:
            return value.is_boolean() ? std::string() : value.dump() + " is not true or false";
        case CLIKA_SETTING_STRING:
            return value.is_string() ? std::string() : value.dump() + " is not text";
        case CLIKA_SETTING_INT:
        case CLIKA_SETTING_NUMBER: {
            const bool whole = s.type == CLIKA_SETTING_INT;
            if (!value.is_number() || (whole && !value.is_number_integer()))
                return value.dump() + (whole ? " is not a whole number" : " is not a number");
            const double x = value.template get<double>();
            if (!std::isfinite(x)) return value.dump() + " is not a finite number";
            if (whole && std::fabs(x) > largest_exact_integer) return value.dump() + " is beyond +-2^53";
            const bool below = (s.flags & CLIKA_SETTING_HAS_MIN) != 0 && x < s.min;
            const bool above = (s.flags & CLIKA_SETTING_HAS_MAX) != 0 && x > s.max;
            if (below || above) return value.dump() + " is not " + setting_bounds(s);
            return {};
        }
        default:
            return "setting type " + std::to_string(s.type) + " is unknown";
    }
}

// A value of `s` as written on a command line (or as its default_value), or why it is none.
template <class Json>
[[nodiscard]] std::optional<Json> parse_setting(const clika_setting& s, std::string_view text, std::string& problem) {
    Json value;
    if (s.type == CLIKA_SETTING_STRING) {
        value = std::string(text);
    } else {
        value = Json::parse(text.begin(), text.end(), nullptr, false);
        if (value.is_discarded() || value.is_structured() || value.is_string() || value.is_null()) {
            problem = "\"" + std::string(text) + "\" is not " + setting_kind(s);
            return std::nullopt;
        }
    }
    problem = setting_problem(s, value);
    if (!problem.empty()) return std::nullopt;
    return value;
}

// Why a declaration breaks the rules of clika_setting; empty when it keeps them.
[[nodiscard]] inline std::string declaration_problem(const clika_setting& s) {
    if (s.name == nullptr || s.name[0] < 'a' || s.name[0] > 'z') return "a setting's name is NULL or does not start with a lower-case letter";
    const std::string name = s.name;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return "setting \"" + name + "\": the name has characters other than a-z, 0-9 and '_'";
    for (std::string_view reserved : host_setting_names)
        if (name == reserved) return "setting \"" + name + "\": clika sets it itself";
    if (s.type < CLIKA_SETTING_INT || s.type > CLIKA_SETTING_STRING) return "setting \"" + name + "\": unknown type " + std::to_string(s.type);
    if (s.help == nullptr || s.default_value == nullptr) return "setting \"" + name + "\": help or default_value is NULL";
    const bool numeric = s.type == CLIKA_SETTING_INT || s.type == CLIKA_SETTING_NUMBER;
    if (!numeric && s.flags != 0) return "setting \"" + name + "\": only whole numbers and numbers have bounds";
    if (numeric && (s.flags & CLIKA_SETTING_HAS_MIN) != 0 && (s.flags & CLIKA_SETTING_HAS_MAX) != 0 && !(s.min <= s.max))
        return "setting \"" + name + "\": min is above max";
    std::string problem;
    if (!parse_setting<nlohmann::json>(s, s.default_value, problem)) return "setting \"" + name + "\": its default " + problem;
    return {};
}

// The declarations in a plugin's table (none when it is older than declared settings), each checked, names unique;
// `problem` says why not and the result is empty.
[[nodiscard]] inline std::vector<const clika_setting*> declared_settings(const clika_plugin_api_v2& api, std::string& problem) {
    std::vector<const clika_setting*> out;
    if (!holds(api, &clika_plugin_api_v2::n_settings) || api.n_settings == 0) return out;
    if (api.settings == nullptr) {
        problem = "n_settings is " + std::to_string(api.n_settings) + " but settings is NULL";
        return {};
    }
    const std::size_t stride = api.settings[0].struct_size;
    if (stride < v2_size<clika_setting>) {
        problem = "settings[0].struct_size is " + std::to_string(stride) + ", smaller than a clika_setting (" +
                  std::to_string(v2_size<clika_setting>) + " bytes)";
        return {};
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(api.settings);
    for (std::size_t i = 0; i < api.n_settings; ++i) {
        const auto* s = reinterpret_cast<const clika_setting*>(bytes + i * stride);
        if (s->struct_size != stride) {
            problem = "settings[" + std::to_string(i) + "].struct_size differs from settings[0]'s";
            return {};
        }
        problem = declaration_problem(*s);
        for (const clika_setting* before : out)
            if (problem.empty() && std::string_view(before->name) == s->name) problem = "setting \"" + std::string(s->name) + "\" is declared twice";
        if (!problem.empty()) return {};
        out.push_back(s);
    }
    return out;
}

}  // namespace clika::abi
