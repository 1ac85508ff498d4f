#pragma once
// The options of `clika run`, shared by the multiple-choice run (cmd_run.cpp) and the fictional run
// (fictional_run.cpp); the fields mean what the options' --help says.

#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "clika/plugin_loader.hpp"

namespace clika::cli {

struct RunOptions {
    std::string data;
    std::string plugin = "llamacpp";
    std::vector<std::string> plugin_paths;
    std::string model;
    std::vector<std::string> tasks;
    std::vector<std::string> langs;
    std::string mode = "letter";
    int shots = 1;
    std::size_t limit = 0;
    int threads = 0;
    int ctx = 0;
    int batch = 0;
    int parallel = 0;
    std::size_t chunk = 64;
    std::string out;
    std::string lora;
    float lora_scale = 1.0f;
    bool no_share = false;
    bool quiet_report = false;
    // --tasks fictional
    std::string fictional_mode = "both";
    std::size_t max_new_tokens = 64;  // a sentence in Arabic or Hebrew can take 40+ tokens of a LLaMA vocabulary
    // What clika run does not know itself: the plugin's settings (take_plugin_args), and the options it does know.
    std::vector<std::string> plugin_args;
    std::set<std::string> own_options;
};

// The plugin's declared settings as options of `clika run` (plugin_options.cpp): --help lists those of --plugin.
void add_plugin_settings(CLI::App& run_command, RunOptions& o);
// In the run's callback: keeps what the command line gave that clika run does not know, for load_run_plugin().
void take_plugin_args(const CLI::App& run_command, RunOptions& o);

// The plugin --plugin names, and the settings JSON it is opened with: clika's "mode" (the scoring the run needs:
// "letter", "loglik", "generate" or "generate+loglik", a fictional run in both modes) and "max_new_tokens", then each
// declared setting as given or its default. Throws clika::Error (bad input) for an option neither clika run nor the
// plugin knows, or a value that is none of its setting's.
struct RunPlugin {
    Plugin plugin;
    std::string settings;
};
[[nodiscard]] RunPlugin load_run_plugin(const RunOptions& o, const std::string& mode);

// One line per setting, "  --name  help (kind; default D)", for `clika run --help` and `clika plugins`.
[[nodiscard]] std::string settings_text(std::span<const SettingListing> settings);

}  // namespace clika::cli
