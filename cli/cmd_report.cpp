// clika report SOURCE... --out DIR: several models side by side as the paper's figures and tables, in one
// self-contained HTML page, a Markdown page, and each chart as its own SVG and tidy CSV.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/report_files.hpp"
#include "clika/report_sources.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "ranges.hpp"
#include "source_options.hpp"

namespace clika::cli {

namespace {

struct ReportOptions {
    std::vector<std::string> sources;
    std::vector<std::string> labels;
    SourceArgs source_args;
    std::string out;
    std::string pivot = "en";
    std::vector<std::string> tasks;
    std::vector<std::string> langs;
    ScoringSettings scoring;
};

void run_report(const ReportOptions& o) {
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);
    const SourceOptions options = source_options(o.source_args, o.sources, tasks, langs);
    const report::PageFacts facts{.settings = ScoreSettings{o.scoring}, .pivot = lang_arg(o.pivot)};

    const std::vector<ReportSource> sources = load_report_sources(o.sources, o.labels, options, facts.settings);
    const std::vector<std::filesystem::path> written = report::write_report(o.out, sources, facts);
    for (const std::string& w : report::all_warnings(sources)) fmt::print(stderr, "clika report: warning: {}\n", w);
    fmt::print("clika report: wrote {} and {} more files\n", written.back().string(), written.size() - 1);
}

}  // namespace

void add_report_command(CLI::App& app) {
    auto o = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand("report", "Several sources side by side as the paper's figures and tables: HTML with SVG charts, Markdown, CSV");
    cmd->footer(
        "\nSOURCE is run:DIR (a `clika run` directory, multiple-choice or fictional), model:STEM (published predictions in\n"
        "--data) or lm-eval:DIR (lm-evaluation-harness samples of CLiKA's tasks), as for `clika compare`.\n"
        "\nDIR/index.html is one self-contained page (no network, no script): Basic and Factual RA per language, Factual\n"
        "en-CO (CO towards --pivot) per language, the consistency matrices CO(X->Y) and the both-right rates as heat maps,\n"
        "XRR per language for fictional runs, and the paper's Tables 5-7 layout, with bootstrap intervals. DIR/report.md\n"
        "has the tables; each chart is also DIR/<chart>.svg with its data as DIR/<chart>.csv.\n"
        "\nExamples:\n"
        "  clika report model:llama_13b model:vicuna_13b_v1.5 --data ../shared/clika-data --out report/\n"
        "  clika report run:runs/base run:runs/tuned --label base --label tuned --out report/ --pivot zh\n");
    cmd->add_option("SOURCE", o->sources, "run:DIR, model:STEM or lm-eval:DIR; 1 to 8 of them")->required();
    cmd->add_option("--label", o->labels, "a name per source, in their order (default: the model's name)");
    cmd->add_option("--out", o->out, "the folder to write index.html, report.md and the charts into")->required();
    cmd->add_option("--pivot", o->pivot, "the language consistency is measured towards in the per-language chart and tables")->capture_default_str();
    add_source_options(cmd, o->source_args);
    cmd->add_option("--tasks", o->tasks, "only these tasks (default: all four)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "only these languages (default: all ten)")->delimiter(',');
    add_scoring_options(*cmd, o->scoring);
    cmd->callback([o] { run_report(*o); });
}

}  // namespace clika::cli
