#pragma once
// A plugin's declared settings (clika_setting, plugin_abi.h), read from clika_open_options.settings: the value clika
// passed, or the declared default where it passed none (a clika older than declared settings, an embedding program).
// Declare the table once and read every value through it, so each default lives in one place:
//
//     constexpr clika_setting my_settings[] = {
//         {sizeof(clika_setting), CLIKA_SETTING_INT, "threads", "4", "worker threads", CLIKA_SETTING_HAS_MIN, 1, 0},
//     };
//     // the API table ends with: ..., my_settings, std::size(my_settings)
//     // in open:  const clika::plugin::Settings s(options, my_settings);  ... s.integer("threads") ...
//
// Needs nlohmann/json besides plugin_abi.h (clika::plugin_common carries it).

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "clika/abi/holds.hpp"
#include "clika/abi/setting.hpp"
#include "clika/plugin_abi.h"

namespace clika::plugin {

class Settings {
public:
    // Throws std::runtime_error when the settings are not one JSON object or a declared setting's value is none of its.
    Settings(const clika_open_options* options, std::span<const clika_setting> declared) : declared_(declared) {
        if (options != nullptr && abi::holds(*options, &clika_open_options::settings) && options->settings != nullptr) {
            given_ = nlohmann::json::parse(options->settings, nullptr, false);
            if (!given_.is_object()) throw std::runtime_error("the settings clika passed are not one JSON object");
        } else {
            given_ = nlohmann::json::object();
        }
        for (const clika_setting& s : declared_) {
            std::string problem;
            if (const auto it = given_.find(s.name); it != given_.end()) {
                problem = abi::setting_problem(s, *it);
                if (problem.empty()) values_[s.name] = *it;
            } else if (auto value = abi::parse_setting<nlohmann::json>(s, s.default_value, problem)) {
                values_[s.name] = *value;
            }
            if (!problem.empty()) throw std::runtime_error("setting \"" + std::string(s.name) + "\": " + problem);
        }
    }

    [[nodiscard]] std::int64_t integer(std::string_view name) const { return value(name, CLIKA_SETTING_INT).get<std::int64_t>(); }
    [[nodiscard]] double number(std::string_view name) const { return value(name, CLIKA_SETTING_NUMBER).get<double>(); }
    [[nodiscard]] bool flag(std::string_view name) const { return value(name, CLIKA_SETTING_BOOL).get<bool>(); }
    [[nodiscard]] std::string text(std::string_view name) const { return value(name, CLIKA_SETTING_STRING).get<std::string>(); }

    // Everything clika passed, declared or not: clika's own "mode" and "max_new_tokens" are read from here.
    [[nodiscard]] const nlohmann::json& given() const noexcept { return given_; }

private:
    [[nodiscard]] const nlohmann::json& value(std::string_view name, std::uint32_t type) const {
        for (const clika_setting& s : declared_)
            if (name == s.name) {
                if (s.type != type) throw std::logic_error("setting \"" + std::string(name) + "\" is read as another type than declared");
                return values_.at(s.name);
            }
        throw std::logic_error("setting \"" + std::string(name) + "\" is not declared");
    }

    std::span<const clika_setting> declared_;
    nlohmann::json given_;
    nlohmann::json values_ = nlohmann::json::object();
};

}  // namespace clika::plugin
