#pragma once
// A multiple-choice run (x_copa, x_csqa, x_geo, x_name) on any Backend: its manifest and one ItemSource per task and
// language, for run_sources(). `clika run` is a thin caller; so can an embedding program be:
//
//     clika::MultipleChoiceRun run(backend, {.mode = clika::ScoringMode::letter}, questions);
//     const clika::RunLock lock = clika::open_run_dir(out, run.manifest(identity));
//     clika::RunObserver quiet;
//     run.answer_all(out, quiet);

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clika/dataset.hpp"
#include "clika/eval/engine.hpp"
#include "clika/eval/letter_split.hpp"
#include "clika/eval/runner.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/paths.hpp"
#include "clika/run/prediction_line.hpp"
#include "clika/run/writer.hpp"

namespace clika {

struct MultipleChoiceSettings {
    ScoringMode mode = ScoringMode::letter;
    Shots shots = Shots::one;
    std::size_t limit = 0;  // first N questions of each task and language; 0: all
    std::size_t chunk = 64;
    bool share_prefix = true;
};

template <Backend B>
class MultipleChoiceRun {
public:
    MultipleChoiceRun(B& backend, MultipleChoiceSettings settings, std::vector<TaskQuestions> questions)
        : backend_(backend), settings_(settings), questions_(std::move(questions)), engine_(backend, settings.mode, settings.shots) {
        for (TaskQuestions& tq : questions_)
            for (std::vector<Question>& qs : tq.by_lang)
                if (settings_.limit != 0 && qs.size() > settings_.limit) qs.resize(settings_.limit);
        // Letter mode: each task/language's split from its first question, for run.json; later questions are checked.
        if (settings_.mode == ScoringMode::letter)
            for (const TaskQuestions& tq : questions_) {
                letter_splits_.emplace_back();
                for (const std::vector<Question>& qs : tq.by_lang)
                    letter_splits_.back().push_back(qs.empty() ? LetterSplit{} : engine_.letter_split(qs.front()));
            }
    }

    [[nodiscard]] const std::vector<TaskQuestions>& questions() const noexcept { return questions_; }
    [[nodiscard]] const ScoreStats& stats() const noexcept { return stats_; }

    [[nodiscard]] nlohmann::ordered_json manifest(const RunIdentity& identity) const {
        nlohmann::ordered_json m = manifest_head(identity);
        m["mode"] = std::string(name(settings_.mode));
        m["shots"] = static_cast<int>(settings_.shots);
        m["share_prefix"] = settings_.share_prefix;
        m["chunk"] = settings_.chunk;
        m["limit"] = settings_.limit;
        m["tasks"] = nlohmann::ordered_json::array();
        for (const TaskQuestions& tq : questions_) m["tasks"].push_back(std::string(name(tq.task)));
        m["langs"] = nlohmann::ordered_json::array();
        if (!questions_.empty())
            for (Lang l : questions_.front().langs) m["langs"].push_back(std::string(code(l)));
        // What a finished run holds, so that scoring an unfinished one says so.
        m["questions"] = nlohmann::ordered_json::object();
        for (const TaskQuestions& tq : questions_)
            for (std::size_t l = 0; l < tq.langs.size(); ++l) m["questions"][std::string(name(tq.task))][std::string(code(tq.langs[l]))] = tq.by_lang[l].size();
        if (settings_.mode == ScoringMode::letter) m["letter_continuations"] = letter_continuations_json();
        // Which normalisations the lines' res_norm and res_bytes follow (older runs lack the keys: norm_rule_legacy).
        if (settings_.mode == ScoringMode::loglik) {
            m["res_norm"] = std::string(norm_rule_lm_eval);
            m["res_bytes"] = std::string(bytes_rule_lm_eval);
        }
        return m;
    }

    // Answers every task and language into `run_dir` in chunks of the settings' size (the one the manifest records);
    // returns how many questions were answered now.
    std::size_t answer_all(const std::filesystem::path& run_dir, RunObserver& observer) {
        observer_ = &observer;
        const std::size_t answered = run_sources(sources(run_dir), settings_.chunk, observer);
        observer_ = nullptr;
        return answered;
    }

