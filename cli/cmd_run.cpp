#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/engine.hpp"
#include "clika/file_hash.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/report/tables.hpp"
#include "clika/run_files.hpp"
#include "clika/run_store.hpp"
#include "clika/version.hpp"
#include "backend.hpp"
#include "commands.hpp"
#include "conductivity.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace clika::cli {

namespace {

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
};

// Letter mode: each task/language's split, taken from its first question (every later question is checked against it).
struct LetterSplits {
    std::vector<std::vector<LetterSplit>> by_task_lang;  // [task][lang], parallel to the loaded TaskQuestions

    [[nodiscard]] OrderedJson to_json(const std::vector<TaskQuestions>& questions) const {
        OrderedJson out = OrderedJson::object();
        for (std::size_t t = 0; t < questions.size(); ++t) {
            // Languages with identical continuations are listed together.
            OrderedJson groups = OrderedJson::array();
            std::vector<std::size_t> representative;
            for (std::size_t l = 0; l < questions[t].langs.size(); ++l) {
                const LetterSplit& split = by_task_lang[t][l];
                std::size_t g = 0;
                while (g < representative.size() && !by_task_lang[t][representative[g]].same_continuations(split)) ++g;
                if (g == representative.size()) {
                    representative.push_back(l);
                    OrderedJson group;
                    group["langs"] = OrderedJson::array();
                    const OrderedJson described = letter_split_json(split);
                    for (const auto& [key, value] : described.items()) group[key] = value;
                    groups.push_back(std::move(group));
                }
                groups[g]["langs"].push_back(std::string(code(questions[t].langs[l])));
            }
            out[std::string(name(questions[t].task))] = std::move(groups);
        }
        return out;
    }
};

template <class E>
LetterSplits plan_letter_splits(E& engine, const std::vector<TaskQuestions>& questions) {
    LetterSplits out;
    for (const TaskQuestions& tq : questions) {
        out.by_task_lang.emplace_back();
        for (const std::vector<Question>& qs : tq.by_lang) out.by_task_lang.back().push_back(engine.letter_split(qs.front()));
    }
    return out;
}

OrderedJson manifest_for(const RunOptions& o, const Plugin& plugin, const std::vector<Task>& tasks, const std::vector<Lang>& langs) {
    OrderedJson m;
    m["clika_version"] = std::string(version);
    m["plugin"] = {{"name", std::string(plugin.name())}, {"version", std::string(plugin.version())}};
    const fs::path model(o.model);
    m["model"] = {{"file", model.filename().string()}, {"bytes", fs::file_size(model)}, {"sha256", sha256_file(model)}};
    if (!o.lora.empty())
        m["lora"] = {{"file", fs::path(o.lora).filename().string()}, {"sha256", sha256_file(o.lora)}, {"scale", o.lora_scale}};
    m["mode"] = o.mode;
    m["shots"] = o.shots;
    m["share_prefix"] = !o.no_share;
    m["chunk"] = o.chunk;
    m["limit"] = o.limit;
    m["tasks"] = OrderedJson::array();
    for (Task t : tasks) m["tasks"].push_back(std::string(name(t)));
    m["langs"] = OrderedJson::array();
    for (Lang l : langs) m["langs"].push_back(std::string(code(l)));
    return m;
}

