#pragma once
// A Hugging Face model folder as `clika convert` reads it before running llama.cpp's converter: its architecture, its
// weights files (the names the converter looks for) and their parameter count, checked so that what users get wrong
// costs a second and one line, not a venv install and a Python traceback.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/error.hpp"
#include "clika/file_hash.hpp"
#include "clika/hf_model.hpp"

namespace clika::tools {

namespace fs = std::filesystem;

struct HfSource {
    fs::path dir;
    std::string architecture;        // config.json "architectures"[0] (text_config's when it has one), as the converter picks it
    std::vector<fs::path> weights;   // model*.safetensors, else pytorch_model*.bin: the converter's own rule
    std::vector<fs::path> tokenizer; // tokenizer.json / tokenizer.model / tokenizer_config.json ... present in the folder
    std::uint64_t parameters = 0;    // from the safetensors headers; 0 for pytorch .bin files (not read without Python)
    std::uint64_t weights_bytes = 0;
};

// The number of values in one safetensors file, from its header (shapes only; the data is not read).
[[nodiscard]] inline std::uint64_t safetensors_parameters(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char head[8] = {};
    if (!in.read(reinterpret_cast<char*>(head), sizeof head)) fail_input({file}, "not a safetensors file: shorter than its 8-byte header length");
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | head[i];
    std::error_code ec;
    if (length == 0 || length > (std::uint64_t{100} << 20) || length + 8 > fs::file_size(file, ec))
        fail_input({file}, fmt::format("not a safetensors file: header length {} does not fit the file", length),
                   "a file written by safetensors (save_pretrained)");
    std::string text(length, '\0');
    in.read(text.data(), static_cast<std::streamsize>(length));
    const nlohmann::json header = nlohmann::json::parse(text, nullptr, false);
    if (!header.is_object()) fail_input({file}, "not a safetensors file: its header is not a JSON object");
    std::uint64_t total = 0;
    for (const auto& [name, tensor] : header.items()) {
        if (name == "__metadata__") continue;
        if (!tensor.is_object() || !tensor.contains("shape") || !tensor["shape"].is_array())
            fail_input({file, 0, name}, "safetensors header entry has no \"shape\" array");
        std::uint64_t values = 1;
        for (const auto& d : tensor["shape"]) {
            if (!d.is_number_unsigned()) fail_input({file, 0, name}, "safetensors shape holds a value that is not a size");
            values *= d.get<std::uint64_t>();
        }
        total += values;
    }
    return total;
}

// Reads and checks `dir`; every problem is one line naming the file and what the converter needs.
[[nodiscard]] inline HfSource inspect_hf_folder(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        if (looks_like_hub_id(dir.string()))
            fail_input({dir}, "not found here; it looks like a Hugging Face hub id, and clika convert downloads nothing (no network)",
                       fmt::format("a local folder: download it yourself (e.g. `huggingface-cli download {} --local-dir {}`), then `{}`",
                                   dir.string(), dir.filename().string(), convert_command(dir.filename())));
        fail_input({dir}, "model folder not found", "a Hugging Face model folder (config.json, tokenizer, *.safetensors)");
    }
    if (!fs::is_directory(dir, ec)) {
        if (is_safetensors_file(dir))
            fail_input({dir}, "is one weights file; clika convert reads the whole model folder",
                       fmt::format("its folder: `{}`", convert_command(dir.has_parent_path() ? dir.parent_path() : fs::path("."))));
        fail_input({dir}, "is a file, not a model folder", "a Hugging Face model folder (config.json, tokenizer, *.safetensors)");
    }
    HfSource out{.dir = dir};
    const fs::path config = dir / "config.json";
    if (!fs::is_regular_file(config, ec))
        fail_input({config}, "not found: this folder is not a Hugging Face model", "config.json beside the tokenizer and *.safetensors files");
    std::ifstream in(config);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
    if (!json.is_object()) fail_input({config}, "is not a JSON object");
    auto first_architecture = [&](const nlohmann::json& object) -> std::string {
        if (!object.is_object() || !object.contains("architectures")) return {};
        const nlohmann::json& list = object["architectures"];
        if (!list.is_array() || list.empty() || !list[0].is_string()) fail_input({config, 0, "architectures"}, "is not a list of names", "e.g. [\"LlamaForCausalLM\"]");
        return list[0].get<std::string>();
    };
    out.architecture = first_architecture(json.value("text_config", nlohmann::json::object()));
    if (out.architecture.empty()) out.architecture = first_architecture(json);
    if (out.architecture.empty()) fail_input({config, 0, "architectures"}, "missing: the converter picks its model class by it", "e.g. [\"LlamaForCausalLM\"]");

