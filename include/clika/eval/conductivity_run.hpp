#pragma once
// A fictional (Conductivity level) run on any Backend: its manifest and one ItemSource per language for the test items
// and one for the Translate items, for run_sources(). Answers go to RUN/fictional/<lang>/predictions.jsonl and
// translate.jsonl (clika/run/fictional_lines.hpp), resumable like the multiple-choice files. `clika run --tasks
// fictional` and Python's clika.run_fictional are thin callers:
//
//     std::vector<clika::FictionalTestSet> sets = clika::load_fictional_test_sets(data, langs);  // English first
//     clika::RunIdentity identity = clika::run_identity(options, backend);
//     identity.data = clika::fictional_data_identity(data, sets);
//     clika::ConductivityRun run(backend, {.modes = clika::FictionalModes::both}, std::move(sets));
//     const clika::RunLock lock = clika::open_run_dir(out, run.manifest(identity));
//     clika::RunObserver quiet;
//     run.answer_all(out, quiet);
//
// Test items are asked in the alpaca template (clika/fictional/alpaca.hpp) and answered in the modes the settings
// name: generate (greedy decoding, graded by the continent the answer names) and choice (a log-likelihood choice
// between the language's continents); Translate items likewise (clika/fictional/grading.hpp).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/case_fold.hpp"
#include "clika/eval/engine.hpp"
#include "clika/eval/generate.hpp"
#include "clika/eval/planner.hpp"
#include "clika/eval/runner.hpp"
#include "clika/fictional/alpaca.hpp"
#include "clika/fictional/grading.hpp"
#include "clika/fictional/results.hpp"
#include "clika/fictional/test_set.hpp"
#include "clika/request.hpp"
#include "clika/run/fictional_lines.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/paths.hpp"

namespace clika {

struct FictionalRunSettings {
    FictionalModes modes = FictionalModes::both;
    std::size_t max_new_tokens = 64;  // a sentence in Arabic or Hebrew can take 40+ tokens of a LLaMA vocabulary
    std::size_t limit = 0;            // N items of each type and N Translate items per language, spread evenly; 0: all
    std::size_t chunk = 64;
    bool share_prefix = true;
};

// What the backend is asked for (the "mode" of a plugin's settings JSON): generation, log-likelihoods, or both.
[[nodiscard]] constexpr std::string_view backend_mode(FictionalModes modes) noexcept {
    return modes == FictionalModes::generate ? "generate" : modes == FictionalModes::choice ? "loglik" : "generate+loglik";
}

// Settings no run can use, refused before any file is read or model loaded.
inline void check(const FictionalRunSettings& settings) {
    if (settings.chunk == 0) fail_input({}, "--chunk must be at least 1");
    if (includes(settings.modes, FictionalMode::generate) && settings.max_new_tokens == 0)
        fail_input({}, "--max-new-tokens must be at least 1 to generate answers");
}

// What a fictional run reads: every test and Translate file, so that a resume against changed data is refused.
[[nodiscard]] inline nlohmann::ordered_json fictional_data_identity(const std::filesystem::path& data_dir, std::span<const FictionalTestSet> sets) {
    std::vector<std::filesystem::path> files;
    for (const FictionalTestSet& set : sets) {
        files.push_back(set.test_path);
        if (!set.translate_path.empty()) files.push_back(set.translate_path);
    }
    return files_identity(data_dir, files);
}

template <Backend B>
class ConductivityRun {
public:
    // `sets`: English first (XRR and the training gate need its answers), as load_fictional_test_sets gives them.
    ConductivityRun(B& backend, FictionalRunSettings settings, std::vector<FictionalTestSet> sets)
        : backend_(backend), settings_(settings), sets_(std::move(sets)) {
        check(settings_);
        generation_.max_new_tokens = settings_.max_new_tokens;
        for (const FictionalTestSet& set : sets_) {
            folded_.emplace_back();
            for (const std::string& name : set.continents) folded_.back().push_back(fold_case(name));
        }
    }

    [[nodiscard]] const std::vector<FictionalTestSet>& sets() const noexcept { return sets_; }
    [[nodiscard]] const ScoreStats& stats() const noexcept { return stats_; }

    [[nodiscard]] nlohmann::ordered_json manifest(const RunIdentity& identity) const {
        nlohmann::ordered_json m = manifest_head(identity);
        m["tasks"] = nlohmann::ordered_json::array({"fictional"});
        m["fictional_mode"] = std::string(name(settings_.modes));
        if (generate()) m["max_new_tokens"] = settings_.max_new_tokens;
        m["prompt_template"] = "alpaca";
        m["share_prefix"] = settings_.share_prefix;
        m["chunk"] = settings_.chunk;
        m["limit"] = settings_.limit;
        m["langs"] = nlohmann::ordered_json::array();
        for (const FictionalTestSet& set : sets_) m["langs"].push_back(std::string(code(set.lang)));
        return m;
    }

