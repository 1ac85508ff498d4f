#pragma once
// The Conductivity level from per-item outcomes: accuracies per language and item type, the paper's training gate and
// XRR with bootstrap intervals.
//
// Per language X (and answer mode):
//   type 0 / type 1 accuracy  over the test items of that type; Translate accuracy over the Translate items (X != en)
//   gate    the paper's completeness check for a model trained on X: Translate(X), English type 0, English type 1
//           and X's type 0 all above 90% (English alone: its type 0 and type 1). XRR of a model that fails it
//           measures a model that never learned the facts.
//   XRR     cross_retrieval_ratio (metrics/xrr.hpp) over the type-1 facts answered in both English and X, matched by
//           line (uuid): c(en) = facts correct in English, c(en ∧ X) = correct in both, chance r = 1/continents.
// Intervals: percentile bootstrap over those facts by the outcome engine (metrics/outcome_engine.hpp): English's
// outcomes are a cell whose pivot is X's, so c(en ∧ X) / c(en) is that cell's CO and XRR its chance-rescaled value.
// Resample b draws fact positions from stream 0xCD (resample_seed(seed, b, 0xCD)), so languages with the same facts
// get the same draws.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clika/fictional/results.hpp"
#include "clika/language.hpp"
#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/outcome_engine.hpp"
#include "clika/metrics/rescaled_accuracy.hpp"
#include "clika/metrics/scoring_settings.hpp"
#include "clika/metrics/xrr.hpp"

namespace clika {

struct Rate {
    std::size_t questions = 0;
    std::size_t correct = 0;
    [[nodiscard]] double value() const noexcept {
        return questions == 0 ? not_a_number : static_cast<double>(correct) / static_cast<double>(questions);
    }
};

struct ConductivityLang {
    bool present = false;
    Rate type0, type1;
    std::optional<Rate> translate;
    double chance = 0.05;
    std::size_t facts = 0;            // type-1 facts answered in both English and this language
    std::size_t correct_english = 0;  // c(en)
    std::size_t correct_both = 0;     // c(en ∧ X)
    double xrr = not_a_number;
    Interval xrr_ci;
    bool gate_passed = false;
    std::vector<std::string> gate_failures;  // why the gate fails, one entry per failing part
};

struct ConductivitySettings : ScoringSettings {
    double gate_threshold = 0.90;  // "above 90%"
};

struct ConductivityCard {
    std::string model;
    FictionalMode mode = FictionalMode::generate;
    ConductivitySettings settings;
    std::array<ConductivityLang, lang_count> langs;

