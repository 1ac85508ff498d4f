#pragma once
// Opening a model through a plugin from the options `run`, `run --tasks fictional` and `bench` share.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/redact.hpp"

namespace clika::cli {

// Options: any struct with threads, ctx, batch, parallel, model and, when it has them, lora and lora_scale, as the
// commands' option structs do. `settings`: the plugin's own settings as one JSON object (load_run_plugin() for runs);
// empty: none.
template <class Options>
[[nodiscard]] PluginBackend open_backend(const Options& o, Plugin plugin, std::string settings = {}) {
    OpenOptions open;
    open.threads = o.threads;
    open.n_ctx = o.ctx;
    open.n_batch = o.batch;
    open.n_parallel = o.parallel;
    open.settings = std::move(settings);
    if constexpr (requires { o.lora; o.lora_scale; }) {
        open.lora_path = o.lora;
        open.lora_scale = o.lora_scale;
    }
    return PluginBackend(std::move(plugin), o.model, open);
}

// The same with the plugin the options name (plugin, plugin_paths) and no settings.
template <class Options>
[[nodiscard]] PluginBackend open_backend(const Options& o) {
    const std::vector<std::filesystem::path> plugin_dirs(o.plugin_paths.begin(), o.plugin_paths.end());
    return open_backend(o, load_plugin(o.plugin, PluginSearchPath::standard(plugin_dirs)));
}

}  // namespace clika::cli