    // Answers every language into `run_dir` in chunks of the settings' size; returns how many items were answered now.
    std::size_t answer_all(const std::filesystem::path& run_dir, RunObserver& observer) { return run_sources(sources(run_dir), settings_.chunk, observer); }

    // Per language: its test items, then (not English) its Translate items.
    [[nodiscard]] std::vector<ItemSource> sources(const std::filesystem::path& run_dir) {
        std::vector<ItemSource> out;
        for (std::size_t s = 0; s < sets_.size(); ++s) {
            const FictionalTestSet& set = sets_[s];
            out.push_back(item_source(
                fmt::format("fictional {}", code(set.lang)), fictional_predictions_path(run_dir, set.lang), limited_items(set, settings_.limit),
                [this, s](std::size_t line) -> const FictionalItem& { return sets_[s].items[line].item; },
                [this, s](std::span<const std::size_t> lines, const AskedItems& asked) { return answer_test_items(s, lines, asked); }));
            if (set.lang == Lang::en) continue;
            out.push_back(item_source(
                fmt::format("translate {}", code(set.lang)), fictional_translate_run_path(run_dir, set.lang),
                spread_positions(set.translations.size(), settings_.limit),
                [this, s](std::size_t line) -> const InstructionRecord& { return sets_[s].translations[line]; },
                [this, s](std::span<const std::size_t> lines, const AskedItems& asked) { return answer_translate_items(s, lines, asked); }));
        }
        return out;
    }

private:
    [[nodiscard]] bool generate() const noexcept { return includes(settings_.modes, FictionalMode::generate); }
    [[nodiscard]] bool choice() const noexcept { return includes(settings_.modes, FictionalMode::choice); }
    [[nodiscard]] ScoreOptions options() const { return ScoreOptions{.share_prefix = settings_.share_prefix}; }

    // A choice between sentences after a prompt: each split like lm-evaluation-harness, their common start folded into
    // the context.
    Choice choice_between(const std::string& prompt, const Tokens& context, const std::vector<std::string>& sentences) {
        std::vector<Tokens> continuations;
        for (const std::string& s : sentences) continuations.push_back(continuation_tokens(backend_, prompt, context, s));
        return fold_common_start(context, std::move(continuations));
    }