    [[nodiscard]] const ConductivityLang& at(Lang lang) const { return langs[index(lang)]; }
    // Present languages whose gate fails.
    [[nodiscard]] std::vector<Lang> failing_gate() const {
        std::vector<Lang> out;
        for (Lang lang : all_langs)
            if (at(lang).present && !at(lang).gate_passed) out.push_back(lang);
        return out;
    }
};

namespace detail {

inline Rate rate_of(std::span<const std::uint8_t> correct, std::span<const std::uint8_t> type, int wanted) {
    Rate r;
    for (std::size_t i = 0; i < correct.size(); ++i) {
        if (type[i] != wanted) continue;
        ++r.questions;
        r.correct += correct[i];
    }
    return r;
}

inline Rate rate_of(std::span<const std::uint8_t> correct) {
    Rate r;
    r.questions = correct.size();
    for (std::uint8_t c : correct) r.correct += c;
    return r;
}

inline void gate_part(ConductivityLang& l, std::string_view what, const std::optional<Rate>& rate, double threshold) {
    if (!rate || rate->questions == 0) {
        l.gate_failures.push_back(fmt::format("no {} answers", what));
        return;
    }
    if (!(rate->value() > threshold))
        l.gate_failures.push_back(fmt::format("{} {:.1f}% <= {:.0f}%", what, rate->value() * 100.0, threshold * 100.0));
}

}  // namespace detail

// XRR and its interval from aligned per-fact outcomes (english[i], other[i] for fact i).
inline void xrr_with_interval(std::span<const std::uint8_t> english, std::span<const std::uint8_t> other, double chance,
                              const ConductivitySettings& settings, ConductivityLang& out) {
    out.facts = english.size();
    out.correct_english = 0;
    out.correct_both = 0;
    for (std::size_t i = 0; i < english.size(); ++i) {
        out.correct_english += english[i];
        out.correct_both += english[i] & other[i];
    }
    const OutcomeCell facts[] = {{.correct = {english.begin(), english.end()}, .pivot = 1, .chance = chance, .reference = 1.0, .stream = 0xCD},
                                 {.correct = {other.begin(), other.end()}, .chance = chance, .reference = 1.0, .stream = 0xCD}};
    // XRR = max(0, (CO - r) / (1 - r)): RA of the CO with chance r and a perfect reference; undefined where CO is.
    const Bootstrapped xrr = bootstrap_cells(facts, 1, settings, [chance](std::span<const CellEstimates> estimates, std::span<double> value) {
        const double co = estimates[0].co;
        value[0] = std::isfinite(co) ? rescaled_accuracy(co, chance, 1.0) : not_a_number;
    });
    out.xrr = xrr.point[0];
    out.xrr_ci = xrr.interval(0, settings.confidence);
}

[[nodiscard]] inline ConductivityCard score_conductivity(const FictionalRun& run, FictionalMode mode, const ConductivitySettings& settings = {}) {
    ConductivityCard card;
    card.model = run.model;
    card.mode = mode;
    card.settings = settings;
    const auto m = static_cast<std::size_t>(mode);
    const std::optional<FictionalRunLang>& english = run.langs[index(Lang::en)];
    const bool english_ok = english && english->has_mode[m];
    std::unordered_map<std::size_t, std::size_t> english_type1;  // uuid -> item index
    if (english_ok)
        for (std::size_t i = 0; i < english->uuid.size(); ++i)
            if (english->type[i] == 1) english_type1.emplace(english->uuid[i], i);

    for (Lang lang : all_langs) {
        const std::optional<FictionalRunLang>& r = run.langs[index(lang)];
        if (!r || !r->has_mode[m]) continue;
        ConductivityLang& l = card.langs[index(lang)];
        l.present = true;
        l.chance = 1.0 / static_cast<double>(r->n_continents);
        l.type0 = detail::rate_of(r->correct[m], r->type, 0);
        l.type1 = detail::rate_of(r->correct[m], r->type, 1);
        if (r->has_translate) l.translate = detail::rate_of(r->translate_correct[m]);
        const double t = settings.gate_threshold;
        if (lang == Lang::en) {
            detail::gate_part(l, "English type 0", l.type0, t);
            detail::gate_part(l, "English type 1", l.type1, t);
        } else {
            detail::gate_part(l, "Translate", l.translate, t);
            if (!english_ok) {
                l.gate_failures.push_back("no English answers");
            } else {
                detail::gate_part(l, "English type 0", detail::rate_of(english->correct[m], english->type, 0), t);
                detail::gate_part(l, "English type 1", detail::rate_of(english->correct[m], english->type, 1), t);
            }
            detail::gate_part(l, "type 0", l.type0, t);
            if (english_ok) {
                std::vector<std::uint8_t> e, x;
                for (std::size_t i = 0; i < r->uuid.size(); ++i) {
                    if (r->type[i] != 1) continue;
                    auto at = english_type1.find(r->uuid[i]);
                    if (at == english_type1.end()) continue;
                    e.push_back(english->correct[m][at->second]);
                    x.push_back(r->correct[m][i]);
                }
                xrr_with_interval(e, x, l.chance, settings, l);
            }
        }
        l.gate_passed = l.gate_failures.empty();
    }
    return card;
}

}  // namespace clika
