#pragma once
// The head of every run manifest (run.json): what produced the run. Each kind of run appends its own settings; an
// existing run directory is resumed only when the whole manifest is equal (open_run_dir).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "clika/file_hash.hpp"
#include "clika/version.hpp"

namespace clika {

struct RunIdentity {
    std::string plugin_name;
    std::string plugin_version;
    std::filesystem::path model;
    std::filesystem::path lora;  // empty: no adapter
    float lora_scale = 1.0f;
};

[[nodiscard]] inline nlohmann::ordered_json manifest_head(const RunIdentity& id) {
    nlohmann::ordered_json m;
    m["clika_version"] = std::string(version);
    m["plugin"] = {{"name", id.plugin_name}, {"version", id.plugin_version}};
    m["model"] = {{"file", id.model.filename().string()}, {"bytes", std::filesystem::file_size(id.model)}, {"sha256", sha256_file(id.model)}};
    if (!id.lora.empty())
        m["lora"] = {{"file", id.lora.filename().string()}, {"sha256", sha256_file(id.lora)}, {"scale", id.lora_scale}};
    return m;
}

}  // namespace clika
