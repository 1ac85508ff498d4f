#pragma once
// Everything `clika score` reports, computed by one function from per-question tallies: the point estimate uses
// every question once, each bootstrap resample uses drawn multiplicities, so estimates and intervals cannot disagree.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "clika/language.hpp"
#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/rank_consistency.hpp"
#include "clika/metrics/rescaled_accuracy.hpp"
#include "clika/metrics/scoring_settings.hpp"
#include "clika/parallel.hpp"
#include "clika/results.hpp"
#include "clika/task.hpp"

namespace clika {

inline constexpr std::size_t mc_task_count = multiple_choice_tasks.size();
inline constexpr std::size_t level_count = 2;  // basic, factual
inline constexpr std::size_t column_count = lang_count + 1;  // the ten languages, then "others"
inline constexpr std::size_t others_column = lang_count;

inline constexpr std::array<Level, level_count> scored_levels{Level::basic, Level::factual};

[[nodiscard]] constexpr std::array<double, mc_task_count> paper_references_percent() noexcept {
    std::array<double, mc_task_count> out{};
    for (Task task : multiple_choice_tasks) out[static_cast<std::size_t>(task)] = spec(task).paper_reference_percent;
    return out;
}

// CLiKA's tasks: the shared settings plus RA's reference accuracies.
struct ScoreSettings : ScoringSettings {
    std::array<double, mc_task_count> reference_percent = paper_references_percent();
    std::string reference_source = "paper";
};

// A flat vector of every reported number; NaN where a task or language is absent.
class Metrics {
public:
    static constexpr std::size_t task_measures = 6;  // accuracy, RA, en-CO, RankC, acc_norm, acc_bytes
    static constexpr std::size_t size = task_measures * mc_task_count * lang_count + 2 * level_count * column_count;

    Metrics() { values_.fill(not_a_number); }

    double& accuracy(Task t, Lang l) { return values_[task_slot(0, t, l)]; }
    double& rescaled(Task t, Lang l) { return values_[task_slot(1, t, l)]; }
    double& en_co(Task t, Lang l) { return values_[task_slot(2, t, l)]; }
    double& rank_c(Task t, Lang l) { return values_[task_slot(3, t, l)]; }
    double& accuracy_norm(Task t, Lang l) { return values_[task_slot(4, t, l)]; }
    double& accuracy_bytes(Task t, Lang l) { return values_[task_slot(5, t, l)]; }
    double& level_ra(Level v, std::size_t column) { return values_[level_slot(0, v, column)]; }
    double& level_en_co(Level v, std::size_t column) { return values_[level_slot(1, v, column)]; }

    [[nodiscard]] double accuracy(Task t, Lang l) const { return values_[task_slot(0, t, l)]; }
    [[nodiscard]] double rescaled(Task t, Lang l) const { return values_[task_slot(1, t, l)]; }
    [[nodiscard]] double en_co(Task t, Lang l) const { return values_[task_slot(2, t, l)]; }
    [[nodiscard]] double rank_c(Task t, Lang l) const { return values_[task_slot(3, t, l)]; }
    [[nodiscard]] double accuracy_norm(Task t, Lang l) const { return values_[task_slot(4, t, l)]; }
    [[nodiscard]] double accuracy_bytes(Task t, Lang l) const { return values_[task_slot(5, t, l)]; }
    [[nodiscard]] double level_ra(Level v, std::size_t column) const { return values_[level_slot(0, v, column)]; }
    [[nodiscard]] double level_en_co(Level v, std::size_t column) const { return values_[level_slot(1, v, column)]; }

    [[nodiscard]] double operator[](std::size_t i) const { return values_[i]; }
    double& operator[](std::size_t i) { return values_[i]; }

private:
    static constexpr std::size_t task_slot(std::size_t measure, Task t, Lang l) {
        return (measure * mc_task_count + static_cast<std::size_t>(t)) * lang_count + index(l);
    }
    static constexpr std::size_t level_slot(std::size_t measure, Level v, std::size_t column) {
        return task_measures * mc_task_count * lang_count + (measure * level_count + static_cast<std::size_t>(v)) * column_count + column;
    }

    std::array<double, size> values_;
};

// Weighted counts of one task: total weight, weighted correct per language, weighted correct in English and X, and the
// weighted sums of the per-question measures (NaN where a language has none): RankC_q against English, and loglik
// runs' correctness by res_norm and res_bytes.
struct TaskTally {
    double questions = 0;
    std::array<double, lang_count> correct{};
    std::array<double, lang_count> correct_with_english{};
    std::array<double, lang_count> rank_c_sum = nans();
    std::array<double, lang_count> correct_norm_sum = nans();   // loglik runs' acc_norm
    std::array<double, lang_count> correct_bytes_sum = nans();  // and acc_bytes

