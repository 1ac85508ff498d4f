#pragma once
// Scores for named task families in any languages (lm-evaluation-harness samples and the like): per family and language
// accuracy, RA, consistency against a pivot language (en-CO) and RankC, each with a percentile bootstrap interval.
//
// Consistency needs parallel questions: a family counts as parallel when every language has the same document ids;
// otherwise (xwinograd: different counts per language) it gets accuracy and RA only, and `consistency_note` says why.
// Bootstrap: resample b of family f draws question positions from SplitMix64(resample_seed(seed, b, f << 16)), the same
// draws for every language of a parallel family, so their estimates and intervals come from the same resamples;
// a non-parallel family's language l draws from stream (f << 16) + l + 1.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/rank_consistency.hpp"
#include "clika/metrics/rescaled_accuracy.hpp"
#include "clika/metrics/scoring_settings.hpp"
#include "clika/parallel.hpp"

namespace clika {

// One language of a family: per question (in source order) its id, outcome and option scores.
struct FamilyLang {
    std::string lang;         // normalised language code
    std::string source_task;  // the name the source gave it (lm-eval task name)
    std::filesystem::path source;
    std::vector<std::string> doc_ids;
    std::vector<std::uint8_t> correct;
    std::vector<std::vector<double>> option_scores;  // one score per option, option order
};

struct Family {
    std::string name;
    std::size_t option_count = 0;
    // RA's reference accuracy in percent and where it comes from; default: a perfect model (RA = chance-corrected accuracy).
    double reference_percent = 100.0;
    std::string reference_source = "a perfect model: chance-corrected accuracy";
    std::vector<FamilyLang> langs;
};

struct FamilySettings : ScoringSettings {
    // Consistency is measured against the first of these languages that a family has.
    std::vector<std::string> pivots{"en"};
};

struct MetricEstimate {
    double value = not_a_number;
    Interval ci;
};

struct FamilyLangScore {
    std::string lang;
    std::string source_task;
    std::filesystem::path source;
    std::size_t questions = 0;
    std::size_t correct = 0;
    MetricEstimate accuracy;  // fraction
    MetricEstimate ra;        // fraction
    MetricEstimate en_co;     // against the pivot; NaN for the pivot itself and for non-parallel families
    MetricEstimate rank_c;    // against the pivot; likewise
};

struct FamilyScore {
    std::string name;
    std::size_t option_count = 0;
    double chance = not_a_number;
    double reference_percent = 100.0;
    std::string reference_source;
    std::string pivot;                 // empty when consistency is not measured
    bool parallel = false;
    std::string consistency_note;      // why en-CO and RankC are missing; empty when they are reported
    std::vector<FamilyLangScore> langs;  // sorted by language code, pivot first

    [[nodiscard]] const FamilyLangScore* find(std::string_view lang) const {
        for (const FamilyLangScore& l : langs)
            if (l.lang == lang) return &l;
        return nullptr;
    }
};

struct FamilyScorecard {
    std::string model;
    std::string source;  // "lm-eval samples", ...
    std::string metric;  // which per-sample metric decided correct (acc, acc_norm)
    FamilySettings settings;
    std::vector<FamilyScore> families;  // sorted by name
    std::vector<std::string> warnings;  // files skipped and why

