#pragma once

#include <CLI/CLI.hpp>

namespace clika::cli {

// Each registers a subcommand whose callback does the work (and throws clika::Error on bad input).
void add_prompts_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_make_model_command(CLI::App& app);
void add_plugins_command(CLI::App& app);
void add_convert_command(CLI::App& app);

}  // namespace clika::cli
