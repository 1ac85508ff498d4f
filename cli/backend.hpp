#pragma once
// Opening a model through a plugin from the options `run`, `run --tasks fictional` and `bench` share.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "clika/eval/manifest.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/tools/gguf.hpp"
#include "clika/tools/llama_metadata.hpp"
#include "clika/redact.hpp"

namespace clika::cli {

// Plugins that read the model file as GGUF get it only after clika's own GGUF reader has read it: a damaged file (0
// bytes, truncated, not GGUF at all) is refused saying exactly what is wrong, and metadata llama.cpp would abort the
// process on (clika/tools/llama_metadata.hpp) is refused naming the key and its value. Both are bad input.
inline void check_gguf_model(const Plugin& plugin, const std::filesystem::path& model) {
    const bool llama_cpp = plugin.name() == "llamacpp";
    if (!llama_cpp && plugin.name() != "cuda_native") return;
    const gguf::File file = gguf::File::read(model);
    if (llama_cpp) gguf::check_llama_cpp_metadata(file);
}

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
    check_gguf_model(plugin, o.model);
    return PluginBackend(std::move(plugin), o.model, open);
}

// The same with the plugin the options name (plugin, plugin_paths) and no settings.
template <class Options>
[[nodiscard]] PluginBackend open_backend(const Options& o) {
    const std::vector<std::filesystem::path> plugin_dirs(o.plugin_paths.begin(), o.plugin_paths.end());
    return open_backend(o, load_plugin(o.plugin, PluginSearchPath::standard(plugin_dirs)));
}

// What run.json records of the model, plugin and open settings a run used. --batch, --parallel and --ctx shape the
// forward passes, which can move scores in their last digits: a resume must use the same. A server model is recorded
// by what its plugin reports (server kind, model, weights path, top-K), not by a file's hash.
template <class Options>
[[nodiscard]] RunIdentity run_identity(const Options& o, const PluginBackend& backend) {
    const Plugin& plugin = backend.plugin();
    RunIdentity id{.plugin_name = std::string(plugin.name()), .plugin_version = std::string(plugin.version()), .model = without_password(o.model), .lora = o.lora,
                   .lora_scale = o.lora_scale, .data = nullptr, .backend = {{"batch", o.batch}, {"parallel", o.parallel}, {"ctx", o.ctx}}};
    if (!backend.info().identity.empty()) {
        try {
            id.model_identity = nlohmann::ordered_json::parse(backend.info().identity);
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorKind::backend, {plugin.path()}, fmt::format("{}: its model identity is not JSON ({})", plugin.name(), e.what()));
        }
    }
    return id;
}

// The same, with the identity of the multiple-choice data files read.
template <class Options>
[[nodiscard]] RunIdentity run_identity(const Options& o, const PluginBackend& backend, const std::filesystem::path& data, std::span<const Task> tasks,
                                       std::span<const Lang> langs) {
    RunIdentity id = run_identity(o, backend);
    id.data = data_identity(data, tasks, langs);
    return id;
}

}  // namespace clika::cli
