#pragma once
// What `clika report` shows for each of its sources: the scorecard, the consistency matrices, the Conductivity cards
// of a run that has fictional answers, and where the numbers came from (clika version, model hash, plugin, mode and
// settings). Sources are read exactly as `clika compare` reads them (load_source).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clika/compare.hpp"
#include "clika/metrics/consistency_matrix.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/run/reader.hpp"
#include "clika/scoring.hpp"
#include "clika/version.hpp"

namespace clika {

struct Provenance {
    std::string kind;  // run, model or lm-eval
    std::string where;
    std::string clika_version;
    std::string model;       // file name or served name
    std::string model_hash;  // sha256 where known
    std::string plugin;
    std::string mode;
    std::string settings;    // the run's other settings, as compact JSON
};

struct ReportSource {
    std::string label;
    Provenance provenance;
    std::optional<Scorecard> card;                 // absent for a run of fictional answers only
    std::optional<ConsistencyMatrices> matrices;
    std::vector<ConductivityCard> conductivity;    // a run with fictional answers: one card per answer mode
    std::vector<std::string> warnings;
};

namespace detail {

[[nodiscard]] inline std::string text_of(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : j.is_null() ? "" : j.dump(); }

[[nodiscard]] inline Provenance run_provenance(const std::filesystem::path& dir) {
    Provenance p{.kind = "run", .where = dir.string()};
    const std::filesystem::path manifest_path = dir / "run.json";
    std::error_code ec;
    if (!std::filesystem::exists(manifest_path, ec)) return p;
    const nlohmann::json m = read_run_manifest(manifest_path);
    p.clika_version = text_of(m.value("clika_version", nlohmann::json()));
    if (const auto plugin = m.find("plugin"); plugin != m.end() && plugin->is_object())
        p.plugin = fmt::format("{} {}", text_of(plugin->value("name", nlohmann::json())), text_of(plugin->value("version", nlohmann::json())));
    if (const auto model = m.find("model"); model != m.end() && model->is_object()) {
        p.model = text_of(model->value("file", model->value("name", nlohmann::json())));
        p.model_hash = text_of(model->value("sha256", nlohmann::json()));
        if (p.model.empty()) p.model = model->dump();
    }
    p.mode = text_of(m.value("mode", m.value("fictional_mode", nlohmann::json())));
    nlohmann::json settings = nlohmann::json::object();
    for (const auto& [key, value] : m.items())
        if (key != "clika_version" && key != "plugin" && key != "model" && key != "mode" && key != "data" && key != "questions" &&
            key != "letter_continuations" && key != "langs")
            settings[key] = value;
    p.settings = settings.dump();
    return p;
}

[[nodiscard]] inline bool has_multiple_choice_predictions(const std::filesystem::path& dir, std::span<const Task> tasks, std::span<const Lang> langs) {
    std::error_code ec;
    for (Task task : tasks)
        for (Lang lang : langs)
            if (std::filesystem::exists(run_predictions_path(dir, task, lang), ec)) return true;
    return false;
}

}  // namespace detail

// One source: SPEC as `clika compare` takes it (run:DIR, model:STEM, lm-eval:DIR); an empty label is the model's name.
[[nodiscard]] inline ReportSource load_report_source(std::string_view spec, std::string label, const SourceOptions& options,
                                                     const ScoreSettings& settings) {
    ReportSource out;
    const std::size_t colon = spec.find(':');
    const std::string kind(spec.substr(0, colon == std::string_view::npos ? 0 : colon));
    const std::filesystem::path where(std::string(colon == std::string_view::npos ? spec : spec.substr(colon + 1)));
    if (kind == "run") out.provenance = detail::run_provenance(where);
    else if (kind == "model") out.provenance = {.kind = kind, .where = where.string(), .model = where.string(), .plugin = "published predictions", .mode = "generate"};
    else out.provenance = {.kind = kind, .where = where.string(), .plugin = "lm-evaluation-harness samples", .mode = "loglik"};

    const bool fictional = kind == "run" && has_fictional_run(where);
    if (!fictional || detail::has_multiple_choice_predictions(where, options.tasks, options.langs)) {
        LoadedSource loaded = load_source(spec, options);  // refuses a bad spec, naming the kinds
        out.card = score(loaded.results, settings);
        out.matrices = consistency_matrices(loaded.results, settings);
        out.warnings = std::move(loaded.warnings);
        out.warnings.insert(out.warnings.end(), out.card->warnings.begin(), out.card->warnings.end());
        if (out.provenance.model.empty()) out.provenance.model = loaded.results.model;
    }
    if (fictional) {
        const ConductivitySettings conductivity{static_cast<const ScoringSettings&>(settings)};
        out.conductivity = score_fictional_run(where, conductivity, {options.langs.begin(), options.langs.end()});
    }
    out.label = !label.empty() ? std::move(label) : out.card ? out.card->model : where.filename().string();
    return out;
}

// The most sources one report shows side by side (its charts have as many colours).
inline constexpr std::size_t most_report_sources = 8;

// Every source, labelled by `labels` in order (none: the models' names). Refuses more than most_report_sources, labels
// that do not pair with the sources, and one label twice.
[[nodiscard]] inline std::vector<ReportSource> load_report_sources(const std::vector<std::string>& specs, const std::vector<std::string>& labels,
                                                                   const SourceOptions& options, const ScoreSettings& settings) {
    if (specs.size() > most_report_sources)
        fail_input({}, fmt::format("{} sources given: a report's charts show at most {}", specs.size(), most_report_sources), "1 to 8 sources");
    if (!labels.empty() && labels.size() != specs.size())
        fail_input({}, fmt::format("{} --label for {} sources", labels.size(), specs.size()), "one --label per source, in their order, or none");
    std::vector<ReportSource> out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        out.push_back(load_report_source(specs[i], labels.empty() ? std::string() : labels[i], options, settings));
        for (std::size_t j = 0; j < i; ++j)
            if (out[i].label == out[j].label)
                fail_input({}, fmt::format("sources {} and {} are both labelled \"{}\"", j + 1, i + 1, out[i].label), "a distinct --label per source");
    }
    return out;
}

}  // namespace clika