    static constexpr std::array<double, lang_count> nans() {
        std::array<double, lang_count> out{};
        out.fill(not_a_number);
        return out;
    }
};

struct Tallies {
    std::array<TaskTally, mc_task_count> task;
};

namespace detail {

[[nodiscard]] inline double mean_of_finite(std::span<const double> values) {
    double sum = 0;
    std::size_t n = 0;
    for (double v : values)
        if (std::isfinite(v)) { sum += v; ++n; }
    return n == 0 ? not_a_number : sum / static_cast<double>(n);
}

}  // namespace detail

// Which task/language pairs have results: absent ones stay NaN instead of counting as zero.
using Presence = std::array<std::array<bool, lang_count>, mc_task_count>;

// Task/language pairs whose numbers would not be measurements (LangResults::bounded, ::unranked): `decision`, some
// answer was decided between bounds only (accuracy, RA, en-CO there and en-CO of every language against English, and
// the levels and "others" built on them, are null); `ranking`, some answer has two or more bounded letters (RankC
// there, and against English for every language, is null).
struct Unmeasured {
    Presence decision{};
    Presence ranking{};
};

[[nodiscard]] inline Metrics evaluate(const Tallies& tallies, const Presence& present, const ScoreSettings& settings,
                                      const Unmeasured& unmeasured = {}) {
    Metrics m;
    for (Task task : multiple_choice_tasks) {
        const std::size_t t = static_cast<std::size_t>(task);
        const TaskTally& tally = tallies.task[t];
        const double chance = spec(task).chance();
        const double reference = settings.reference_percent[t] / 100.0;
        for (Lang lang : all_langs) {
            const std::size_t l = index(lang);
            if (!present[t][l] || tally.questions <= 0) continue;
            const bool decided = !unmeasured.decision[t][l];
            const double acc = tally.correct[l] / tally.questions;
            if (decided) {
                m.accuracy(task, lang) = acc;
                m.rescaled(task, lang) = rescaled_accuracy(acc, chance, reference);
            }
            if (lang != Lang::en && present[t][index(Lang::en)] && tally.correct[l] > 0 && decided && !unmeasured.decision[t][index(Lang::en)])
                m.en_co(task, lang) = tally.correct_with_english[l] / tally.correct[l];
            if (std::isfinite(tally.rank_c_sum[l]) && !unmeasured.ranking[t][l] && !unmeasured.ranking[t][index(Lang::en)])
                m.rank_c(task, lang) = tally.rank_c_sum[l] / tally.questions;
            if (std::isfinite(tally.correct_norm_sum[l])) m.accuracy_norm(task, lang) = tally.correct_norm_sum[l] / tally.questions;
            if (std::isfinite(tally.correct_bytes_sum[l])) m.accuracy_bytes(task, lang) = tally.correct_bytes_sum[l] / tally.questions;
        }
    }
    for (Level level : scored_levels) {
        const auto [first, second] = level_tasks(level);
        std::array<double, lang_count> ra{}, co{};
        for (Lang lang : all_langs) {
            // The paper's level RA is the mean of its two tasks' RA (a fraction here, like every number the engine
            // gives; human tables print it in percent); en-CO likewise averages tasks.
            ra[index(lang)] = (m.rescaled(first, lang) + m.rescaled(second, lang)) / 2.0;
            co[index(lang)] = (m.en_co(first, lang) + m.en_co(second, lang)) / 2.0;
            m.level_ra(level, index(lang)) = ra[index(lang)];
            m.level_en_co(level, index(lang)) = co[index(lang)];
        }
        std::array<double, other_langs.size()> other_ra{}, other_co{};
        // "others" skips absent languages (and says so in the warnings), but never one that is present and unmeasured.
        bool ra_unmeasured = false, co_unmeasured = false;
        for (std::size_t i = 0; i < other_langs.size(); ++i) {
            other_ra[i] = ra[index(other_langs[i])];
            other_co[i] = co[index(other_langs[i])];
            for (Task task : {first, second}) {
                const std::size_t t = static_cast<std::size_t>(task);
                if (!present[t][index(other_langs[i])]) continue;
                ra_unmeasured = ra_unmeasured || unmeasured.decision[t][index(other_langs[i])];
                co_unmeasured = co_unmeasured || unmeasured.decision[t][index(other_langs[i])] || unmeasured.decision[t][index(Lang::en)];
            }
        }
        m.level_ra(level, others_column) = ra_unmeasured ? not_a_number : detail::mean_of_finite(other_ra);
        m.level_en_co(level, others_column) = co_unmeasured ? not_a_number : detail::mean_of_finite(other_co);
    }
    return m;
}

struct TaskLangCounts {
    std::size_t questions = 0;
    std::size_t correct = 0;
    std::size_t off_format = 0;  // answers that named no option letter
    std::size_t bounded = 0;     // answers decided between upper bounds only (LangResults::bounded)
    std::size_t unranked = 0;    // answers with two or more letters bounded (LangResults::unranked)
};

struct Scorecard {
    std::string model;
    ScoreSettings settings;
    Presence present{};
    std::array<std::array<TaskLangCounts, lang_count>, mc_task_count> counts{};
    Metrics point;
    Metrics low;   // lower bound of the bootstrap interval, per metric
    Metrics high;  // upper bound
    std::vector<Lang> others;           // the languages "others" averages: all eight besides en and zh unless some are absent
    std::vector<std::string> warnings;  // what makes these numbers not the paper's protocol; every report shows them

