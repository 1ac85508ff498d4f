#pragma once
// The options of `clika run`, shared by the multiple-choice run (cmd_run.cpp) and the fictional run
// (fictional_run.cpp); the fields mean what the options' --help says.

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

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
    // --plugin openai (a server as --model)
    int concurrency = 8;
    int top_logprobs = 20;
    int retries = 5;
    std::size_t max_requests = 0;
    double request_timeout = 600;
    double discovery_timeout = 10;
    double max_wait = 300;
    std::size_t max_response_bytes = 0;
    std::string api_key_env = "CLIKA_API_KEY";
    std::string api_key_given;  // --api-key, refused: a key never goes on the command line
    bool server_cache = true;
};

// What the openai plugin is told at open (clika_open_options.settings); other plugins ignore it. `mode`: the scoring
// the run needs: "letter", "loglik", "generate" or "generate+loglik" (a fictional run in both modes).
[[nodiscard]] std::string plugin_settings(const RunOptions& o, const std::string& mode);
void add_server_options(CLI::App& run_command, RunOptions& o);

}  // namespace clika::cli
