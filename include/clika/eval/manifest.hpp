#pragma once
// The head of every run manifest (run.json): what produced the run. Each kind of run appends its own settings; an
// existing run directory is resumed only when the whole manifest is equal (open_run_dir).

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/file_hash.hpp"
#include "clika/version.hpp"

namespace clika {

struct RunIdentity {
    std::string plugin_name;
    std::string plugin_version;
    std::filesystem::path model;
    std::filesystem::path lora;  // empty: no adapter
    float lora_scale = 1.0f;
    nlohmann::ordered_json data;     // data_identity() of what the run reads; null: not recorded
    nlohmann::ordered_json backend;  // open settings that can change the numbers (batch shape, KV size); null: none
    // A model that is not a local file (a server): what its plugin says identifies it (ModelInfo::identity), recorded
    // in place of the file's name, size and SHA-256; null: `model` is a file.
    nlohmann::ordered_json model_identity;
};

// The identity of the data files a run reads: one digest over their names (relative to the data folder) and SHA-256,
// so a resumed run against changed data is refused before anything is cut.
[[nodiscard]] inline nlohmann::ordered_json files_identity(const std::filesystem::path& data_dir, std::span<const std::filesystem::path> files) {
    std::string listing;
    for (const std::filesystem::path& file : files)
        listing += fmt::format("{} {}\n", std::filesystem::relative(file, data_dir).generic_string(), sha256_file(file));
    return {{"files", files.size()}, {"sha256", sha256_text(listing)}};
}

// What a multiple-choice run reads: each task's file per language, and its English file too (every language is
// checked against it).
[[nodiscard]] inline nlohmann::ordered_json data_identity(const std::filesystem::path& data_dir, std::span<const Task> tasks,
                                                          std::span<const Lang> langs) {
    std::vector<std::filesystem::path> files;
    for (Task task : tasks) {
        files.push_back(raw_questions_path(data_dir, task, Lang::en));
        for (Lang l : langs)
            if (l != Lang::en) files.push_back(raw_questions_path(data_dir, task, l));
    }
    return files_identity(data_dir, files);
}

[[nodiscard]] inline nlohmann::ordered_json manifest_head(const RunIdentity& id) {
    nlohmann::ordered_json m;
    m["clika_version"] = std::string(version);
    m["plugin"] = {{"name", id.plugin_name}, {"version", id.plugin_version}};
    if (!id.model_identity.is_null()) m["model"] = id.model_identity;
    else m["model"] = {{"file", id.model.filename().string()}, {"bytes", std::filesystem::file_size(id.model)}, {"sha256", sha256_file(id.model)}};
    if (!id.lora.empty())
        m["lora"] = {{"file", id.lora.filename().string()}, {"sha256", sha256_file(id.lora)}, {"scale", id.lora_scale}};
    if (!id.data.is_null()) m["data"] = id.data;
    if (!id.backend.is_null()) m["backend"] = id.backend;
    return m;
}

}  // namespace clika
