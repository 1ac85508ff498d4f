#pragma once
// What both pages of `clika report` state: what produced them, each source's provenance, and every warning.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/report/conductivity.hpp"
#include "clika/report/grid.hpp"
#include "clika/report_sources.hpp"
#include "clika/version.hpp"

namespace clika::report {

struct PageFacts {
    ScoreSettings settings;
    Lang pivot = Lang::en;
};

[[nodiscard]] inline std::string produced_line(const PageFacts& facts) {
    return fmt::format("Produced by clika {}; {:.0f}% percentile bootstrap intervals from {} resamples of questions (seed {}); "
                       "consistency pivot {}.",
                       version, facts.settings.confidence * 100.0, facts.settings.bootstrap_resamples, facts.settings.seed, code(facts.pivot));
}

[[nodiscard]] inline Grid sources_grid(const std::vector<ReportSource>& sources) {
    Grid g{"Sources", {"label", "source", "model", "model sha256", "plugin", "mode", "settings", "run by clika"}, {}};
    for (const ReportSource& s : sources) {
        const Provenance& p = s.provenance;
        auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
        g.rows.push_back({s.label, fmt::format("{}:{}", p.kind, p.where), or_dash(p.model), or_dash(p.model_hash), or_dash(p.plugin), or_dash(p.mode),
                          or_dash(p.settings), or_dash(p.clika_version)});
    }
    return g;
}

// Each source's warnings, then the training-gate warning of every Conductivity card whose gate fails.
[[nodiscard]] inline std::vector<std::string> all_warnings(const std::vector<ReportSource>& sources) {
    std::vector<std::string> out;
    for (const ReportSource& s : sources) {
        for (const std::string& w : s.warnings) out.push_back(fmt::format("{}: {}", s.label, w));
        for (const ConductivityCard& card : s.conductivity)
            if (std::string w = gate_warning(card); !w.empty()) out.push_back(fmt::format("{}: {}", s.label, w));
    }
    return out;
}

}  // namespace clika::report
