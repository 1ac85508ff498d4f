#pragma once
// The Conductivity report: JSON (conductivity.xrr.<lang>, conductivity.xrr_ci.<lang>, per-language accuracies and the
// gate; by_mode holds every answer mode, the top level the first of generate/choice the run has), text and Markdown.
// A failing gate is always spelled out: XRR of a model that did not learn the facts is not a conductivity score.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/metrics/conductivity.hpp"
#include "clika/report/grid.hpp"
#include "clika/report/percent.hpp"
#include "clika/report/settings.hpp"
#include "clika/version.hpp"

namespace clika::report {

namespace detail_cd {

using Json = nlohmann::ordered_json;

[[nodiscard]] inline Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

[[nodiscard]] inline Json rate_json(const Rate& r) {
    return Json{{"accuracy", num(r.value())}, {"correct", r.correct}, {"questions", r.questions}};
}

[[nodiscard]] inline std::string pct(const Rate& r) { return r.questions == 0 ? std::string("-") : fmt::format("{:.1f}", percent(r.value())); }
[[nodiscard]] inline std::string frac(double v) { return std::isfinite(v) ? fmt::format("{:.4f}", v) : std::string("-"); }

}  // namespace detail_cd

[[nodiscard]] inline nlohmann::ordered_json conductivity_block(const ConductivityCard& card) {
    using detail_cd::Json;
    Json block;
    block["mode"] = std::string(name(card.mode));
    block["chance"] = card.at(Lang::en).present ? card.at(Lang::en).chance : 0.05;
    Json xrr = Json::object(), xrr_ci = Json::object(), langs = Json::object(), failing = Json::array();
    for (Lang lang : all_langs) {
        const ConductivityLang& l = card.at(lang);
        if (!l.present) continue;
        const std::string key(code(lang));
        Json entry;
        entry["type0"] = detail_cd::rate_json(l.type0);
        entry["type1"] = detail_cd::rate_json(l.type1);
        if (lang != Lang::en) {
            entry["translate"] = l.translate ? detail_cd::rate_json(*l.translate) : Json(nullptr);
            const Json ci = std::isfinite(l.xrr_ci.low) && std::isfinite(l.xrr_ci.high) ? Json::array({l.xrr_ci.low, l.xrr_ci.high}) : Json(nullptr);
            entry["xrr"] = {{"value", detail_cd::num(l.xrr)}, {"ci", ci}, {"facts", l.facts}, {"correct_english", l.correct_english},
                            {"correct_both", l.correct_both}, {"chance", l.chance}};
            xrr[key] = detail_cd::num(l.xrr);
            xrr_ci[key] = ci;
        }
        entry["gate"] = {{"passed", l.gate_passed}, {"failures", l.gate_failures}};
        if (!l.gate_passed) failing.push_back(key);
        langs[key] = std::move(entry);
    }
    block["xrr"] = std::move(xrr);
    block["xrr_ci"] = std::move(xrr_ci);
    block["gate"] = {{"threshold", card.settings.gate_threshold}, {"passed", failing.empty()}, {"failing", failing}};
    block["langs"] = std::move(langs);
    return block;
}

// `cards` holds one card per answer mode of the run; the first is the headline.
[[nodiscard]] inline nlohmann::ordered_json conductivity_json(const std::vector<ConductivityCard>& cards) {
    using detail_cd::Json;
    Json out;
    out["clika_version"] = std::string(version);
    out["model"] = cards.front().model;
    const ConductivitySettings& s = cards.front().settings;
    out["settings"] = {{"bootstrap", bootstrap_json(s)}, {"gate_threshold", s.gate_threshold}};
    Json cd = conductivity_block(cards.front());
    cd["modes"] = Json::array();
    for (const ConductivityCard& c : cards) cd["modes"].push_back(std::string(name(c.mode)));
    for (const ConductivityCard& c : cards) cd["by_mode"][std::string(name(c.mode))] = conductivity_block(c);
    out["conductivity"] = std::move(cd);
    return out;
}

[[nodiscard]] inline Grid conductivity_grid(const ConductivityCard& card) {
    Grid g{fmt::format("Conductivity, {} mode (accuracy in %; XRR as a fraction, {:g}% bootstrap interval)", name(card.mode),
                       card.settings.confidence * 100.0),
           {""}, {}};
    std::vector<Lang> langs;
    for (Lang lang : all_langs)
        if (card.at(lang).present) {
            langs.push_back(lang);
            g.header.emplace_back(code(lang));
        }
    auto row = [&](std::string label, auto cell) {
        std::vector<std::string> r{std::move(label)};
        for (Lang lang : langs) r.push_back(cell(lang, card.at(lang)));
        g.rows.push_back(std::move(r));
    };
    row("Translate", [](Lang, const ConductivityLang& l) { return l.translate ? detail_cd::pct(*l.translate) : std::string("-"); });
    row("Type 0", [](Lang, const ConductivityLang& l) { return detail_cd::pct(l.type0); });
    row("Type 1", [](Lang, const ConductivityLang& l) { return detail_cd::pct(l.type1); });
    row("c(en^X)/c(en)", [](Lang lang, const ConductivityLang& l) {
        return lang == Lang::en || l.facts == 0 ? std::string("-") : fmt::format("{}/{}", l.correct_both, l.correct_english);
    });
    row("XRR", [](Lang, const ConductivityLang& l) { return detail_cd::frac(l.xrr); });
    row("XRR low", [](Lang, const ConductivityLang& l) { return std::isfinite(l.xrr_ci.low) ? fmt::format("{:.3f}", l.xrr_ci.low) : std::string("-"); });
    row("XRR high", [](Lang, const ConductivityLang& l) { return std::isfinite(l.xrr_ci.high) ? fmt::format("{:.3f}", l.xrr_ci.high) : std::string("-"); });
    row("Gate (>90%)", [](Lang, const ConductivityLang& l) { return std::string(l.gate_passed ? "pass" : "FAIL"); });
    return g;
}

// The warning a failing gate deserves; empty when every language passes.
[[nodiscard]] inline std::string gate_warning(const ConductivityCard& card) {
    const std::vector<Lang> failing = card.failing_gate();
    if (failing.empty()) return {};
    std::string out = fmt::format(
        "WARNING ({} mode): the training gate fails for {} of {} languages. Training counts as complete only when Translate, English\n"
        "type 0/1 and the language's type 0 are all above {:.0f}%; XRR of a model that has not learned the facts is not a conductivity\n"
        "score.\n",
        name(card.mode), failing.size(), std::count_if(card.langs.begin(), card.langs.end(), [](const ConductivityLang& l) { return l.present; }),
        card.settings.gate_threshold * 100.0);
    for (Lang lang : failing) {
        std::string why;
        for (const std::string& f : card.at(lang).gate_failures) why += (why.empty() ? "" : "; ") + f;
        out += fmt::format("  {}: {}\n", code(lang), why);
    }
    return out;
}

// A note for languages whose XRR is undefined because no type-1 fact was answered correctly in English.
[[nodiscard]] inline std::string undefined_xrr_note(const ConductivityCard& card) {
    std::string langs;
    for (Lang lang : all_langs)
        if (const ConductivityLang& l = card.at(lang); l.present && lang != Lang::en && l.facts > 0 && l.correct_english == 0)
            langs += (langs.empty() ? "" : " ") + std::string(code(lang));
    if (langs.empty()) return {};
    return fmt::format("XRR undefined ({} mode: {}): no type-1 fact was answered correctly in English, c(en) = 0.\n", name(card.mode), langs);
}

[[nodiscard]] inline std::string conductivity_heading(const ConductivityCard& card) {
    const ConductivitySettings& s = card.settings;
    return fmt::format("clika score: {} (Conductivity, fictional)\nXRR = max(0, (c(en^X)/c(en) - r) / (1 - r)) over type-1 facts, r = 1/{:.0f}; "
                       "{} bootstrap resamples over facts, seed {}\n",
                       card.model, 1.0 / (card.at(Lang::en).present ? card.at(Lang::en).chance : 0.05), s.bootstrap_resamples, s.seed);
}

[[nodiscard]] inline std::string conductivity_table(const std::vector<ConductivityCard>& cards) {
    std::string out = conductivity_heading(cards.front());
    for (const ConductivityCard& c : cards) out += "\n" + render_text(conductivity_grid(c)) + undefined_xrr_note(c);
    for (const ConductivityCard& c : cards)
        if (std::string w = gate_warning(c); !w.empty()) out += "\n" + w;
    return out;
}

[[nodiscard]] inline std::string conductivity_markdown(const std::vector<ConductivityCard>& cards) {
    std::string out = "## " + conductivity_heading(cards.front());
    for (const ConductivityCard& c : cards) {
        out += "\n" + render_markdown(conductivity_grid(c));
        if (std::string note = undefined_xrr_note(c); !note.empty()) out += "\n" + note;
    }
    for (const ConductivityCard& c : cards)
        if (std::string w = gate_warning(c); !w.empty()) out += "\n> " + w.substr(0, w.find('\n')) + "\n\n```\n" + w + "```\n";
    return out;
}

// Long CSV as the scorecard's (metric,scope,lang,value,ci_low,ci_high), scope the answer mode; every value a fraction.
[[nodiscard]] inline std::string conductivity_csv(const std::vector<ConductivityCard>& cards) {
    std::string out = "metric,scope,lang,value,ci_low,ci_high\n";
    auto number = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
    for (const ConductivityCard& card : cards)
        for (Lang lang : all_langs) {
            const ConductivityLang& l = card.at(lang);
            if (!l.present) continue;
            const std::string_view mode = name(card.mode);
            if (l.translate) out += fmt::format("translate_accuracy,{},{},{},,\n", mode, code(lang), number(l.translate->value()));
            out += fmt::format("type0_accuracy,{},{},{},,\n", mode, code(lang), number(l.type0.value()));
            out += fmt::format("type1_accuracy,{},{},{},,\n", mode, code(lang), number(l.type1.value()));
            if (lang != Lang::en && std::isfinite(l.xrr))
                out += fmt::format("xrr,{},{},{},{},{}\n", mode, code(lang), number(l.xrr), number(l.xrr_ci.low), number(l.xrr_ci.high));
            out += fmt::format("gate_passed,{},{},{},,\n", mode, code(lang), l.gate_passed ? 1 : 0);
        }
    return out;
}

// The names every other source's reporters have, so that one render() serves all (report/render.hpp).
[[nodiscard]] inline nlohmann::ordered_json to_json(const std::vector<ConductivityCard>& cards) { return conductivity_json(cards); }
[[nodiscard]] inline std::string to_csv(const std::vector<ConductivityCard>& cards) { return conductivity_csv(cards); }
[[nodiscard]] inline std::string to_table(const std::vector<ConductivityCard>& cards) { return conductivity_table(cards); }
[[nodiscard]] inline std::string to_markdown(const std::vector<ConductivityCard>& cards) { return conductivity_markdown(cards); }

}  // namespace clika::report
