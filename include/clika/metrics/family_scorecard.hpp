#pragma once
// Scores for named task families in any languages (lm-evaluation-harness samples and the like): per family and language
// accuracy, RA, consistency against a pivot language (en-CO) and RankC, each with a percentile bootstrap interval.
//
// Consistency needs parallel questions: a family counts as parallel when every language has the same document ids;
// otherwise (xwinograd: different counts per language) it gets accuracy and RA only, and `consistency_note` says why.
// Computed by the outcome engine (metrics/outcome_engine.hpp), one cell per language with the pivot's cell as pivot.
// Bootstrap streams: resample b of family f draws question positions from SplitMix64(resample_seed(seed, b, f << 16)),
// the same draws for every language of a parallel family, so their estimates and intervals come from the same
// resamples; a non-parallel family's language l draws from stream (f << 16) + l + 1.

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
#include "clika/metrics/outcome_engine.hpp"
#include "clika/metrics/rank_consistency.hpp"
#include "clika/metrics/scoring_settings.hpp"

namespace clika {

// One language of a family: per question (in source order) its id, outcome and option scores.
struct FamilyLang {
    std::string lang;         // normalised language code
    std::string source_task;  // the name the source gave it (lm-eval task name)
    std::filesystem::path source;
    std::vector<std::string> doc_ids;
    std::vector<std::uint8_t> correct;
    std::vector<std::vector<double>> option_scores;  // one score per option, option order
    std::vector<std::uint8_t> correct_norm;          // correct by acc_norm too, where the source says; empty otherwise
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
    MetricEstimate acc_norm;  // where the input carries correct_norm; NaN otherwise
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

    // Cells in the pivot's question order (parallel) or each language's own order; the pivot's cell comes first.
    const double reference = family.reference_percent / 100.0;
    std::vector<OutcomeCell> cells(langs.size());
    for (std::size_t k = 0; k < langs.size(); ++k) {
        const FamilyLang& l = *langs[k];
        OutcomeCell& c = cells[k];
        c.chance = out.chance;
        c.reference = reference;
        c.stream = (static_cast<std::uint64_t>(family_index) << 16) + (pivot == nullptr ? k + 1 : 0);
        if (pivot == nullptr || &l == pivot) {
            c.correct = l.correct;
            c.correct_norm = l.correct_norm;
            continue;
        }
        std::unordered_map<std::string_view, std::size_t> position;
        for (std::size_t i = 0; i < l.doc_ids.size(); ++i) position.emplace(l.doc_ids[i], i);
        const std::size_t n = pivot->doc_ids.size();
        c.pivot = 0;
        c.correct.resize(n);
        c.rank_c.resize(n);
        if (!l.correct_norm.empty()) c.correct_norm.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = position.at(pivot->doc_ids[i]);  // same id sets: checked by not_parallel_reason
            c.correct[i] = l.correct[at];
            c.rank_c[i] = question_rank_consistency(l.option_scores[at], pivot->option_scores[i]);
            if (!c.correct_norm.empty()) c.correct_norm[i] = l.correct_norm[at];
        }
    }

    // Per language: accuracy, RA, en-CO, RankC, acc_norm.
    constexpr std::size_t measures = 5;
    const Bootstrapped numbers = bootstrap_cells(cells, measures * cells.size(), settings, [](std::span<const CellEstimates> estimates, std::span<double> values) {
        for (std::size_t k = 0; k < estimates.size(); ++k) {
            const CellEstimates& e = estimates[k];
            const double row[measures] = {e.accuracy, e.ra, e.co, e.rank_c, e.acc_norm};
            std::copy(std::begin(row), std::end(row), values.begin() + static_cast<std::ptrdiff_t>(k * measures));
        }
    });
    for (std::size_t k = 0; k < langs.size(); ++k) {
        FamilyLangScore s;
        s.lang = langs[k]->lang;
        s.source_task = langs[k]->source_task;
        s.source = langs[k]->source;
        s.questions = langs[k]->correct.size();
        s.correct = count_correct(langs[k]->correct);
        MetricEstimate* estimates[measures] = {&s.accuracy, &s.ra, &s.en_co, &s.rank_c, &s.acc_norm};
        for (std::size_t m = 0; m < measures; ++m) {
            estimates[m]->value = numbers.point[k * measures + m];
            estimates[m]->ci = numbers.interval(k * measures + m, settings.confidence);
        }
        out.langs.push_back(std::move(s));
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
