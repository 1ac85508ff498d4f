#pragma once
// Opening a model through a plugin from the options `run`, `run --tasks fictional` and `bench` share.

#include <filesystem>
#include <vector>

#include "clika/eval/manifest.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"

namespace clika::cli {

// Options: any struct with plugin, plugin_paths, model, threads, ctx, batch, parallel and, when it has them, lora and
// lora_scale, as the commands' option structs do.
template <class Options>
[[nodiscard]] PluginBackend open_backend(const Options& o) {
    const std::vector<std::filesystem::path> plugin_dirs(o.plugin_paths.begin(), o.plugin_paths.end());
    OpenOptions open;
    open.threads = o.threads;
    open.n_ctx = o.ctx;
    open.n_batch = o.batch;
    open.n_parallel = o.parallel;
    if constexpr (requires { o.lora; o.lora_scale; }) {
        open.lora_path = o.lora;
        open.lora_scale = o.lora_scale;
    }
    return PluginBackend(load_plugin(o.plugin, PluginSearchPath::standard(plugin_dirs)), o.model, open);
}

// What run.json records of the model and plugin a run used.
template <class Options>
[[nodiscard]] RunIdentity run_identity(const Options& o, const Plugin& plugin) {
    return {.plugin_name = std::string(plugin.name()), .plugin_version = std::string(plugin.version()), .model = o.model, .lora = o.lora,
            .lora_scale = o.lora_scale};
}

}  // namespace clika::cli
