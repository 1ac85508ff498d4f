#pragma once
// The settings JSON a plugin is opened with (clika_open_options.settings): clika's own keys, then every setting the
// plugin declares (clika_setting), with the value given or its declared default, each checked against its declaration.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "clika/abi/setting.hpp"
#include "clika/error.hpp"
#include "clika/plugin_loader.hpp"

namespace clika {

// A setting given by its name (the JSON key) and its value as text, as written on a command line.
struct GivenSetting {
    std::string name;
    std::string text;
};

// `host`: clika's own keys ("mode", "max_new_tokens"). A later value for the same name wins. Throws clika::Error (bad
// input) naming the plugin and the setting, for a name the plugin does not declare or a value that is none of its.
[[nodiscard]] inline std::string plugin_settings_json(const Plugin& plugin, nlohmann::ordered_json host, const std::vector<GivenSetting>& given) {
    std::vector<std::string_view> names;
    for (const clika_setting* s : plugin.settings()) names.emplace_back(s->name);
    for (const GivenSetting& g : given)
        if (std::find(names.begin(), names.end(), g.name) == names.end())
            fail_input({}, fmt::format("plugin {} has no setting \"{}\"", plugin.name(), g.name),
                       names.empty() ? std::string("none: it declares no settings") : fmt::format("one of {}", fmt::join(names, ", ")));
    nlohmann::ordered_json out = std::move(host);
    for (const clika_setting* s : plugin.settings()) {
        std::string_view text = s->default_value;
        for (const GivenSetting& g : given)
            if (g.name == s->name) text = g.text;
        std::string problem;
        auto value = abi::parse_setting<nlohmann::ordered_json>(*s, text, problem);
        if (!value) fail_input({}, fmt::format("plugin {} setting \"{}\": {}", plugin.name(), s->name, problem), abi::setting_kind(*s));
        out[s->name] = std::move(*value);
    }
    return out.dump();
}

}  // namespace clika
