#pragma once
// What users pass as a model when they hold a Hugging Face model: its folder, one of its .safetensors files, or its hub
// id. clika runs GGUF files, so each is refused before any plugin opens, with the `clika convert` command that makes one.

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "clika/error.hpp"

namespace clika {

// A folder the way Hugging Face saves a model (save_pretrained, a hub download): config.json at its top.
[[nodiscard]] inline bool is_hf_model_folder(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec) && std::filesystem::is_regular_file(path / "config.json", ec);
}

// A safetensors file by its name or its header: 8 bytes little-endian header length, then a JSON object.
[[nodiscard]] inline bool is_safetensors_file(const std::filesystem::path& path) {
    if (path.extension() == ".safetensors") return true;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    unsigned char head[9] = {};
    if (!file || std::fread(head, 1, sizeof head, file.get()) != sizeof head) return false;
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | head[i];
    return length > 1 && length < (std::uint64_t{100} << 20) && head[8] == '{';
}

// "owner/name" as the hub spells repositories (letters, digits, '-', '_', '.'), for a path that does not exist.
[[nodiscard]] inline bool looks_like_hub_id(std::string_view text) {
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() || text.find('/', slash + 1) != std::string_view::npos)
        return false;
    if (text.front() == '.' || text.ends_with(".gguf")) return false;
    for (char c : text)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) return false;
    return true;
}

// The command that turns the Hugging Face folder `dir` into a GGUF file beside it.
[[nodiscard]] inline std::string convert_command(const std::filesystem::path& dir) {
    std::filesystem::path folder = dir.lexically_normal();
    if (!folder.has_filename()) folder = folder.parent_path();  // "model/" -> "model"
    const std::string name = folder.filename().empty() || folder.filename() == "." ? std::string("model") : folder.filename().string();
    return fmt::format("clika convert {} --out {}.gguf", folder.string(), (folder.parent_path() / name).string());
}

// Refuses a Hugging Face model given where clika wants a GGUF file; returns when `model` is none of those.
inline void refuse_unconverted_model(const std::filesystem::path& model) {
    std::error_code ec;
    if (is_hf_model_folder(model))
        fail_input({model}, "is a Hugging Face model folder; clika runs GGUF files",
                   fmt::format("a GGUF file: convert it first with `{}`", convert_command(model)));
    if (std::filesystem::is_regular_file(model, ec) && is_safetensors_file(model)) {
        const std::filesystem::path folder = model.has_parent_path() ? model.parent_path() : std::filesystem::path(".");
        fail_input({model}, "is a safetensors weights file; clika runs GGUF files",
                   fmt::format("a GGUF file: convert its folder (config.json, tokenizer and weights) with `{}`", convert_command(folder)));
    }
    if (!std::filesystem::exists(model, ec) && looks_like_hub_id(model.string()))
        fail_input({model}, "not found here; it looks like a Hugging Face hub id, and clika downloads nothing",
                   fmt::format("a local GGUF file: download the model folder yourself, then `{}`",
                               convert_command(model.filename())));
}

}  // namespace clika