    [[nodiscard]] bool has(Task t, Lang l) const { return present[static_cast<std::size_t>(t)][index(l)]; }
    [[nodiscard]] const TaskLangCounts& count(Task t, Lang l) const { return counts[static_cast<std::size_t>(t)][index(l)]; }

    // Answers decided between bounds only among those a number draws on, shown beside the numbers they make null: a
    // task's in `lang` (with_english: en-CO, which reads English's answers too), or a level's in a column (others: every
    // "others" language).
    [[nodiscard]] std::size_t bounded(Task t, Lang l, bool with_english) const {
        if (!has(t, l)) return 0;
        return count(t, l).bounded + (with_english && l != Lang::en ? count(t, Lang::en).bounded : 0);
    }
    [[nodiscard]] std::size_t bounded(Level level, std::size_t column, bool with_english) const {
        std::vector<Lang> langs = column == others_column ? others : std::vector<Lang>{all_langs[column]};
        std::size_t n = 0;
        for (Task task : level_tasks(level)) {
            bool any = false;
            for (Lang lang : langs) {
                n += count(task, lang).bounded;
                any = any || has(task, lang);
            }
            if (with_english && any && column != index(Lang::en)) n += count(task, Lang::en).bounded;  // once per task
        }
        return n;
    }
    // Answers with two or more bounded letters that RankC of `lang` against English draws on.
    [[nodiscard]] std::size_t unranked(Task t, Lang l) const {
        if (!has(t, l)) return 0;
        return count(t, l).unranked + (l != Lang::en ? count(t, Lang::en).unranked : 0);
    }
};

namespace detail {

// A question's outcome across languages is one bit per language; questions with the same bits count the same, so a
// resample only needs how often each distinct pattern was drawn (a few hundred) instead of per-question weights.
struct OutcomePatterns {
    std::vector<std::uint16_t> patterns;     // distinct outcome patterns, bit l = correct in language l
    std::vector<std::uint32_t> of_question;  // index into patterns, per question
};

[[nodiscard]] inline OutcomePatterns outcome_patterns(const AlignedTask& aligned) {
    static_assert(lang_count <= 16);
    OutcomePatterns out;
    out.of_question.resize(aligned.question_count);
    std::array<std::int32_t, 1u << lang_count> slot;
    slot.fill(-1);
    for (std::size_t i = 0; i < aligned.question_count; ++i) {
        std::uint16_t bits = 0;
        for (Lang lang : all_langs)
            if (const auto& correct = aligned.correct[index(lang)]; correct && (*correct)[i] != 0) bits |= std::uint16_t(1u << index(lang));
        if (slot[bits] < 0) {
            slot[bits] = static_cast<std::int32_t>(out.patterns.size());
            out.patterns.push_back(bits);
        }
        out.of_question[i] = static_cast<std::uint32_t>(slot[bits]);
    }
    return out;
}

inline void tally_patterns(const OutcomePatterns& table, std::span<const std::uint32_t> drawn, TaskTally& out) {
    out = TaskTally{};
    constexpr std::uint16_t english_bit = 1u << index(Lang::en);
    for (std::size_t p = 0; p < table.patterns.size(); ++p) {
        const double k = drawn[p];
        const std::uint16_t bits = table.patterns[p];
        out.questions += k;
        for (std::size_t l = 0; l < lang_count; ++l) {
            if ((bits >> l & 1u) == 0) continue;
            out.correct[l] += k;
            if ((bits & english_bit) != 0) out.correct_with_english[l] += k;
        }
    }
}

// Per language, one value per question in English's order; empty where the language has none.
using LangValues = std::array<std::vector<double>, lang_count>;

// RankC_q against English per question; empty where either side lacks option scores.

[[nodiscard]] inline LangValues rank_values_against_english(const AlignedTask& aligned) {
    LangValues out;
    const auto& english = aligned.option_scores[index(Lang::en)];
    if (!english) return out;
    for (Lang lang : all_langs) {
        const auto& other = aligned.option_scores[index(lang)];
        if (lang == Lang::en || !other) continue;
        out[index(lang)].resize(aligned.question_count);
        for (std::size_t i = 0; i < aligned.question_count; ++i) out[index(lang)][i] = question_rank_consistency((*other)[i], (*english)[i]);
    }
    return out;
}

[[nodiscard]] inline bool has_any(const LangValues& values) {
    for (const auto& v : values)
        if (!v.empty()) return true;
    return false;
}

// loglik runs' per-question correctness by res_norm or res_bytes, per language.
[[nodiscard]] inline LangValues correctness_values(const std::array<std::optional<std::vector<std::uint8_t>>, lang_count>& correct) {
    LangValues out;
    for (std::size_t l = 0; l < lang_count; ++l)
        if (correct[l]) out[l].assign(correct[l]->begin(), correct[l]->end());
    return out;
}

// Weighted sums of per-question values; `counts` is per question, or empty for every question once.
inline void tally_values(const LangValues& values, std::span<const std::uint32_t> counts, std::array<double, lang_count>& sums) {
    for (std::size_t l = 0; l < lang_count; ++l) {
        if (values[l].empty()) continue;
        double sum = 0;
        for (std::size_t i = 0; i < values[l].size(); ++i) sum += (counts.empty() ? 1.0 : counts[i]) * values[l][i];
        sums[l] = sum;
    }
}

// The per-question measures beyond the outcome patterns: RankC, acc_norm, acc_bytes.
struct PerQuestionValues {
    LangValues rank_c, correct_norm, correct_bytes;

