// clika run --tasks fictional: the Conductivity test items and Translate items through a backend plugin, written to
// RUN/fictional/<lang>/predictions.jsonl and translate.jsonl, resumable like the multiple-choice files.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/fictional_eval.hpp"
#include "clika/eval/engine.hpp"
#include "clika/eval/generate.hpp"
#include "clika/run/manifest.hpp"
#include "clika/eval/planner.hpp"
#include "clika/eval/runner.hpp"
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

namespace {

struct Context {
    const RunOptions& request;
    PluginBackend& backend;
    bool generate = true;
    bool choice = true;
    GenerationSettings generation;
    ScoreOptions options;
    ScoreStats stats;
};

// A choice between sentences after a prompt: each split like lm-evaluation-harness, their common start folded into the
// context.
Choice choice_between(PluginBackend& backend, const std::string& prompt, const Tokens& context, const std::vector<std::string>& sentences) {
    std::vector<Tokens> continuations;
    for (const std::string& s : sentences) continuations.push_back(continuation_tokens(backend, prompt, context, s));
    return fold_common_start(context, std::move(continuations));
}

// Log-likelihoods (and greedy flags) of every continuation of every context. Continuations of one context are split
// over several requests when together they would not fit one decode of the plugin.
// `labels`: what each context asks, for messages.
void score_continuations(Context& c, const std::vector<Tokens>& contexts, const std::vector<std::vector<Tokens>>& continuations,
                         const std::vector<std::string>& labels, std::vector<std::vector<double>>& logprob, std::vector<std::vector<int>>& greedy) {
    auto [requests, origin] = pack_continuations(contexts, continuations, static_cast<std::size_t>(c.backend.info().max_pass_tokens));
    for (std::size_t k = 0; k < requests.size(); ++k) requests[k].label = labels[origin[k].first];
    const std::vector<OptionScores> scores = c.backend.score(requests, c.options, c.stats);
    logprob.assign(contexts.size(), {});
    greedy.assign(contexts.size(), {});
    for (std::size_t k = 0; k < requests.size(); ++k) {
        const auto [i, first] = origin[k];
        for (std::size_t j = 0; j < scores[k].logprob.size(); ++j) {
            logprob[i].push_back(scores[k].logprob[j]);
            greedy[i].push_back(scores[k].all_greedy[j] ? 1 : 0);
        }
    }
}

// Fictional items are identified by their line in the test file.
std::vector<std::string> line_ids(std::span<const std::size_t> lines) {
    std::vector<std::string> out;
    for (std::size_t line : lines) out.push_back(std::to_string(line));
    return out;
}

ItemSource test_item_source(Context& c, const FictionalTestSet& set) {
    ItemSource source;
    source.label = fmt::format("fictional {}", code(set.lang));
    source.path = fictional_predictions_path(c.request.out, set.lang);
    const std::vector<std::size_t> selected = limited_items(set, c.request.limit);
    source.uuids = line_ids(selected);
    std::vector<std::string> folded;
    for (const std::string& name : set.continents) folded.push_back(fold_case(name));
    source.answer = [&c, &set, selected, folded](std::size_t start, std::size_t end) {
        std::vector<std::string> prompts;
        std::vector<Tokens> contexts;
        for (std::size_t k = start; k < end; ++k) {
            const FictionalItem& item = set.items[selected[k]].item;
            prompts.push_back(alpaca_prompt(item.prompt, item.input));
            contexts.push_back(c.backend.tokenize(prompts.back(), true));
        }
        std::vector<FictionalAnswer> answers(end - start);
        if (c.choice) {
            std::vector<Tokens> choice_contexts(contexts.size());
            std::vector<std::vector<Tokens>> continuations(contexts.size());
            for (std::size_t k = 0; k < contexts.size(); ++k) {
                const FictionalItem& item = set.items[selected[start + k]].item;
                const std::string prefix = answer_prefix(item.answer, item.continent);
                std::vector<std::string> sentences;
                for (const std::string& candidate : set.continents) sentences.push_back(prefix + candidate);
                Choice choice = choice_between(c.backend, prompts[k], contexts[k], sentences);
                choice_contexts[k] = std::move(choice.context);
                continuations[k] = std::move(choice.continuations);
            }
            std::vector<std::string> labels;
            for (std::size_t k = start; k < end; ++k) labels.push_back(fmt::format("fictional {} item \"{}\"", code(set.lang), selected[k]));
            std::vector<std::vector<double>> logprob;
            std::vector<std::vector<int>> greedy;
            score_continuations(c, choice_contexts, continuations, labels, logprob, greedy);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                FictionalAnswer& a = answers[k];
                a.choice_present = true;
                a.scores = logprob[k];
                for (const Tokens& t : continuations[k]) a.n_tokens.push_back(static_cast<int>(t.size()));
                a.chosen = static_cast<std::size_t>(first_argmax(a.scores));
                a.correct_choice = a.chosen == set.items[selected[start + k]].gold;
            }
        }
        if (c.generate) {
            const std::vector<Generated> generated = greedy_generate(c.backend, std::span<const Tokens>(contexts), c.generation, c.options, c.stats);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                const FictionalTestItem& t = set.items[selected[start + k]];
                FictionalAnswer& a = answers[k];
                a.generated_present = true;
                a.generated = generated[k].text;
                const int named = named_continent(answer_text(generated[k].text), t.item.city, folded);
                a.named = named >= 0 ? set.continents[static_cast<std::size_t>(named)] : std::string();
                a.correct_generate = named >= 0 && static_cast<std::size_t>(named) == t.gold;
            }
        }
        std::string lines;
        for (std::size_t k = 0; k < answers.size(); ++k) lines += fictional_test_line(selected[start + k], set, prompts[k], answers[k]);
        return lines;
    };
    return source;
}