    std::vector<fs::path> safetensors, bins;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file()) continue;
        if (name.starts_with("model") && name.ends_with(".safetensors")) safetensors.push_back(entry.path());
        else if (name.starts_with("pytorch_model") && name.ends_with(".bin")) bins.push_back(entry.path());
        else if (name.starts_with("tokenizer") || name == "special_tokens_map.json" || name == "vocab.json" || name == "merges.txt")
            out.tokenizer.push_back(entry.path());
    }
    std::sort(safetensors.begin(), safetensors.end());
    std::sort(bins.begin(), bins.end());
    std::sort(out.tokenizer.begin(), out.tokenizer.end());
    out.weights = safetensors.empty() ? bins : safetensors;
    if (out.weights.empty())
        fail_input({dir}, "has no weights", "model.safetensors (or model-00001-of-0000N.safetensors, or pytorch_model.bin) beside config.json");
    const bool has_tokenizer = fs::exists(dir / "tokenizer.json", ec) || fs::exists(dir / "tokenizer.model", ec) || fs::exists(dir / "vocab.json", ec);
    if (!has_tokenizer) fail_input({dir}, "has no tokenizer", "tokenizer.json or tokenizer.model beside config.json (save the tokenizer with the model)");
    for (const fs::path& file : out.weights) {
        out.weights_bytes += fs::file_size(file);
        if (file.extension() == ".safetensors") out.parameters += safetensors_parameters(file);
    }
    return out;
}

// The Hugging Face architectures llama.cpp's converter knows: the keys of TEXT_MODEL_MAP in conversion/__init__.py.
[[nodiscard]] inline std::set<std::string> converter_architectures(const fs::path& llama_cpp) {
    const fs::path file = llama_cpp / "conversion" / "__init__.py";
    std::ifstream in(file);
    if (!in) fail_input({file}, "not found: this llama.cpp tree has no converter", "llama.cpp's tree with convert_hf_to_gguf.py and conversion/");
    std::set<std::string> out;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("TEXT_MODEL_MAP")) inside = true;
        else if (inside && line.starts_with("}")) break;
        else if (inside) {
            const std::size_t open = line.find('"'), close = line.find('"', open + 1);
            if (open != std::string::npos && close != std::string::npos) out.insert(line.substr(open + 1, close - open - 1));
        }
    }
    if (out.empty()) fail_input({file}, "lists no architectures (TEXT_MODEL_MAP not found)", "llama.cpp's converter package");
    return out;
}

// Bytes of one value in the GGUF written with --type (q8_0: 32 values in 34 bytes).
[[nodiscard]] inline double gguf_bytes_per_value(const std::string& type) {
    if (type == "f32") return 4.0;
    if (type == "q8_0") return 34.0 / 32.0;
    return 2.0;  // f16, bf16
}

// What the GGUF will take, from the parameter count (safetensors) or the weights' size (pytorch .bin, 16-bit assumed),
// plus the tokenizer and a margin.
[[nodiscard]] inline std::uint64_t estimated_gguf_bytes(const HfSource& source, const std::string& type) {
    const double values = source.parameters != 0 ? static_cast<double>(source.parameters) : static_cast<double>(source.weights_bytes) / 2.0;
    std::uint64_t tokenizer = 0;
    for (const fs::path& file : source.tokenizer) tokenizer += fs::file_size(file);
    return static_cast<std::uint64_t>(values * gguf_bytes_per_value(type)) + tokenizer + (std::uint64_t{16} << 20);
}

// Where a GGUF came from: the folder's config and every weights and tokenizer file by SHA-256.
[[nodiscard]] inline nlohmann::ordered_json source_identity(const HfSource& source) {
    nlohmann::ordered_json out;
    out["folder"] = fs::absolute(source.dir).lexically_normal().string();
    out["architecture"] = source.architecture;
    out["parameters"] = source.parameters;
    out["config_sha256"] = sha256_file(source.dir / "config.json");
    auto files = [](const std::vector<fs::path>& list) {
        nlohmann::ordered_json array = nlohmann::ordered_json::array();
        for (const fs::path& file : list)
            array.push_back({{"name", file.filename().string()}, {"bytes", fs::file_size(file)}, {"sha256", sha256_file(file)}});
        return array;
    };
    out["weights"] = files(source.weights);
    out["tokenizer"] = files(source.tokenizer);
    return out;
}

}  // namespace clika::tools
