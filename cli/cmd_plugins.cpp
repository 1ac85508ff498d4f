// clika plugins: which backend plugins this clika finds, and why any it finds cannot be used.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/plugin_loader.hpp"
#include "commands.hpp"
#include "run_options.hpp"

namespace clika::cli {

namespace {

struct PluginsOptions {
    std::vector<std::string> plugin_paths;
};

void run_plugins(const PluginsOptions& o) {
    const std::vector<std::filesystem::path> explicit_dirs(o.plugin_paths.begin(), o.plugin_paths.end());
    const PluginSearchPath search = PluginSearchPath::standard(explicit_dirs);
    const std::vector<PluginListing> listing = list_plugins(search);

    std::string out = "search path (first match wins):\n";
    for (const auto& dir : search.dirs) {
        std::error_code ec;
        out += fmt::format("  {}{}\n", dir.string(), std::filesystem::is_directory(dir, ec) ? "" : "  (missing)");
    }

    std::size_t name_width = 4;
    std::size_t version_width = 7;
    for (const auto& p : listing) {
        name_width = std::max(name_width, p.name.size());
        if (p.ok()) version_width = std::max(version_width, p.version.size());
    }
    bool any_ok = false;
    bool any_refused = false;
    for (const auto& p : listing) (p.ok() ? any_ok : any_refused) = true;

    if (!any_ok) out += "\nno usable plugins found\n";
    else {
        out += fmt::format("\n{:<{}}  {:<{}}  ABI  PATH\n", "NAME", name_width, "VERSION", version_width);
        for (const auto& p : listing)
            if (p.ok())
                out += fmt::format("{:<{}}  {:<{}}  v{:<2} {}{}\n", p.name, name_width, p.version, version_width, p.abi_version, p.path.string(),
                                   p.shadowed ? "  (shadowed by an earlier directory)" : "");
    }
    for (const auto& p : listing)
        if (p.ok() && !p.shadowed && !p.settings.empty())
            out += fmt::format("\nsettings of {} (clika run --plugin {} --NAME VALUE):\n{}", p.name, p.name, settings_text(p.settings));
    if (any_refused) {
        out += "\nrefused:\n";
        for (const auto& p : listing)
            if (!p.ok()) out += fmt::format("{:<{}}  {}: {}\n", p.name, name_width, p.path.string(), p.refusal);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void add_plugins_command(CLI::App& app) {
    auto options = std::make_shared<PluginsOptions>();
    CLI::App* cmd = app.add_subcommand("plugins", "List the backend plugins found (name, version, ABI, path) and those refused, with the reason");
    cmd->add_option("--plugin-path", options->plugin_paths,
                    "Directory to search first (repeatable); then $CLIKA_PLUGIN_PATH, <exe>/../lib/clika/plugins and <exe>/../lib");
    cmd->callback([options] { run_plugins(*options); });
}

}  // namespace clika::cli
