#pragma once
// The Conductivity level in the CLI: hooks that `clika run`, `clika score` and `clika make-model` call, and the
// `clika conductivity` and `clika lora` commands.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "clika/metrics/scoring_settings.hpp"
#include "run_options.hpp"

namespace clika::cli {

// ---- clika run --tasks fictional (fictional_run.cpp) ----

// True when --tasks names fictional (which must then be alone).
[[nodiscard]] bool is_fictional_run(const std::vector<std::string>& tasks);
// Registers --fictional-mode and --max-new-tokens on the run command.
void add_fictional_run_options(CLI::App& run_command, RunOptions& options);
void run_fictional(const RunOptions& options);

// ---- clika score --run RUN with RUN/fictional (fictional_score.cpp) ----

struct ConductivityScoreRequest {
    std::string run;
    std::string format;
    std::string out;
    std::vector<std::string> langs;
    ScoringSettings scoring;
};

// Scores a fictional run directory and writes the report; false (nothing done) when RUN/fictional does not exist.
[[nodiscard]] bool score_conductivity_run(const ConductivityScoreRequest& request);

// ---- clika make-model --lora-out ... (cmd_lora.cpp) ----

void add_make_model_lora_options(CLI::App& make_model_command);
// Writes the adapter (and merged model) the options asked for, for the base model just written.
void write_make_model_lora(const std::filesystem::path& base_model);

// ---- commands ----

void add_conductivity_command(CLI::App& app);  // cmd_conductivity.cpp
void add_lora_command(CLI::App& app);          // cmd_lora.cpp

}  // namespace clika::cli
