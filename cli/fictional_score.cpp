// clika score --run RUN for a run of --tasks fictional: per-language accuracies, the training gate and XRR with
// bootstrap intervals, as a table, JSON (conductivity.xrr.<lang>), CSV or Markdown.

#include <cstdio>
#include <string>
#include <vector>

#include "clika/report/render.hpp"
#include "clika/scoring.hpp"
#include "conductivity.hpp"
#include "options.hpp"

namespace clika::cli {

bool score_conductivity_run(const ConductivityScoreRequest& o) {
    if (o.run.empty() || !has_fictional_run(o.run)) return false;
    const ConductivitySettings settings{o.scoring};
    const std::vector<ConductivityCard> cards = score_fictional_run(o.run, settings, langs_arg(o.langs));

    const std::string text = report::render(cards, o.format);
    if (o.format == "json" || o.format == "csv" || !o.out.empty())
        for (const ConductivityCard& c : cards)
            if (std::string w = report::gate_warning(c); !w.empty()) std::fputs(("clika score: " + w).c_str(), stderr);

    write_output(text, o.out);
    return true;
}

}  // namespace clika::cli