    [[nodiscard]] bool any() const { return has_any(rank_c) || has_any(correct_norm) || has_any(correct_bytes); }
    void tally(std::span<const std::uint32_t> counts, TaskTally& out) const {
        tally_values(rank_c, counts, out.rank_c_sum);
        tally_values(correct_norm, counts, out.correct_norm_sum);
        tally_values(correct_bytes, counts, out.correct_bytes_sum);
    }
};

}  // namespace detail

// What answers decided between bounds only do to a report, and how to get measurements instead.
[[nodiscard]] inline std::string bounded_warning(std::size_t bounded, std::size_t unranked) {
    std::string out;
    if (bounded > 0)
        out = fmt::format("{} answers were decided between upper bounds only (their chosen letter was outside the server's top-K "
                          "log-probabilities): accuracy, RA and en-CO drawing on them are null, shown as \"- (N bounded)\"",
                          bounded);
    if (unranked > 0)
        out += fmt::format("{}{} answers have two or more letters outside the top K, in an unknown order: RankC drawing on them is null",
                           out.empty() ? "" : "; ", unranked);
    return out + "; raise --top-logprobs (clika run into a new --out; vLLM serves at most its --max-logprobs)";
}

[[nodiscard]] inline Scorecard score(const ResultSet& results, const ScoreSettings& settings = {}) {
    Scorecard card;
    card.model = results.model;
    card.settings = settings;
    std::array<AlignedTask, mc_task_count> aligned;
    for (Task task : multiple_choice_tasks) {
        const std::size_t t = static_cast<std::size_t>(task);
        aligned[t] = align(results, task);
        for (Lang lang : all_langs) {
            const auto& r = results.get(task, lang);
            if (!r) continue;
            card.present[t][index(lang)] = true;
            TaskLangCounts& c = card.counts[t][index(lang)];
            c.questions = r->correct.size();
            c.correct = count_correct(r->correct);
            c.off_format = r->off_format;
            c.bounded = r->bounded;
            c.unranked = r->unranked;
        }
    }

    for (Lang lang : other_langs)
        if (std::any_of(card.present.begin(), card.present.end(), [&](const auto& row) { return row[index(lang)]; })) card.others.push_back(lang);
    if (!card.others.empty() && card.others.size() < other_langs.size()) {
        std::string listed;
        for (Lang lang : card.others) listed += fmt::format("{}{}", listed.empty() ? "" : ", ", code(lang));
        card.warnings.push_back(fmt::format("\"others\" is the mean over {} only ({} of the {} languages besides en and zh), not the paper's",
                                            listed, card.others.size(), other_langs.size()));
    }

    Unmeasured unmeasured;
    std::size_t bounded = 0, unranked = 0;
    for (std::size_t t = 0; t < mc_task_count; ++t)
        for (std::size_t l = 0; l < lang_count; ++l) {
            bounded += card.counts[t][l].bounded;
            unranked += card.counts[t][l].unranked;
            unmeasured.decision[t][l] = card.counts[t][l].bounded > 0;
            unmeasured.ranking[t][l] = card.counts[t][l].unranked > 0;
        }

    std::array<detail::OutcomePatterns, mc_task_count> patterns;
    std::array<detail::PerQuestionValues, mc_task_count> per_question_values;
    Tallies unit;
    for (std::size_t t = 0; t < mc_task_count; ++t) {
        patterns[t] = detail::outcome_patterns(aligned[t]);
        per_question_values[t] = {detail::rank_values_against_english(aligned[t]), detail::correctness_values(aligned[t].correct_norm),
                                  detail::correctness_values(aligned[t].correct_bytes)};
        std::vector<std::uint32_t> every_question_once(patterns[t].patterns.size(), 0u);
        for (std::uint32_t p : patterns[t].of_question) ++every_question_once[p];
        detail::tally_patterns(patterns[t], every_question_once, unit.task[t]);
        per_question_values[t].tally({}, unit.task[t]);
    }
    card.point = evaluate(unit, card.present, settings, unmeasured);
    // Last, so that it is the last line under a table: what to do about it.
    if (bounded + unranked > 0) card.warnings.push_back(bounded_warning(bounded, unranked));

    const std::size_t resamples = settings.bootstrap_resamples;
    if (resamples == 0) return card;
    std::vector<Metrics> samples(resamples);
    auto work = [&](std::size_t begin, std::size_t end) {
        std::array<std::vector<std::uint32_t>, mc_task_count> drawn, per_question;
        for (std::size_t t = 0; t < mc_task_count; ++t) {
            drawn[t].resize(patterns[t].patterns.size());
            if (per_question_values[t].any()) per_question[t].resize(aligned[t].question_count);
        }
        Tallies tallies;
        for (std::size_t b = begin; b < end; ++b) {
            for (std::size_t t = 0; t < mc_task_count; ++t) {
                SplitMix64 rng(resample_seed(settings.seed, b, t));
                if (per_question[t].empty()) {
                    draw_pattern_counts(rng, patterns[t].of_question, drawn[t]);
                } else {
                    // The same draws, kept per question for RankC and acc_norm/acc_bytes, then folded into patterns.
                    draw_item_counts(rng, per_question[t]);
                    std::fill(drawn[t].begin(), drawn[t].end(), 0u);
                    for (std::size_t i = 0; i < per_question[t].size(); ++i) drawn[t][patterns[t].of_question[i]] += per_question[t][i];
                }
                detail::tally_patterns(patterns[t], drawn[t], tallies.task[t]);
                per_question_values[t].tally(per_question[t], tallies.task[t]);
            }
            samples[b] = evaluate(tallies, card.present, settings, unmeasured);
        }
    };
    const unsigned threads = worker_count(settings.threads, resamples);
    parallel_for(threads, threads, [&](std::size_t i) { work(resamples * i / threads, resamples * (i + 1) / threads); });

    std::vector<double> column(resamples);
    for (std::size_t k = 0; k < Metrics::size; ++k) {
        if (!std::isfinite(card.point[k])) continue;
        for (std::size_t b = 0; b < resamples; ++b) column[b] = samples[b][k];
        Interval ci = percentile_interval(column, settings.confidence);
        card.low[k] = ci.low;
        card.high[k] = ci.high;
    }
    return card;
}

// RA references taken from a model's English accuracy, for `--reference MODEL`.
[[nodiscard]] inline std::array<double, mc_task_count> references_from(const ResultSet& reference) {
    std::array<double, mc_task_count> out = paper_references_percent();
    for (Task task : multiple_choice_tasks) {
        const auto& english = reference.get(task, Lang::en);
        if (!english) fail_input({}, fmt::format("reference model {} has no English {} predictions", reference.model, name(task)));
        out[static_cast<std::size_t>(task)] = accuracy(english->correct) * 100.0;
    }
    return out;
}

}  // namespace clika
