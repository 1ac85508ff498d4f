#pragma once
// The options of `clika run`, shared by the multiple-choice run (cmd_run.cpp) and the fictional run
// (fictional_run.cpp); the fields mean what the options' --help says.

#include <cstddef>
#include <string>
#include <vector>

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
};

}  // namespace clika::cli