    // One source per task and language, in task order; requests are planned when a file is first answered.
    [[nodiscard]] std::vector<ItemSource> sources(const std::filesystem::path& run_dir) {
        std::vector<ItemSource> out;
        for (std::size_t t = 0; t < questions_.size(); ++t)
            for (std::size_t l = 0; l < questions_[t].langs.size(); ++l) {
                const TaskQuestions& tq = questions_[t];
                ItemSource s;
                s.label = fmt::format("{} {}", name(tq.task), code(tq.langs[l]));
                s.path = run_predictions_path(run_dir, tq.task, tq.langs[l]);
                s.uuids = uuids_of(tq.by_lang[l]);
                s.finished_before = answers_before_growth(run_dir, tq.task, tq.langs[l]);
                auto requests = std::make_shared<std::vector<ScoreRequest>>();
                s.answer = [this, t, l, requests](std::size_t start, std::size_t end) {
                    const std::vector<Question>& all = questions_[t].by_lang[l];
                    if (requests->empty()) {
                        *requests = engine_.requests(all);
                        check_lengths(questions_[t].task, questions_[t].langs[l], all, *requests);
                    }
                    return answer(t, l, std::span(all).subspan(start, end - start), std::span(*requests).subspan(start, end - start), start);
                };
                out.push_back(std::move(s));
            }
        return out;
    }

private:
    // A question longer than the backend's context can never be scored: refused before any of its file is answered,
    // naming it and the --ctx it needs. One longer than the model's training context is scored, with a warning: the
    // model extrapolates there.
    void check_lengths(Task task, Lang lang, std::span<const Question> questions, std::span<const ScoreRequest> requests) {
        const ModelInfo info = backend_.info();
        std::size_t longest = 0, longest_at = 0, beyond_training = 0;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            std::size_t needed = requests[i].context.size();
            for (const Tokens& c : requests[i].continuations) needed += c.size();
            if (needed > longest) longest = needed, longest_at = i;
            if (info.n_ctx_train > 0 && needed > static_cast<std::size_t>(info.n_ctx_train)) ++beyond_training;
            if (info.n_ctx > 0 && needed > static_cast<std::size_t>(info.n_ctx))
                throw Error(ErrorKind::bad_input, {},
                            fmt::format("{} {} question \"{}\" needs {} tokens (prompt and options), more than the backend's context of {}",
                                        name(task), code(lang), questions[i].uuid, needed, info.n_ctx),
                            fmt::format("--ctx {} or more (and --batch as large if the plugin says so)", needed));
        }
        if (beyond_training > 0 && observer_ != nullptr)
            observer_->warn(fmt::format("{} {}: {} questions are longer than the {} tokens the model was trained on (longest: \"{}\", {} tokens); "
                                        "their scores are extrapolation",
                                        name(task), code(lang), beyond_training, info.n_ctx_train, questions[longest_at].uuid, longest));
    }

    [[nodiscard]] std::string answer(std::size_t t, std::size_t l, std::span<const Question> chunk, std::span<const ScoreRequest> requests,
                                     std::size_t first_id) {
        const ScoreOptions options{.share_prefix = settings_.share_prefix};
        const std::vector<QuestionOutcome> outcomes = engine_.score(chunk, requests, options, stats_);
        std::string lines;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const std::string prompt = build_prompt(chunk[i], settings_.shots);
            if (settings_.mode == ScoringMode::loglik) {
                lines += prediction_line(first_id + i, chunk[i], prompt, settings_.mode, outcomes[i], {});
                continue;
            }
            std::optional<nlohmann::ordered_json> own;  // recorded on the line when it differs from run.json's
            if (!scores_continuations_of(requests[i], letter_splits_[t][l])) own = letter_split_json(engine_.letter_split(chunk[i]));
            lines += prediction_line(first_id + i, chunk[i], prompt, settings_.mode, outcomes[i], backend_.piece(outcomes[i].greedy_next),
                                     own ? &*own : nullptr);
        }
        return lines;
    }

    // Per task, languages with identical continuations listed together.
    [[nodiscard]] nlohmann::ordered_json letter_continuations_json() const {
        nlohmann::ordered_json out = nlohmann::ordered_json::object();
        for (std::size_t t = 0; t < questions_.size(); ++t) {
            nlohmann::ordered_json groups = nlohmann::ordered_json::array();
            std::vector<std::size_t> representative;
            for (std::size_t l = 0; l < questions_[t].langs.size(); ++l) {
                const LetterSplit& split = letter_splits_[t][l];
                std::size_t g = 0;
                while (g < representative.size() && !letter_splits_[t][representative[g]].same_continuations(split)) ++g;
                if (g == representative.size()) {
                    representative.push_back(l);
                    nlohmann::ordered_json group;
                    group["langs"] = nlohmann::ordered_json::array();
                    const nlohmann::ordered_json described = letter_split_json(split);
                    for (const auto& [key, value] : described.items()) group[key] = value;
                    groups.push_back(std::move(group));
                }
                groups[g]["langs"].push_back(std::string(code(questions_[t].langs[l])));
            }
            out[std::string(name(questions_[t].task))] = std::move(groups);
        }
        return out;
    }

    B& backend_;
    MultipleChoiceSettings settings_;
    std::vector<TaskQuestions> questions_;
    Engine<B> engine_;
    std::vector<std::vector<LetterSplit>> letter_splits_;  // [task][lang], letter mode
    ScoreStats stats_;
    RunObserver* observer_ = nullptr;  // while answer_all runs: where warnings go
};

}  // namespace clika
