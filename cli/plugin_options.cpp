// The settings a plugin declares (clika_setting, plugin_abi.h) as options of `clika run`: listed by --help, checked, and
// passed on in the plugin's settings JSON. Nothing here knows any plugin by name.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clika/plugin_settings.hpp"
#include "run_options.hpp"

namespace clika::cli {

namespace {

[[nodiscard]] std::string option_name(std::string_view setting) {
    std::string out = "--" + std::string(setting);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
}

[[nodiscard]] std::vector<std::filesystem::path> dirs_of(const std::vector<std::string>& paths) { return {paths.begin(), paths.end()}; }

// What the command line gives for the plugin's settings, read from the arguments `clika run` did not know itself.
[[nodiscard]] std::vector<GivenSetting> given_settings(const Plugin& plugin, const RunOptions& o) {
    for (const clika_setting* s : plugin.settings())
        if (const std::string name = option_name(s->name).substr(2);
            o.own_options.contains(name) || (s->type == CLIKA_SETTING_BOOL && o.own_options.contains("no-" + name)))
            throw Error(ErrorKind::backend, {plugin.path()},
                        fmt::format("{}: its setting \"{}\" has the name of an option of clika run itself", plugin.name(), s->name),
                        "another name for the setting");
    if (o.plugin_args.empty()) return {};
    CLI::App parser;
    parser.set_help_flag();
    std::vector<std::string> texts(plugin.settings().size());
    std::vector<CLI::Option*> options;
    std::string known;
    for (std::size_t i = 0; i < plugin.settings().size(); ++i) {
        const clika_setting& s = *plugin.settings()[i];
        const std::string name = option_name(s.name);
        known += (known.empty() ? "" : ", ") + name;
        options.push_back(s.type == CLIKA_SETTING_BOOL ? parser.add_flag(fmt::format("{}{{true}},--no-{}{{false}}", name, name.substr(2)), texts[i])
                                                       : parser.add_option(name, texts[i]));
    }
    std::vector<std::string> args(o.plugin_args.rbegin(), o.plugin_args.rend());  // CLI11 takes them last first
    try {
        parser.parse(args);
    } catch (const CLI::ExtrasError&) {
        // Option names only: an unknown option's value may be a secret (--api-key KEY), and is never shown.
        std::vector<std::string> unknown;
        for (const std::string& arg : parser.remaining())
            if (arg.starts_with("-")) unknown.push_back(arg.substr(0, arg.find('=')));
        const bool secret = std::any_of(unknown.begin(), unknown.end(), [](const std::string& name) {
            return name.find("key") != std::string::npos || name.find("token") != std::string::npos || name.find("password") != std::string::npos;
        });
        if (secret)
            fail_input({}, fmt::format("clika run and plugin {} do not know {} (values are not shown)", plugin.name(), fmt::join(unknown, " ")),
                       "no key or password on the command line (ps and shell history show it): a plugin that needs one takes the NAME of an "
                       "environment variable that holds it (e.g. --plugin openai --api-key-env MY_KEY; see clika run --plugin NAME --help)");
        fail_input({}, fmt::format("clika run and plugin {} do not know {} (values are not shown)", plugin.name(), fmt::join(unknown, " ")),
                   known.empty() ? fmt::format("clika run's options (plugin {} declares no settings)", plugin.name())
                                 : fmt::format("clika run's options or plugin {}'s settings: {}", plugin.name(), known));
    } catch (const CLI::ParseError& e) {
        fail_input({}, e.what());
    }
    std::vector<GivenSetting> given;
    for (std::size_t i = 0; i < options.size(); ++i)
        if (options[i]->count() > 0) given.push_back({plugin.settings()[i]->name, texts[i]});
    return given;
}

}  // namespace

void add_plugin_settings(CLI::App& run_command, RunOptions& o) {
    run_command.allow_extras();  // the plugin's settings: read once --plugin is known
    run_command.footer([&run_command, &o] {
        const CLI::Option* plugin_option = run_command.get_option("--plugin");
        const CLI::Option* paths_option = run_command.get_option("--plugin-path");
        const std::string name = plugin_option->count() > 0 ? plugin_option->as<std::string>() : o.plugin;
        const std::vector<std::string> paths = paths_option->count() > 0 ? paths_option->as<std::vector<std::string>>() : o.plugin_paths;
        try {
            const Plugin plugin = load_plugin(name, PluginSearchPath::standard(dirs_of(paths)));
            std::vector<SettingListing> listing;
            for (const clika_setting* s : plugin.settings()) listing.push_back(SettingListing::of(*s));
            return fmt::format("Settings of plugin {} (--plugin {}: the other plugins' differ){}\n{}", plugin.name(), name,
                               listing.empty() ? ": none" : "", settings_text(listing));
        } catch (const Error& e) {
            return fmt::format("Settings of plugin {}: cannot be listed: {}\n", name, e.what());
        }
    });
}

void take_plugin_args(const CLI::App& run_command, RunOptions& o) {
    o.plugin_args = run_command.remaining();
    for (const CLI::Option* option : run_command.get_options())
        for (const std::string& name : option->get_lnames()) o.own_options.insert(name);
}

RunPlugin load_run_plugin(const RunOptions& o, const std::string& mode) {
    Plugin plugin = load_plugin(o.plugin, PluginSearchPath::standard(dirs_of(o.plugin_paths)));
    nlohmann::ordered_json host;
    host["mode"] = mode;
    host["max_new_tokens"] = o.max_new_tokens;
    std::string settings = plugin_settings_json(plugin, std::move(host), given_settings(plugin, o));
    return {std::move(plugin), std::move(settings)};
}

std::string settings_text(std::span<const SettingListing> settings) {
    std::vector<std::string> names;
    std::size_t width = 0;
    for (const SettingListing& s : settings) {
        const std::string name = option_name(s.name);
        names.push_back(s.flag ? "--[no-]" + name.substr(2) : name);
        width = std::max(width, names.back().size());
    }
    std::string out;
    for (std::size_t i = 0; i < settings.size(); ++i)
        out += fmt::format("  {:<{}}  {} ({}; default {})\n", names[i], width, settings[i].help, settings[i].kind, settings[i].default_value);
    return out;
}

}  // namespace clika::cli
