#pragma once
// Parsing of the option values every subcommand shares (tasks, languages, data directory).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/atomic_file.hpp"
#include "clika/error.hpp"
#include "clika/hf_model.hpp"
#include "clika/path_kind.hpp"
#include "clika/language.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/redact.hpp"
#include "clika/task.hpp"

namespace clika::cli {

[[nodiscard]] inline std::filesystem::path data_dir_or_env(const std::string& given) {
    // A file given as the folder is named as such; an absent one is left to the loaders, which name the file they want.
    auto present = [](const std::filesystem::path& dir) {
        std::error_code ec;
        if (std::filesystem::symlink_status(dir, ec).type() != std::filesystem::file_type::not_found)
            require_existing_directory(dir, "data folder", "the CLiKA data folder (x_copa, x_csqa, x_geo, x_name, fictional)");
        return dir;
    };
    if (!given.empty()) return present(given);
    if (const char* env = std::getenv("CLIKA_DATA"); env != nullptr && *env != '\0') return present(env);
    fail_input({}, "no data directory: pass --data DIR or set CLIKA_DATA", "the CLiKA data folder (x_copa, x_csqa, x_geo, x_name, fictional)");
}

[[nodiscard]] inline Task task_arg(const std::string& text) {
    if (auto task = parse_task(text)) return *task;
    fail_input({}, fmt::format("unknown task \"{}\"", text), "x_copa, x_csqa, x_geo, x_name or fictional");
}

[[nodiscard]] inline Lang lang_arg(const std::string& text) {
    if (auto lang = parse_lang(text)) return *lang;
    fail_input({}, fmt::format("unknown language \"{}\"", text), "one of en de fr it pl ru ar he ja zh");
}

[[nodiscard]] inline std::vector<Task> mc_tasks_arg(const std::vector<std::string>& given) {
    std::vector<Task> out;
    for (const std::string& text : given) {
        Task task = task_arg(text);
        if (task == Task::fictional) fail_input({}, "fictional is not a multiple-choice task (a fictional run is scored whole: `clika score --run DIR`)", "x_copa, x_csqa, x_geo or x_name");
        out.push_back(task);
    }
    if (out.empty()) out.assign(multiple_choice_tasks.begin(), multiple_choice_tasks.end());
    return out;
}

[[nodiscard]] inline std::vector<Lang> langs_arg(const std::vector<std::string>& given) {
    std::vector<Lang> out;
    for (const std::string& text : given) out.push_back(lang_arg(text));
    if (out.empty()) out.assign(all_langs.begin(), all_langs.end());
    return out;
}

// A model or adapter given by path: a folder is named as such (Hugging Face checkouts are folders; clika wants the file),
// and a Hugging Face model (folder, .safetensors, hub id) is refused with the `clika convert` command to run.
inline void require_model_file(const std::filesystem::path& path, std::string_view what = "model") {
    if (what == "model") refuse_unconverted_model(path);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        fail_input({path}, fmt::format("is a directory, not a {} file", what), fmt::format("the {} file itself, e.g. {}/model.gguf", what, path.string()));
    require_regular_file(path, fmt::format("{} file", what));
}

// --model: a file, except for a plugin whose model is no file (a server URL, which it checks when it connects).
inline void require_model_argument(const std::string& model, const Plugin& plugin) {
    if (!plugin.model_is_file() || model.find("://") != std::string::npos) return;
    require_model_file(model);
}

// The model as messages and reports name it: a file's name, or a server URL without its password.
[[nodiscard]] inline std::string model_shown(const std::string& model) { return std::filesystem::path(without_password(model)).filename().string(); }

// A report to standard output, or to `out` written atomically: a failed write leaves the previous report whole.
inline void write_output(const std::string& text, const std::string& out, std::string_view what = "report") {
    if (out.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
    else write_file_atomically(out, text, what);
}

}  // namespace clika::cli
