// clika run --tasks fictional: options and printing around the core's ConductivityRun (clika/eval/conductivity_run.hpp).

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/eval/conductivity_run.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/report/conductivity.hpp"
#include "clika/run/writer.hpp"
#include "backend.hpp"
#include "conductivity.hpp"
#include "run_options.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace clika::cli {

bool is_fictional_run(const std::vector<std::string>& tasks) {
    bool fictional = false, other = false;
    for (const std::string& t : tasks) (task_arg(t) == Task::fictional ? fictional : other) = true;
    if (fictional && other)
        fail_input({}, "--tasks fictional cannot be combined with the multiple-choice tasks", "a separate run (and --out directory) for fictional");
    return fictional;
}

void add_fictional_run_options(CLI::App& run_command, RunOptions& o) {
    run_command
        .add_option("--fictional-mode", o.fictional_mode,
                    "--tasks fictional: generate (greedy answer must name the continent), choice (20-way log-likelihood) or both; "
                    "--limit N keeps N items of each type and N Translate items per language, spread evenly over the files")
        ->check(CLI::IsMember({"generate", "choice", "both"}))
        ->capture_default_str();
    run_command.add_option("--max-new-tokens", o.max_new_tokens, "--tasks fictional: greedy decoding limit per answer")->capture_default_str();
}

void run_fictional(const RunOptions& o) {
    const auto modes = parse_fictional_modes(o.fictional_mode);
    if (!modes) fail_input({}, fmt::format("--fictional-mode {}", o.fictional_mode), "generate, choice or both");
    const FictionalRunSettings settings{.modes = *modes, .max_new_tokens = o.max_new_tokens, .limit = o.limit, .chunk = o.chunk, .share_prefix = !o.no_share};
    check(settings);
    const fs::path data = data_dir_or_env(o.data);
    const std::vector<Lang> asked = langs_arg(o.langs);
    const std::vector<Lang> langs = fictional_run_langs(asked);
    if (langs.size() != asked.size()) fmt::print(stderr, "clika run: adding en: XRR and the training gate need the English answers\n");
    RunPlugin chosen = load_run_plugin(o, std::string(backend_mode(*modes)));
    require_model_argument(o.model, chosen.plugin);
    if (!o.lora.empty()) require_model_file(o.lora, "LoRA adapter");

    // Every test file is read and cross-checked before the model loads.
    std::vector<FictionalTestSet> sets = load_fictional_test_sets(data, langs);

    PluginBackend backend = open_backend(o, std::move(chosen.plugin), std::move(chosen.settings));
    const Plugin& plugin = backend.plugin();
    RunIdentity identity = run_identity(o, backend);
    identity.data = fictional_data_identity(data, sets);
    ConductivityRun run(backend, settings, std::move(sets));
    const RunLock lock = open_run_dir(o.out, run.manifest(identity));
    fmt::print(stderr, "clika run: fictional ({} mode) on {}{} via {} {} -> {}\n", o.fictional_mode, model_shown(o.model),
               o.lora.empty() ? std::string() : " + " + fs::path(o.lora).filename().string(), std::string(plugin.name()),
               std::string(plugin.version()), o.out);

    const auto started = std::chrono::steady_clock::now();
    ProgressObserver progress;
    const std::size_t answered = run.answer_all(o.out, progress);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (answered == 0) fmt::print(stderr, "clika run: run complete: every item was already answered in {}\n", o.out);
    else fmt::print(stderr, "clika run: {} items answered in {:.1f}s, {} tokens evaluated\n", answered, seconds, run.stats().tokens_evaluated);
    if (o.quiet_report) return;
    const FictionalRun results = load_fictional_run(o.out, langs);
    std::vector<ConductivityCard> cards;
    for (FictionalMode mode : results.modes()) {
        cards.push_back(score_conductivity(results, mode));
        cards.back().model = model_shown(o.model);
    }
    const std::string report = report::conductivity_table(cards);
    std::fwrite(report.data(), 1, report.size(), stdout);
}

}  // namespace clika::cli
