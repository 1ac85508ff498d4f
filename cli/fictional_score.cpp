// clika score --run RUN for a run of --tasks fictional: per-language accuracies, the training gate and XRR with
// bootstrap intervals, as a table, JSON (conductivity.xrr.<lang>), CSV or Markdown.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/fictional_eval.hpp"
#include "clika/report/conductivity.hpp"
#include "clika/scoring.hpp"
#include "conductivity.hpp"
#include "options.hpp"

namespace clika::cli {

namespace {

std::string conductivity_csv(const std::vector<ConductivityCard>& cards) {
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

}  // namespace

bool score_conductivity_run(const ConductivityScoreRequest& o) {
    if (o.run.empty() || !has_fictional_run(o.run)) return false;
    ConductivitySettings settings;
    settings.bootstrap_resamples = o.bootstrap;
    settings.seed = o.seed;
    settings.confidence = o.confidence;
    const std::vector<ConductivityCard> cards = score_fictional_run(o.run, settings, langs_arg(o.langs));

    std::string text;
    if (o.format == "json") text = report::conductivity_json(cards).dump(2) + "\n";
    else if (o.format == "csv") text = conductivity_csv(cards);
    else if (o.format == "md") text = report::conductivity_markdown(cards);
    else text = report::conductivity_table(cards);
    if (o.format == "json" || o.format == "csv" || !o.out.empty())
        for (const ConductivityCard& c : cards)
            if (std::string w = report::gate_warning(c); !w.empty()) std::fputs(("clika score: " + w).c_str(), stderr);

    write_output(text, o.out);
    return true;
}

}  // namespace clika::cli
