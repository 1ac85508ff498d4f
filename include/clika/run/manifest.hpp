#pragma once
// run.json, the manifest of a run directory: what produced the run. Its head (clika, plugin, model, adapter, data,
// open settings) is common to every kind of run; each kind appends its own settings. An existing run directory is
// resumed only when the whole manifest is equal (open_run_dir, clika/run/writer.hpp).

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/error.hpp"
#include "clika/path_kind.hpp"
#include "clika/file_hash.hpp"
#include "clika/redact.hpp"
#include "clika/strict_json.hpp"
#include "clika/version.hpp"

namespace clika {

using OrderedJson = nlohmann::ordered_json;

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

// What run.json records of the model, plugin and open settings a run used. --batch, --parallel and --ctx shape the
// forward passes, which can move scores in their last digits: a resume must use the same. A server model is recorded
// by what its plugin reports (server kind, model, weights path, top-K), not by a file's hash.
// Options: threads, ctx, batch, parallel, model, lora, lora_scale as the run's option structs have them; Backend: one
// with plugin() and info(), as PluginBackend.
template <class Options, class Backend>
[[nodiscard]] RunIdentity run_identity(const Options& o, const Backend& backend) {
    const auto& plugin = backend.plugin();
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

// The same, with the identity of the multiple-choice data files read.
template <class Options, class Backend>
[[nodiscard]] RunIdentity run_identity(const Options& o, const Backend& backend, const std::filesystem::path& data, std::span<const Task> tasks,
                                       std::span<const Lang> langs) {
    RunIdentity id = run_identity(o, backend);
    id.data = data_identity(data, tasks, langs);
    return id;
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

// The manifest as written, read by the strict rule of every JSON input (clika/strict_json.hpp).
[[nodiscard]] inline nlohmann::json read_run_manifest(const fs::path& path) {
    require_regular_file(path, "run manifest", "the run.json clika wrote");  // /dev/zero would be read until memory runs out
    return read_strict_json(path, "run manifest");
}

// Each difference between the manifest a command would write and the run's, one a line ("  key.sub: A here, B in the
// run"); objects on both sides are compared key by key.
[[nodiscard]] inline std::string manifest_differences(const nlohmann::json& here, const nlohmann::json& there, const std::string& prefix = {}) {
    std::string out;
    auto line = [&](const std::string& key, const std::string& mine, const std::string& theirs) {
        out += fmt::format("\n  {}: {} here, {} in the run", key, mine, theirs);
    };
    for (const auto& [key, value] : here.items()) {
        const std::string name = prefix + key;
        if (!there.contains(key)) line(name, value.dump(), "absent");
        else if (value.is_object() && there[key].is_object()) out += manifest_differences(value, there[key], name + ".");
        else if (there[key] != value) line(name, value.dump(), there[key].dump());
    }
    for (const auto& [key, value] : there.items())
        if (!here.contains(key)) line(prefix + key, "absent", value.dump());
    return out;
}

}  // namespace clika
