#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/compare.hpp"
#include "clika/report/render.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "ranges.hpp"
#include "source_options.hpp"

namespace clika::cli {

namespace {

struct CompareOptions {
    std::string a, b;
    SourceArgs sources;
    std::string correction = "holm";
    std::string format = "table";
    std::string out;
    std::vector<std::string> tasks;
    std::vector<std::string> langs;
    ScoringSettings scoring;
    double alpha = 0.05;
    double power = 0.8;
};

void run_compare(const CompareOptions& o) {
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);
    const SourceOptions sources = source_options(o.sources, {o.a, o.b}, tasks, langs);

    CompareSettings settings;
    settings.scoring = ScoreSettings{o.scoring};
    settings.correction = o.correction == "bh" ? Correction::bh : o.correction == "none" ? Correction::none : Correction::holm;
    settings.alpha = o.alpha;
    settings.power = o.power;

    const Comparison comparison = compare_sources(o.a, o.b, sources, settings);
    if (o.format != "table" || !o.out.empty())
        for (const std::string& w : comparison.warnings) fmt::print(stderr, "clika compare: warning: {}\n", w);
    write_output(report::render(comparison, o.format), o.out);
}

}  // namespace

void add_compare_command(CLI::App& app) {
    auto o = std::make_shared<CompareOptions>();
    CLI::App* cmd = app.add_subcommand("compare", "Compare two sources of the same questions: McNemar per task and language, paired bootstrap per level");
    cmd->footer(
        "\nSOURCE is run:DIR (a `clika run` directory), model:STEM (published predictions in --data) or lm-eval:DIR\n"
        "(lm-evaluation-harness samples of CLiKA's tasks).\n"
        "\nExamples:\n"
        "  clika compare model:llama_13b model:vicuna_13b_v1.5 --data ../shared/clika-data\n"
        "  clika compare run:runs/base run:runs/tuned --format md --correction bh\n"
        "  clika compare model:llama_13b lm-eval:out/ --format json -o compare.json\n"
        "\nDifferences are B - A. Per task and language: the exact McNemar test on the questions right in one source only\n"
        "(two-sided binomial, p = 1/2), adjusted over all cells by --correction, and the minimum detectable difference\n"
        "MDD = (z_{1-alpha/2} + z_power) * sqrt(psi / n), psi = share of discordant questions. Per level: RA and en-CO\n"
        "differences; their p is two-sided from the paired bootstrap: 2 x the smaller share of resampled differences <= 0\n"
        "or >= 0. Both sources are resampled with the same questions, with clika score's seed and draws.");
    cmd->add_option("A", o->a, "the first source: run:DIR, model:STEM or lm-eval:DIR")->required();
    cmd->add_option("B", o->b, "the second source, of the same questions")->required();
    add_source_options(cmd, o->sources);
    cmd->add_option("--correction", o->correction, "multiple-testing correction over the task x language cells: holm, bh (Benjamini-Hochberg) or none")
        ->check(CLI::IsMember({"holm", "bh", "none"}))
        ->capture_default_str();
    cmd->add_option("--format", o->format, "table, json, csv or md")->check(CLI::IsMember({"table", "json", "csv", "md"}))->capture_default_str();
    cmd->add_option("--tasks", o->tasks, "only these tasks (default: all four)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "only these languages (default: all ten)")->delimiter(',');
    add_scoring_options(*cmd, o->scoring, "paired bootstrap resamples (0: no intervals or level p-values)");
    cmd->add_option("--alpha", o->alpha, "significance level of the minimum detectable difference")->check(within(0.0001, 0.5))->capture_default_str();
    cmd->add_option("--power", o->power, "power of the minimum detectable difference")->check(within(0.5, 0.9999))->capture_default_str();
    cmd->add_option("-o,--out", o->out, "write the report to this file instead of standard output");
    cmd->callback([o] { run_compare(*o); });
}

}  // namespace clika::cli
