#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/eval/multiple_choice.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/report/tables.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/reader.hpp"
#include "clika/run/writer.hpp"
#include "backend.hpp"
#include "commands.hpp"
#include "conductivity.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "ranges.hpp"
#include "run_options.hpp"

namespace clika::cli {

namespace {

void run_multiple_choice(const RunOptions& o) {
    if (is_fictional_run(o.tasks)) return run_fictional(o);  // the Conductivity test sets: cli/fictional_run.cpp
    if (o.chunk == 0) fail_input({}, "--chunk must be at least 1");
    const fs::path data = data_dir_or_env(o.data);
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);
    RunPlugin chosen = load_run_plugin(o, o.mode);
    require_model_argument(o.model, chosen.plugin);
    if (!o.lora.empty()) require_model_file(o.lora, "LoRA adapter");
    require_directory_path(o.out, "--out");  // before the model loads, as every input

    // Validate every input before the model loads: a typo should cost seconds, not minutes.
    std::vector<TaskQuestions> questions;
    for (Task task : tasks) questions.push_back(load_task(data, task, langs));

    PluginBackend backend = open_backend(o, std::move(chosen.plugin), std::move(chosen.settings));
    const Plugin& plugin = backend.plugin();
    MultipleChoiceRun run(backend,
                          {.mode = o.mode == "loglik" ? ScoringMode::loglik : ScoringMode::letter,
                           .shots = o.shots == 0 ? Shots::zero : Shots::one,
                           .limit = o.limit,
                           .chunk = o.chunk,
                           .share_prefix = !o.no_share},
                          std::move(questions));
    std::string grown;
    const RunLock lock = open_run_dir(o.out, run.manifest(run_identity(o, backend, data, tasks, langs)), &grown);
    fmt::print(stderr, "clika run: {} via {} {}, {} mode, {}-shot -> {}\n", model_shown(o.model), std::string(plugin.name()),
               std::string(plugin.version()), o.mode, o.shots, o.out);
    if (!grown.empty()) fmt::print(stderr, "clika run: {}\n", grown);

    const auto started = std::chrono::steady_clock::now();
    ProgressObserver progress;
    const std::size_t scored = run.answer_all(o.out, progress);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const ScoreStats& stats = run.stats();
    if (scored == 0) fmt::print(stderr, "clika run: run complete: every question was already answered in {}\n", o.out);
    else fmt::print(stderr, "clika run: {} questions scored in {:.1f}s ({:.1f} q/s), {}\n", scored, seconds,
               seconds > 0 ? static_cast<double>(scored) / seconds : 0.0,
               stats.requests_sent > 0 ? fmt::format("{} requests, {} retries", stats.requests_sent, stats.retries)
                                       : fmt::format("{} tokens evaluated, prefix reused {} times", stats.tokens_evaluated, stats.prefix_reuses));
    ResultSet results = load_run(o.out, tasks, langs);
    if (o.quiet_report) {
        // The report's warnings end with what to do about answers decided between bounds only; without a report, the
        // run's last line says it.
        std::size_t bounded = 0, unranked = 0;
        for (Task task : tasks)
            for (Lang lang : langs)
                if (const auto& r = results.get(task, lang)) bounded += r->bounded, unranked += r->unranked;
        if (bounded + unranked > 0)
            fmt::print(stderr, "clika run: warning: {}\n", bounded_warning(bounded, unranked));
        return;
    }
    results.model = model_shown(o.model);
    const std::string report = report::to_table(score(results));
    std::fwrite(report.data(), 1, report.size(), stdout);
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Evaluate a model on CLiKA through a backend plugin; resumable, writes upstream-format predictions");
    cmd->footer(
        "\nWrites OUT/run.json and OUT/<task>/<folder>/predictions.jsonl ({id, input, res, label, uuid} plus `scores`, one\n"
        "log-probability per option). Killed runs continue where they stopped when the same command is run again; the\n"
        "files end up identical to an uninterrupted run. Score them later with `clika score --run OUT`.\n"
        "\nModes:\n"
        "  letter  the paper's protocol: log p of each option letter as the continuation of the prompt, which ends in\n"
        "          \"Answer:\". prompt + letter is tokenized whole; the context is the token prefix shared by the prompt and\n"
        "          all its letter variants (so \":A\" is scored after \"Answer\" where the vocabulary merges \":A\"); run.json\n"
        "          records every letter's scored tokens. Also records the model's unrestricted next token, to show how\n"
        "          often it would answer off-format\n"
        "  loglik  lm-evaluation-harness style: log-likelihood of \" <option text>\"; res by acc, res_norm by acc_norm\n"
        "\nEach plugin declares its own settings, taken as options here: listed above for the plugin given (--plugin NAME\n"
        "--help), and by `clika plugins`.\n"
        "\nServers (--plugin openai): --model is the server, e.g. http://127.0.0.1:8080 (llama-server) or\n"
        "http://gpu1:8000,http://gpu2:8000 (vLLM; requests go to the least loaded). llama-server scores letter mode and\n"
        "generates; loglik needs prompt log-probabilities, which only vLLM returns. Letter mode reads the top\n"
        "--top-logprobs K next tokens: a letter outside them is scored with the K-th value as an upper bound, marked\n"
        "\"bounded\" on its line, and a question whose letters are all outside is counted in the report's bounded row.\n"
        "\nExample:\n"
        "  clika make-model --out tiny.gguf --seed 1\n"
        "  clika run --data ../shared/clika-data --model tiny.gguf --out runs/tiny --limit 50");
    cmd->add_option("--data", o->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--model", o->model, "model file for the plugin (GGUF for llamacpp), or server URL(s) for --plugin openai")->required();
    cmd->add_option("--out", o->out, "run directory (created; an existing one is resumed if it was made by the same command)")->required();
    cmd->add_option("--plugin", o->plugin, "backend plugin name or path to its .so")->capture_default_str();
    cmd->add_option("--plugin-path", o->plugin_paths, "extra directories to search for plugins (before $CLIKA_PLUGIN_PATH)");
    cmd->add_option("--tasks", o->tasks, "tasks to run (default: x_copa,x_csqa,x_geo,x_name; or fictional, alone)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "languages to run (default: all ten)")->delimiter(',');
    cmd->add_option("--mode", o->mode, "letter or loglik")->check(CLI::IsMember({"letter", "loglik"}))->capture_default_str();
    cmd->add_option("--shots", o->shots, "1: the paper's one-shot prompts; 0: zero-shot")->check(CLI::IsMember({0, 1}))->capture_default_str();
    add_pass_options(*cmd, *o);
    cmd->add_option("--lora", o->lora, "LoRA adapter to apply (GGUF for llamacpp)");
    cmd->add_option("--lora-scale", o->lora_scale, "LoRA scale")->check(within(-1000, 1000))->capture_default_str();
    cmd->add_flag("--no-share", o->no_share, "reference path: no prefix sharing, one sequence at a time (slow; for checking)");
    cmd->add_flag("--no-report", o->quiet_report, "do not print the score table at the end");
    add_fictional_run_options(*cmd, *o);
    add_plugin_settings(*cmd, *o);
    cmd->callback([o, cmd] {
        take_plugin_args(*cmd, *o);
        run_multiple_choice(*o);
    });
}

}  // namespace clika::cli
