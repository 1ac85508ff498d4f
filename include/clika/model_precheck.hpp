#pragma once
// What clika checks of a model file before a plugin opens it, as the plugin declares its format (plugin_abi.h,
// CLIKA_PLUGIN_MODEL_*): a GGUF file is read by clika's own GGUF reader first, so that a damaged file (0 bytes,
// truncated, not GGUF at all) is refused saying exactly what is wrong and where, and for llama.cpp, metadata it would
// abort the process on (clika/llama_metadata.hpp) is refused naming the key and its value; both are bad input.
// PluginBackend runs it, so every program opening a model through a plugin gets it, not only the CLI.

#include <filesystem>

#include "clika/path_kind.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/gguf.hpp"
#include "clika/llama_metadata.hpp"

namespace clika {

inline void check_model_file(const Plugin& plugin, const std::filesystem::path& model) {
    if (!plugin.model_is_gguf()) return;
    require_regular_file(model, "model file");  // a FIFO or a device is never read
    const gguf::File file = gguf::File::read(model);
    if (plugin.model_is_gguf_for_llama_cpp()) gguf::check_llama_cpp_metadata(file);
}

}  // namespace clika