void run_benchmark(const RunOptions& o) {
    if (is_fictional_run(o.tasks))  // the Conductivity test sets: cli/fictional_run.cpp
        return run_fictional({.data = o.data, .plugin = o.plugin, .plugin_paths = o.plugin_paths, .model = o.model, .langs = o.langs,
                              .limit = o.limit, .threads = o.threads, .ctx = o.ctx, .batch = o.batch, .parallel = o.parallel,
                              .chunk = o.chunk, .out = o.out, .lora = o.lora, .lora_scale = o.lora_scale, .no_share = o.no_share,
                              .quiet_report = o.quiet_report});
    if (o.chunk == 0) fail_input({}, "--chunk must be at least 1");
    const fs::path data = data_dir_or_env(o.data);
    const std::vector<Task> tasks = mc_tasks_arg(o.tasks);
    const std::vector<Lang> langs = langs_arg(o.langs);
    const ScoringMode mode = o.mode == "loglik" ? ScoringMode::loglik : ScoringMode::letter;
    const Shots shots = o.shots == 0 ? Shots::zero : Shots::one;
    if (!fs::is_regular_file(o.model)) fail_input({o.model}, "model file not found");

    // Validate every input before the model loads: a typo should cost seconds, not minutes.
    std::vector<TaskQuestions> questions;
    for (Task task : tasks) questions.push_back(load_task(data, task, langs));

    PluginBackend backend = open_backend(o);
    const Plugin& plugin = backend.plugin();
    Engine engine(backend, mode, shots);
    OrderedJson manifest = manifest_for(o, plugin, tasks, langs);
    LetterSplits letter_splits;
    if (mode == ScoringMode::letter) {
        letter_splits = plan_letter_splits(engine, questions);
        manifest["letter_continuations"] = letter_splits.to_json(questions);
    }
    open_run_dir(o.out, manifest);
    fmt::print(stderr, "clika run: {} via {} {}, {} mode, {}-shot -> {}\n", fs::path(o.model).filename().string(), std::string(plugin.name()),
               std::string(plugin.version()), o.mode, o.shots, o.out);

    const ScoreOptions options{.share_prefix = !o.no_share};
    ScoreStats stats;
    const auto started = std::chrono::steady_clock::now();
    std::size_t scored = 0;
    for (std::size_t ti = 0; ti < questions.size(); ++ti) {
        const TaskQuestions& tq = questions[ti];
        for (std::size_t li = 0; li < tq.langs.size(); ++li) {
            std::span<const Question> all = tq.by_lang[li];
            if (o.limit != 0 && all.size() > o.limit) all = all.first(o.limit);
            PredictionWriter writer(run_predictions_path(o.out, tq.task, tq.langs[li]), all, o.chunk);
            Progress progress(fmt::format("{} {}", name(tq.task), code(tq.langs[li])), all.size(), writer.done());
            if (writer.done() < all.size()) {
                const std::vector<ScoreRequest> requests = engine.requests(all);
                for (std::size_t start = writer.done(); start < all.size(); start += o.chunk) {
                    const std::size_t end = std::min(all.size(), start + o.chunk);
                    const std::span<const Question> chunk = all.subspan(start, end - start);
                    const auto outcomes = engine.score(chunk, std::span(requests).subspan(start, end - start), options, stats);
                    std::string lines;
                    for (std::size_t i = 0; i < chunk.size(); ++i) {
                        if (mode == ScoringMode::loglik) {
                            lines += prediction_line(start + i, chunk[i], build_prompt(chunk[i], shots), mode, outcomes[i], {});
                            continue;
                        }
                        const std::string greedy = backend.piece(outcomes[i].greedy_next);
                        const ScoreRequest& request = requests[start + i];
                        std::optional<LetterSplit> own;
                        if (!scores_continuations_of(request, letter_splits.by_task_lang[ti][li])) own = engine.letter_split(chunk[i]);
                        lines += prediction_line(start + i, chunk[i], build_prompt(chunk[i], shots), mode, outcomes[i], greedy,
                                                 own ? &*own : nullptr);
                    }
                    writer.append(lines, chunk.size());
                    scored += chunk.size();
                    progress.advance(chunk.size());
                }
            }
            progress.finish();
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print(stderr, "clika run: {} questions scored in {:.1f}s ({:.1f} q/s), {} tokens evaluated, prefix reused {} times\n", scored,
               seconds, seconds > 0 ? static_cast<double>(scored) / seconds : 0.0, stats.tokens_evaluated, stats.prefix_reuses);
    if (o.quiet_report) return;
    ResultSet results = load_run(o.out, tasks, langs);
    results.model = fs::path(o.model).filename().string();
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
        "\nExample:\n"
        "  clika make-model --out tiny.gguf --seed 1\n"
        "  clika run --data ../shared/clika-data --model tiny.gguf --out runs/tiny --limit 50");
    cmd->add_option("--data", o->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--model", o->model, "model file for the plugin (GGUF for llamacpp)")->required();
    cmd->add_option("--out", o->out, "run directory (created; an existing one is resumed if it was made by the same command)")->required();
    cmd->add_option("--plugin", o->plugin, "backend plugin name or path to its .so")->capture_default_str();
    cmd->add_option("--plugin-path", o->plugin_paths, "extra directories to search for plugins (before $CLIKA_PLUGIN_PATH)");
    cmd->add_option("--tasks", o->tasks, "tasks to run (default: x_copa,x_csqa,x_geo,x_name; or fictional, alone)")->delimiter(',');
    cmd->add_option("--langs", o->langs, "languages to run (default: all ten)")->delimiter(',');
    cmd->add_option("--mode", o->mode, "letter or loglik")->check(CLI::IsMember({"letter", "loglik"}))->capture_default_str();
    cmd->add_option("--shots", o->shots, "1: the paper's one-shot prompts; 0: zero-shot")->check(CLI::IsMember({0, 1}))->capture_default_str();
    cmd->add_option("--limit", o->limit, "only the first N questions of each task and language (0: all)")->capture_default_str();
    cmd->add_option("--threads", o->threads, "CPU threads for the backend (0: its default)")->capture_default_str();
    cmd->add_option("--ctx", o->ctx, "KV cache size in tokens (0: the plugin's default)")->capture_default_str();
    cmd->add_option("--batch", o->batch, "tokens per forward pass (0: the plugin's default)")->capture_default_str();
    cmd->add_option("--parallel", o->parallel, "sequences evaluated together (0: the plugin's default)")->capture_default_str();
    cmd->add_option("--chunk", o->chunk, "questions per backend call: the unit of progress and of resuming")->capture_default_str();
    cmd->add_option("--lora", o->lora, "LoRA adapter to apply (GGUF for llamacpp)");
    cmd->add_option("--lora-scale", o->lora_scale, "LoRA scale")->capture_default_str();
    cmd->add_flag("--no-share", o->no_share, "reference path: no prefix sharing, one sequence at a time (slow; for checking)");
    cmd->add_flag("--no-report", o->quiet_report, "do not print the score table at the end");
    add_fictional_run_options(*cmd);
    cmd->callback([o] { run_benchmark(*o); });
}

}  // namespace clika::cli
