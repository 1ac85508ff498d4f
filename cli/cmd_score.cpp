#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/json.hpp"
#include "clika/report/tables.hpp"
#include "clika/run_files.hpp"
#include "clika/scoring.hpp"
#include "commands.hpp"
#include "conductivity.hpp"
#include "options.hpp"
#include "ranges.hpp"

namespace clika::cli {

namespace {

struct ScoreOptions {
    std::string data;
    std::string model;
    std::string run;
    std::string format = "table";
    std::string reference;
    std::string out;
    std::vector<std::string> tasks;
    std::vector<std::string> langs;
    std::size_t bootstrap = 1000;
    std::uint64_t seed = ScoreSettings{}.seed;
    double confidence = 0.95;
};

void run_score(const ScoreOptions& o) {
    if (o.model.empty() == o.run.empty()) fail_input({}, "give exactly one of --model STEM and --run RUN_DIR");
    // A run of --tasks fictional: the Conductivity report (cli/fictional_score.cpp).
    if (score_conductivity_run({.run = o.run, .format = o.format, .out = o.out, .langs = o.langs, .bootstrap = o.bootstrap, .seed = o.seed,
                                .confidence = o.confidence}))
        return;
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);

    ScoreSettings settings;
    settings.bootstrap_resamples = o.bootstrap;
    settings.seed = o.seed;
    settings.confidence = o.confidence;
    if (!o.reference.empty()) {
        const ResultSet reference = load_published(data_dir_or_env(o.data), o.reference, multiple_choice_tasks, std::array{Lang::en});
        settings.reference_percent = references_from(reference);
        settings.reference_source = fmt::format("{} English accuracy", o.reference);
    }

    const Scorecard card = o.model.empty() ? score_run(o.run, settings, tasks, langs) : score_published(data_dir_or_env(o.data), o.model, settings, tasks, langs);
    if (o.format != "table" || !o.out.empty())
        for (const std::string& w : card.warnings) fmt::print(stderr, "clika score: warning: {}\n", w);

    std::string text;
    if (o.format == "json") text = report::to_json(card).dump(2) + "\n";
    else if (o.format == "csv") text = report::to_csv(card);
    else if (o.format == "md") text = report::to_markdown(card);
    else text = report::to_table(card);

    write_output(text, o.out);
}

}  // namespace

void add_score_command(CLI::App& app) {
    auto o = std::make_shared<ScoreOptions>();
    CLI::App* cmd = app.add_subcommand("score", "Score predictions: RA per level, en-CO, per-task accuracy, with bootstrap intervals");
    cmd->footer(
        "\nExamples:\n"
        "  clika score --data ../shared/clika-data --model llama_13b          # the paper's Tables 5-7 for LLaMA-13B\n"
        "  clika score --data DIR --model vicuna_13b_v1.5 --format json\n"
        "  clika score --run runs/tiny --format md                           # a run written by `clika run`\n"
        "\nRA = max(0, (acc - chance) / (ref - chance)) per task; a level's RA is the mean of its two tasks x 100.\n"
        "en-CO(X) = share of questions correct in X that are also correct in English (Factual level, mean of tasks).");
    cmd->add_option("--data", o->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--model", o->model, "published predictions to score: llama_13b, bloomz_7b1_mt, vicuna_13b_v1.5, chatgpt, ...");
    cmd->add_option("--run", o->run, "a run directory written by `clika run`");
    cmd->add_option("--format", o->format, "table, json, csv or md")->check(CLI::IsMember({"table", "json", "csv", "md"}))->capture_default_str();
    cmd->add_option("--reference", o->reference, "take RA references from this model's English accuracy instead of the paper's");
    cmd->add_option("--tasks", o->tasks, "only these tasks (default: all four)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "only these languages (default: all ten)")->delimiter(',');
    cmd->add_option("--bootstrap", o->bootstrap, "bootstrap resamples for the intervals (0: none)")->check(count_up_to(1e6))->capture_default_str();
    cmd->add_option("--seed", o->seed, "bootstrap seed")->check(count_up_to(any_count))->capture_default_str();
    cmd->add_option("--confidence", o->confidence, "interval coverage")->check(within(0.5, 0.9999))->capture_default_str();
    cmd->add_option("-o,--out", o->out, "write the report to this file instead of standard output");
    cmd->callback([o] { run_score(*o); });
}

}  // namespace clika::cli