    // Log-likelihoods (and greedy flags) of every continuation of every context. Continuations of one context are split
    // over several requests when together they would not fit one decode of the backend.
    // `labels`: what each context asks, for messages.
    void score_continuations(const std::vector<Tokens>& contexts, const std::vector<std::vector<Tokens>>& continuations,
                             const std::vector<std::string>& labels, std::vector<std::vector<double>>& logprob, std::vector<std::vector<int>>& greedy) {
        auto [requests, origin] = pack_continuations(contexts, continuations, static_cast<std::size_t>(backend_.info().max_pass_tokens));
        for (std::size_t k = 0; k < requests.size(); ++k) requests[k].label = labels[origin[k].first];
        const std::vector<OptionScores> scores = backend_.score(requests, options(), stats_);
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

    [[nodiscard]] std::vector<Generated> generate_all(const std::vector<Tokens>& contexts) {
        const ScoreOptions o = options();
        return greedy_generate(backend_, std::span<const Tokens>(contexts), generation_, o, stats_);
    }

    // Fictional items are identified by their line in the test file.
    [[nodiscard]] static std::vector<std::string> line_ids(std::span<const std::size_t> lines) {
        std::vector<std::string> out;
        for (std::size_t line : lines) out.push_back(std::to_string(line));
        return out;
    }

    // A chunk of items as the backend is asked them: alpaca prompts, their tokens, and what each is for messages.
    struct AskedItems {
        std::vector<std::string> prompts;
        std::vector<Tokens> contexts;
        std::vector<std::string> labels;
    };

    // The source of one file of items, named `what` in messages: `selected` are the items' lines, `record(line)` the
    // instruction record a line asks, `answer(lines, asked)` the file's lines for a chunk.
    template <typename Record, typename Answer>
    ItemSource item_source(std::string what, std::filesystem::path path, std::vector<std::size_t> selected, Record record, Answer answer) {
        ItemSource source;
        source.label = what;
        source.path = std::move(path);
        source.uuids = line_ids(selected);
        source.answer = [this, what = std::move(what), selected = std::move(selected), record, answer](std::size_t start, std::size_t end) {
            AskedItems asked;
            for (std::size_t k = start; k < end; ++k) {
                const auto& r = record(selected[k]);
                asked.prompts.push_back(alpaca_prompt(r.prompt, r.input));
                asked.contexts.push_back(backend_.tokenize(asked.prompts.back(), true));
                asked.labels.push_back(fmt::format("{} item \"{}\"", what, selected[k]));
            }
            return answer(std::span<const std::size_t>(selected).subspan(start, end - start), asked);
        };
        return source;
    }

    std::string answer_test_items(std::size_t s, std::span<const std::size_t> lines, const AskedItems& asked) {
        const FictionalTestSet& set = sets_[s];
        std::vector<FictionalAnswer> answers(lines.size());
        if (choice()) {
            std::vector<Tokens> choice_contexts(lines.size());
            std::vector<std::vector<Tokens>> continuations(lines.size());
            for (std::size_t k = 0; k < lines.size(); ++k) {
                const FictionalItem& item = set.items[lines[k]].item;
                const std::string prefix = answer_prefix(item.answer, item.continent);
                std::vector<std::string> sentences;
                for (const std::string& candidate : set.continents) sentences.push_back(prefix + candidate);
                Choice choice = choice_between(asked.prompts[k], asked.contexts[k], sentences);
                choice_contexts[k] = std::move(choice.context);
                continuations[k] = std::move(choice.continuations);
            }
            std::vector<std::vector<double>> logprob;
            std::vector<std::vector<int>> greedy;
            score_continuations(choice_contexts, continuations, asked.labels, logprob, greedy);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                FictionalAnswer& a = answers[k];
                a.choice_present = true;
                a.scores = logprob[k];
                for (const Tokens& t : continuations[k]) a.n_tokens.push_back(static_cast<int>(t.size()));
                a.chosen = static_cast<std::size_t>(first_argmax(a.scores));
                a.correct_choice = a.chosen == set.items[lines[k]].gold;
            }
        }
        if (generate()) {
            const std::vector<Generated> generated = generate_all(asked.contexts);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                const FictionalTestItem& t = set.items[lines[k]];
                FictionalAnswer& a = answers[k];
                a.generated_present = true;
                a.generated = generated[k].text;
                const int named = named_continent(answer_text(generated[k].text), t.item.city, folded_[s]);
                a.named = named >= 0 ? set.continents[static_cast<std::size_t>(named)] : std::string();
                a.correct_generate = named >= 0 && static_cast<std::size_t>(named) == t.gold;
            }
        }
        std::string out;
        for (std::size_t k = 0; k < answers.size(); ++k) out += fictional_test_line(lines[k], set, asked.prompts[k], answers[k]);
        return out;
    }

    std::string answer_translate_items(std::size_t s, std::span<const std::size_t> lines, const AskedItems& asked) {
        const FictionalTestSet& set = sets_[s];
        std::vector<TranslateAnswer> answers(lines.size());
        if (choice()) {
            std::vector<std::vector<Tokens>> continuations(lines.size());
            for (std::size_t k = 0; k < lines.size(); ++k)
                continuations[k].push_back(continuation_tokens(backend_, asked.prompts[k], asked.contexts[k], set.translations[lines[k]].answer));
            std::vector<std::vector<double>> logprob;
            std::vector<std::vector<int>> greedy;
            score_continuations(asked.contexts, continuations, asked.labels, logprob, greedy);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                answers[k].choice_present = true;
                answers[k].logprob = logprob[k][0];
                answers[k].greedy = greedy[k][0] != 0;
            }
        }
        if (generate()) {
            const std::vector<Generated> generated = generate_all(asked.contexts);
            for (std::size_t k = 0; k < answers.size(); ++k) {
                answers[k].generated_present = true;
                answers[k].generated = generated[k].text;
                answers[k].correct_generate = contains_folded(answer_text(generated[k].text), set.translations[lines[k]].answer);
            }
        }
        std::string out;
        for (std::size_t k = 0; k < answers.size(); ++k)
            out += fictional_translate_line(lines[k], set.translations[lines[k]], asked.prompts[k], answers[k]);
        return out;
    }

    B& backend_;
    FictionalRunSettings settings_;
    std::vector<FictionalTestSet> sets_;
    std::vector<std::vector<std::string>> folded_;  // per set: its continents, case-folded
    GenerationSettings generation_;
    ScoreStats stats_;
};

}  // namespace clika