ItemSource translate_item_source(Context& c, const FictionalTestSet& set) {
    ItemSource source;
    source.label = fmt::format("translate {}", code(set.lang));
    source.path = fictional_translate_run_path(c.request.out, set.lang);
    const std::vector<std::size_t> selected = spread_positions(set.translations.size(), c.request.limit);
    source.uuids = line_ids(selected);
    source.answer = [&c, &set, selected](std::size_t start, std::size_t end) {
        std::vector<std::string> prompts;
        std::vector<Tokens> contexts;
        for (std::size_t k = start; k < end; ++k) {
            const InstructionRecord& r = set.translations[selected[k]];
            prompts.push_back(alpaca_prompt(r.prompt, r.input));
            contexts.push_back(c.backend.tokenize(prompts.back(), true));
        }
        std::vector<TranslateAnswer> answers(end - start);
        if (c.choice) {
            std::vector<std::vector<Tokens>> continuations(contexts.size());
            for (std::size_t k = 0; k < contexts.size(); ++k)
                continuations[k].push_back(continuation_tokens(c.backend, prompts[k], contexts[k], set.translations[selected[start + k]].answer));
            std::vector<std::string> labels;
            for (std::size_t k = start; k < end; ++k) labels.push_back(fmt::format("translate {} item \"{}\"", code(set.lang), selected[k]));
            std::vector<std::vector<double>> logprob;
            std::vector<std::vector<int>> greedy;
            score_continuations(c, contexts, continuations, labels, logprob, greedy);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                answers[k].choice_present = true;
                answers[k].logprob = logprob[k][0];
                answers[k].greedy = greedy[k][0] != 0;
            }
        }
        if (c.generate) {
            const std::vector<Generated> generated = greedy_generate(c.backend, std::span<const Tokens>(contexts), c.generation, c.options, c.stats);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                answers[k].generated_present = true;
                answers[k].generated = generated[k].text;
                answers[k].correct_generate = contains_folded(answer_text(generated[k].text), set.translations[selected[start + k]].answer);
            }
        }
        std::string lines;
        for (std::size_t k = 0; k < answers.size(); ++k)
            lines += fictional_translate_line(selected[start + k], set.translations[selected[start + k]], prompts[k], answers[k]);
        return lines;
    };
    return source;
}