    [[nodiscard]] const FamilyScore* find(std::string_view family) const {
        for (const FamilyScore& f : families)
            if (f.name == family) return &f;
        return nullptr;
    }
};

namespace detail_family {

// Per-question values of one language, in the order the bootstrap draws from.
struct LangColumns {
    std::vector<std::uint8_t> correct;
    std::vector<std::uint8_t> pivot_correct;  // empty when consistency is not measured
    std::vector<double> rank_c;               // RankC_q against the pivot; likewise
};

struct Estimates {
    double accuracy = not_a_number, ra = not_a_number, en_co = not_a_number, rank_c = not_a_number;
};

// counts: how often each question was drawn (empty: every question once).
[[nodiscard]] inline Estimates estimate(const LangColumns& c, std::span<const std::uint32_t> counts, double chance, double reference) {
    double n = 0, correct = 0, correct_both = 0, rank = 0;
    for (std::size_t i = 0; i < c.correct.size(); ++i) {
        const double k = counts.empty() ? 1.0 : counts[i];
        n += k;
        correct += k * c.correct[i];
        if (!c.pivot_correct.empty()) correct_both += k * (c.correct[i] & c.pivot_correct[i]);
        if (!c.rank_c.empty()) rank += k * c.rank_c[i];
    }
    Estimates e;
    if (n <= 0) return e;
    e.accuracy = correct / n;
    e.ra = rescaled_accuracy(e.accuracy, chance, reference);
    if (!c.pivot_correct.empty() && correct > 0) e.en_co = correct_both / correct;
    if (!c.rank_c.empty()) e.rank_c = rank / n;
    return e;
}

// Why a family's languages cannot be compared question by question; empty when they can.
[[nodiscard]] inline std::string not_parallel_reason(const Family& family) {
    if (family.langs.size() < 2) return "one language only";
    bool same_counts = true;
    for (const FamilyLang& l : family.langs) same_counts = same_counts && l.doc_ids.size() == family.langs.front().doc_ids.size();
    if (!same_counts) {
        std::string counts;
        for (const FamilyLang& l : family.langs) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", l.lang, l.doc_ids.size());
        return fmt::format("languages have different document counts ({}): not parallel", counts);
    }
    std::vector<std::string> first = family.langs.front().doc_ids;
    std::sort(first.begin(), first.end());
    for (const FamilyLang& l : family.langs) {
        std::vector<std::string> ids = l.doc_ids;
        std::sort(ids.begin(), ids.end());
        if (ids != first) return fmt::format("{} and {} have different doc_ids: not parallel", family.langs.front().lang, l.lang);
    }
    return {};
}

}  // namespace detail_family

[[nodiscard]] inline FamilyScore score_family(const Family& family, std::size_t family_index, const FamilySettings& settings) {
    FamilyScore out;
    out.name = family.name;
    out.option_count = family.option_count;
    out.chance = family.option_count == 0 ? not_a_number : 1.0 / static_cast<double>(family.option_count);
    out.reference_percent = family.reference_percent;
    out.reference_source = family.reference_source;
    out.consistency_note = detail_family::not_parallel_reason(family);
    out.parallel = out.consistency_note.empty();

    std::vector<const FamilyLang*> langs;
    for (const FamilyLang& l : family.langs) langs.push_back(&l);
    std::sort(langs.begin(), langs.end(), [](const FamilyLang* a, const FamilyLang* b) { return a->lang < b->lang; });
    const FamilyLang* pivot = nullptr;
    if (out.parallel) {
        for (const std::string& wanted : settings.pivots)
            for (const FamilyLang* l : langs)
                if (pivot == nullptr && l->lang == wanted) pivot = l;
        if (pivot == nullptr) {
            std::string have, asked;
            for (const FamilyLang* l : langs) have += (have.empty() ? "" : " ") + l->lang;
            for (const std::string& p : settings.pivots) asked += (asked.empty() ? "" : ",") + p;
            out.consistency_note = fmt::format("no pivot language ({}) in this family: pass --pivot with one of {}", asked, have);
        } else {
            out.pivot = pivot->lang;
            std::stable_partition(langs.begin(), langs.end(), [&](const FamilyLang* l) { return l == pivot; });
        }
    }

    // Columns in the pivot's question order (parallel) or each language's own order.
    std::vector<detail_family::LangColumns> columns(langs.size());
    for (std::size_t k = 0; k < langs.size(); ++k) {
        const FamilyLang& l = *langs[k];
        detail_family::LangColumns& c = columns[k];
        if (pivot == nullptr || &l == pivot) {
            c.correct = l.correct;
            continue;
        }
        std::unordered_map<std::string_view, std::size_t> position;
        for (std::size_t i = 0; i < l.doc_ids.size(); ++i) position.emplace(l.doc_ids[i], i);
        const std::size_t n = pivot->doc_ids.size();
        c.correct.resize(n);
        c.pivot_correct = pivot->correct;
        c.rank_c.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = position.at(pivot->doc_ids[i]);  // same id sets: checked by not_parallel_reason
            c.correct[i] = l.correct[at];
            c.rank_c[i] = question_rank_consistency(l.option_scores[at], pivot->option_scores[i]);
        }
    }

