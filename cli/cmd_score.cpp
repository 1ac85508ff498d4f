#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/lm_eval_score.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/report/render.hpp"
#include "clika/run/reader.hpp"
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
    std::string lm_eval_samples;
    std::string lm_eval_model;
    std::string task_map;
    std::string metric = "acc";
    std::vector<std::string> pivots{"en"};
    std::string format = "table";
    std::string reference;
    std::string out;
    std::vector<std::string> tasks;
    std::vector<std::string> langs;
    ScoringSettings scoring;
};

// Warnings are in every report; on standard error too where the report is not a table on the terminal.
void print_warnings(const std::vector<std::string>& warnings, const ScoreOptions& o) {
    if (o.format != "table" || !o.out.empty())
        for (const std::string& w : warnings) fmt::print(stderr, "clika score: warning: {}\n", w);
}

void run_score(const ScoreOptions& o) {
    if ((o.model.empty() ? 0 : 1) + (o.run.empty() ? 0 : 1) + (o.lm_eval_samples.empty() ? 0 : 1) != 1)
        fail_input({}, "give exactly one of --model STEM, --run RUN_DIR and --lm-eval-samples DIR");
    if (!o.lm_eval_samples.empty()) {
        LmEvalSettings settings;
        settings.metric = o.metric == "acc_norm" ? LmEvalMetric::acc_norm : LmEvalMetric::acc;
        settings.task_map = o.task_map;
        settings.model = o.lm_eval_model;
        settings.scoring = {o.scoring, o.pivots};
        LmEvalSamples samples = load_lm_eval(o.lm_eval_samples, settings);
        fmt::print(stderr, "clika score: read {} samples file{} of model {} in {}\n", samples.files.size(), samples.files.size() == 1 ? "" : "s",
                   samples.model, samples.files.front().parent_path().string());
        // CLiKA's own tasks: the paper's tables, exactly as for a run (RA references, levels, en-CO, others).
        if (const std::optional<Scorecard> paper = score_lm_eval_clika(samples, settings)) {
            print_warnings(paper->warnings, o);
            write_output(report::render(*paper, o.format), o.out);
            return;
        }
        const FamilyScorecard card = score_lm_eval(std::move(samples), settings);
        print_warnings(card.warnings, o);
        write_output(report::render(card, o.format), o.out);
        return;
    }
    // A run of --tasks fictional: the Conductivity report (cli/fictional_score.cpp).
    if (score_conductivity_run({.run = o.run, .format = o.format, .out = o.out, .langs = o.langs, .scoring = o.scoring}))
        return;
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);

    ScoreSettings settings{o.scoring};
    if (!o.reference.empty()) {
        const ResultSet reference = load_published(data_dir_or_env(o.data), o.reference, multiple_choice_tasks, std::array{Lang::en});
        settings.reference_percent = references_from(reference);
        settings.reference_source = fmt::format("{} English accuracy", o.reference);
    }

    const Scorecard card = o.model.empty() ? score_run(o.run, settings, tasks, langs) : score_published(data_dir_or_env(o.data), o.model, settings, tasks, langs);
    print_warnings(card.warnings, o);
    write_output(report::render(card, o.format), o.out);
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
        "  clika score --lm-eval-samples out/ --format json                  # `lm_eval --log_samples --output_path out/`\n"
        "  clika score --lm-eval-samples out/ --pivot en,it                  # xcopa has no English: measure it against Italian\n"
        "\nRA = max(0, (acc - chance) / (ref - chance)) per task; a level's RA is the mean of its two tasks' RA.\n"
        "Numbers: fractions in json and csv; the table and md print accuracy and RA in percent.\n"
        "en-CO(X) = share of questions correct in X that are also correct in English (Factual level, mean of tasks).\n"
        "RankC(X) = mean over questions of sum_j w_j |top_j(X) & top_j(en)| / j, w = softmax(N..1): how alike X and English\n"
        "rank the options (needs option scores: `clika run` outputs and lm-eval samples).\n"
        "lm-eval samples: families xcopa, xstorycloze, xwinograd, belebele, global_mmlu and clika_<task>_<lang>; languages\n"
        "matched by doc_id, consistency only for parallel families; RA against 100% (paper references for CLiKA tasks).\n"
        "Samples of CLiKA's tasks only (examples/lm_eval_tasks) give the paper's tables, as --run does. Of each task the\n"
        "newest run (samples_<task>_<date>.jsonl) is read and older ones are named in a warning; a folder holding several\n"
        "models needs --lm-eval-model NAME.");
    cmd->add_option("--data", o->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--model", o->model, "published predictions to score: llama_13b, bloomz_7b1_mt, vicuna_13b_v1.5, chatgpt, ...");
    cmd->add_option("--run", o->run, "a run directory written by `clika run`");
    cmd->add_option("--lm-eval-samples", o->lm_eval_samples,
                    "a folder of lm-evaluation-harness samples_<task>_<date>.jsonl files (`lm_eval --log_samples`), searched recursively");
    cmd->add_option("--lm-eval-model", o->lm_eval_model,
                    "lm-eval samples: the model folder to score where DIR holds several (lm-eval writes DIR/<model>/)");
    cmd->add_option("--task-map", o->task_map, "lm-eval samples: JSON {\"my_task_de\": [\"my_family\", \"de\"]} for tasks clika does not know");
    cmd->add_option("--metric", o->metric, "lm-eval samples: the per-sample metric that decides correct")
        ->check(CLI::IsMember({"acc", "acc_norm"}))
        ->capture_default_str();
    cmd->add_option("--pivot", o->pivots, "lm-eval samples: consistency is measured against the first of these languages a family has")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--format", o->format, "table, json, csv or md")->check(CLI::IsMember({"table", "json", "csv", "md"}))->capture_default_str();
    cmd->add_option("--reference", o->reference, "take RA references from this model's English accuracy instead of the paper's");
    cmd->add_option("--tasks", o->tasks, "only these tasks (default: all four)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "only these languages (default: all ten)")->delimiter(',');
    add_scoring_options(*cmd, o->scoring);
    cmd->add_option("-o,--out", o->out, "write the report to this file instead of standard output");
    cmd->callback([o] { run_score(*o); });
}

}  // namespace clika::cli