OrderedJson fictional_manifest(const RunOptions& o, const PluginBackend& backend, const fs::path& data, const std::vector<FictionalTestSet>& sets) {
    std::vector<fs::path> files;  // every test and Translate file read: a resume against changed data is refused
    for (const FictionalTestSet& set : sets) {
        files.push_back(set.test_path);
        if (!set.translate_path.empty()) files.push_back(set.translate_path);
    }
    RunIdentity identity = run_identity(o, backend);
    identity.data = files_identity(data, files);
    OrderedJson m = manifest_head(identity);
    m["tasks"] = OrderedJson::array({"fictional"});
    m["fictional_mode"] = o.fictional_mode;
    if (o.fictional_mode != "choice") m["max_new_tokens"] = o.max_new_tokens;
    m["prompt_template"] = "alpaca";
    m["share_prefix"] = !o.no_share;
    m["chunk"] = o.chunk;
    m["limit"] = o.limit;
    m["langs"] = OrderedJson::array();
    for (const FictionalTestSet& set : sets) m["langs"].push_back(std::string(code(set.lang)));
    return m;
}

}  // namespace

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
    if (o.chunk == 0) fail_input({}, "--chunk must be at least 1");
    if (o.fictional_mode != "choice" && o.max_new_tokens == 0) fail_input({}, "--max-new-tokens must be at least 1 to generate answers");
    const fs::path data = data_dir_or_env(o.data);
    std::vector<Lang> langs = langs_arg(o.langs);
    if (std::find(langs.begin(), langs.end(), Lang::en) == langs.end()) {
        langs.insert(langs.begin(), Lang::en);
        fmt::print(stderr, "clika run: adding en: XRR and the training gate need the English answers\n");
    }
    std::stable_partition(langs.begin(), langs.end(), [](Lang l) { return l == Lang::en; });
    const std::string needs = o.fictional_mode == "generate" ? "generate" : o.fictional_mode == "choice" ? "loglik" : "generate+loglik";
    RunPlugin chosen = load_run_plugin(o, needs);
    require_model_argument(o.model, chosen.plugin);
    if (!o.lora.empty()) require_model_file(o.lora, "LoRA adapter");

    // Every test file is read and cross-checked before the model loads.
    std::vector<FictionalTestSet> sets;
    for (Lang lang : langs) {
        sets.push_back(load_fictional_test_set(data, lang));
        if (lang != Lang::en) check_parallel(sets.front(), sets.back());
    }

    PluginBackend backend = open_backend(o, std::move(chosen.plugin), std::move(chosen.settings));
    const Plugin& plugin = backend.plugin();
    const RunLock lock = open_run_dir(o.out, fictional_manifest(o, backend, data, sets));
    fmt::print(stderr, "clika run: fictional ({} mode) on {}{} via {} {} -> {}\n", o.fictional_mode, model_shown(o.model),
               o.lora.empty() ? std::string() : " + " + fs::path(o.lora).filename().string(), std::string(plugin.name()),
               std::string(plugin.version()), o.out);

    Context c{o, backend};
    c.generate = o.fictional_mode != "choice";
    c.choice = o.fictional_mode != "generate";
    c.generation.max_new_tokens = o.max_new_tokens;
    c.options.share_prefix = !o.no_share;
    std::vector<ItemSource> sources;
    for (const FictionalTestSet& set : sets) {
        sources.push_back(test_item_source(c, set));
        if (set.lang != Lang::en) sources.push_back(translate_item_source(c, set));
    }
    const auto started = std::chrono::steady_clock::now();
    ProgressObserver progress;
    const std::size_t answered = run_sources(sources, o.chunk, progress);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print(stderr, "clika run: {} items answered in {:.1f}s, {} tokens evaluated\n", answered, seconds, c.stats.tokens_evaluated);
    if (o.quiet_report) return;
    const FictionalRun run = load_fictional_run(o.out, langs);
    std::vector<ConductivityCard> cards;
    for (FictionalMode mode : run.modes()) {
        cards.push_back(score_conductivity(run, mode));
        cards.back().model = model_shown(o.model);
    }
    const std::string report = report::conductivity_table(cards);
    std::fwrite(report.data(), 1, report.size(), stdout);
}

}  // namespace clika::cli