    const double reference = family.reference_percent / 100.0;
    for (std::size_t k = 0; k < langs.size(); ++k) {
        FamilyLangScore s;
        s.lang = langs[k]->lang;
        s.source_task = langs[k]->source_task;
        s.source = langs[k]->source;
        s.questions = langs[k]->correct.size();
        s.correct = count_correct(langs[k]->correct);
        const detail_family::Estimates e = detail_family::estimate(columns[k], {}, out.chance, reference);
        s.accuracy.value = e.accuracy;
        s.ra.value = e.ra;
        s.en_co.value = e.en_co;
        s.rank_c.value = e.rank_c;
        out.langs.push_back(std::move(s));
    }

    const std::size_t resamples = settings.bootstrap_resamples;
    if (resamples == 0) return out;
    // samples[k][b]: language k's estimates in resample b.
    std::vector<std::vector<detail_family::Estimates>> samples(langs.size(), std::vector<detail_family::Estimates>(resamples));
    auto work = [&](std::size_t begin, std::size_t end) {
        std::vector<std::uint32_t> counts;
        for (std::size_t b = begin; b < end; ++b) {
            for (std::size_t k = 0; k < langs.size(); ++k) {
                if (k == 0 || pivot == nullptr) {
                    const std::uint64_t stream = (static_cast<std::uint64_t>(family_index) << 16) + (pivot == nullptr ? k + 1 : 0);
                    SplitMix64 rng(resample_seed(settings.seed, b, stream));
                    counts.resize(columns[k].correct.size());
                    draw_item_counts(rng, counts);
                }
                samples[k][b] = detail_family::estimate(columns[k], counts, out.chance, reference);
            }
        }
    };
    const unsigned threads = worker_count(settings.threads, resamples);
    parallel_for(threads, threads, [&](std::size_t i) { work(resamples * i / threads, resamples * (i + 1) / threads); });

    std::vector<double> column(resamples);
    auto interval_of = [&](std::size_t k, double detail_family::Estimates::*field, MetricEstimate& into) {
        if (!std::isfinite(into.value)) return;
        for (std::size_t b = 0; b < resamples; ++b) column[b] = samples[k][b].*field;
        into.ci = percentile_interval(column, settings.confidence);
    };
    for (std::size_t k = 0; k < langs.size(); ++k) {
        interval_of(k, &detail_family::Estimates::accuracy, out.langs[k].accuracy);
        interval_of(k, &detail_family::Estimates::ra, out.langs[k].ra);
        interval_of(k, &detail_family::Estimates::en_co, out.langs[k].en_co);
        interval_of(k, &detail_family::Estimates::rank_c, out.langs[k].rank_c);
    }
    return out;
}

// Every family, sorted by name; the family's index in that order picks its bootstrap streams.
[[nodiscard]] inline std::vector<FamilyScore> score_families(std::vector<Family> families, const FamilySettings& settings) {
    std::sort(families.begin(), families.end(), [](const Family& a, const Family& b) { return a.name < b.name; });
    std::vector<FamilyScore> out;
    for (std::size_t f = 0; f < families.size(); ++f) out.push_back(score_family(families[f], f, settings));
    return out;
}

}  // namespace clika
