// clika._core, the compiled half of `import clika` (python/clika/__init__.py checks every argument and documents the
// API): the metrics on plain Python lists, and whole reports as the dicts `clika score --format json` prints, with the
// per-question correctness they were computed from. clika::Error becomes clika.Error (a ValueError for bad input,
// clika.BackendError for backend trouble) with the CLI's message.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <Python.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "clika/compare.hpp"
#include "clika/core.hpp"
#include "clika/lm_eval_score.hpp"
#include "clika/metrics/rank_consistency.hpp"
#include "clika/predictions.hpp"
#include "clika/report/compare.hpp"
#include "clika/report/report_files.hpp"
#include "clika/report_sources.hpp"
#include "clika/report/families.hpp"
#include "clika/report/tables.hpp"
#include "clika/run/reader.hpp"

namespace py = pybind11;
using namespace clika;

namespace clika {
void bind_model(py::module_& m);  // clika_model.cpp: clika._core.Model
}

namespace {

std::vector<std::uint8_t> outcomes(const std::vector<bool>& correct) { return {correct.begin(), correct.end()}; }

std::vector<Task> tasks_of(const std::optional<std::vector<std::string>>& names) {
    if (!names) return {multiple_choice_tasks.begin(), multiple_choice_tasks.end()};
    std::vector<Task> out;
    for (const std::string& n : *names) {
        const auto task = parse_task(n);
        if (!task || *task == Task::fictional) fail_input({}, fmt::format("unknown task \"{}\"", n), "x_copa, x_csqa, x_geo or x_name");
        out.push_back(*task);
    }
    return out;
}

std::vector<Lang> langs_of(const std::optional<std::vector<std::string>>& codes) {
    if (!codes) return {all_langs.begin(), all_langs.end()};
    std::vector<Lang> out;
    for (const std::string& c : *codes) {
        const auto lang = parse_lang(c);
        if (!lang) fail_input({}, fmt::format("unknown language \"{}\"", c), "one of en de fr it pl ru ar he ja zh");
        out.push_back(*lang);
    }
    return out;
}

// Python's bootstrap, seed and confidence arguments, checked by the core as for every front end.
ScoringSettings settings_of(std::size_t bootstrap, std::uint64_t seed, double confidence) {
    ScoringSettings s;
    s.bootstrap_resamples = bootstrap;
    s.seed = seed;
    s.confidence = confidence;
    check_scoring_settings(s);
    return s;
}

const ScoringSettings defaults;

LmEvalSettings lm_eval_settings_of(const std::string& metric, std::vector<std::string> pivots, const std::optional<std::filesystem::path>& task_map,
                                   const std::optional<std::string>& model, std::size_t bootstrap, std::uint64_t seed, double confidence) {
    if (metric != "acc" && metric != "acc_norm") fail_input({}, fmt::format("metric \"{}\"", metric), "acc or acc_norm");
    LmEvalSettings settings;
    settings.metric = metric == "acc_norm" ? LmEvalMetric::acc_norm : LmEvalMetric::acc;
    if (task_map) settings.task_map = *task_map;
    if (model) settings.model = *model;
    settings.scoring = {settings_of(bootstrap, seed, confidence), std::move(pivots)};
    return settings;
}

// The report as Python objects, through Python's json: exactly what `--format json` prints (NaN-free, nulls as None).
py::object to_python(const nlohmann::ordered_json& report) { return py::module_::import("json").attr("loads")(report.dump()); }

py::object none_if_nan(double v) { return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none()); }

// Per task, the questions in English's order (their ids) and per language its 0/1 outcomes in that order: the vectors
// the report's en-CO and RankC compare question by question.
py::dict correctness_of(const ResultSet& results, const std::vector<Task>& tasks) {
    py::dict out;
    for (Task task : tasks) {
        const AlignedTask aligned = align(results, task);
        if (aligned.question_count == 0) continue;
        const std::optional<LangResults>& first = results.get(task, Lang::en);
        py::dict by_lang;
        std::vector<std::string> ids;
        for (Lang lang : all_langs) {
            const auto& correct = aligned.correct[index(lang)];
            if (!correct) continue;
            if (ids.empty()) ids = first ? first->uuids : results.get(task, lang)->uuids;
            by_lang[py::str(std::string(code(lang)))] = std::vector<bool>(correct->begin(), correct->end());
        }
        py::dict entry;
        entry["questions"] = ids;
        entry["correct"] = by_lang;
        out[py::str(std::string(name(task)))] = entry;
    }
    return out;
}

// The C++ message may hold a file name that is not UTF-8 (a path given as bytes): its bytes stay visible, escaped.
py::str message_of(const std::exception& e) {
    const std::string what = e.what();
    return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(what.data(), static_cast<Py_ssize_t>(what.size()), "backslashreplace"));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "clika._core: the compiled half of the clika module (use `import clika`)";
    m.attr("__version__") = std::string(version);
    m.attr("default_seed") = defaults.seed;

    static py::exception<Error> error(m, "Error", PyExc_ValueError);
    static py::exception<Error> backend_error(m, "BackendError", error.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            PyErr_SetObject(e.kind() == ErrorKind::backend ? backend_error.ptr() : error.ptr(), message_of(e).ptr());
        }
    });

    m.def("rescaled_accuracy", &rescaled_accuracy, py::arg("accuracy"), py::arg("chance"), py::arg("reference"),
          "RA = max(0, (accuracy - chance) / (reference - chance)); all three on the same scale, the result a fraction");
    m.def(
        "en_co",
        [](const std::vector<bool>& english, const std::vector<bool>& other) {
            if (english.size() != other.size())
                fail_input({}, fmt::format("english has {} questions and other {}", english.size(), other.size()), "the same questions in the same order");
            return none_if_nan(en_consistency(outcomes(english), outcomes(other)));
        },
        py::arg("english"), py::arg("other"),
        "en-CO(X): of the questions correct in X, the share also correct in English (None when X has none correct)");
    m.def(
        "xrr",
        [](const std::vector<bool>& english, const std::vector<bool>& other, double chance) {
            if (english.size() != other.size())
                fail_input({}, fmt::format("english has {} facts and other {}", english.size(), other.size()), "the same facts in the same order");
            return none_if_nan(cross_retrieval_ratio(outcomes(english), outcomes(other), chance));
        },
        py::arg("english"), py::arg("other"), py::arg("chance") = 0.05,
        "XRR_X = max(0, (c(en and X) / c(en) - chance) / (1 - chance)) over type-1 facts (None when none is correct in English)");
    m.def(
        "rank_c",
        [](const std::vector<std::vector<double>>& scores, const std::vector<std::vector<double>>& pivot_scores) {
            if (scores.size() != pivot_scores.size())
                fail_input({}, fmt::format("scores has {} questions and pivot_scores {}", scores.size(), pivot_scores.size()),
                           "the same questions in the same order");
            for (std::size_t i = 0; i < scores.size(); ++i)
                if (scores[i].size() != pivot_scores[i].size() || scores[i].empty())
                    fail_input({}, fmt::format("question {} has {} option scores and {} in the pivot", i, scores[i].size(), pivot_scores[i].size()),
                               "one score per option, the same options in both");
            return none_if_nan(rank_consistency(scores, pivot_scores));
        },
        py::arg("scores"), py::arg("pivot_scores"),
        "RankC (Qi et al., EMNLP 2023): per question the options ranked by score in X and in the pivot language, weights "
        "softmax(N..1), mean of sum_j w_j |top_j(X) & top_j(pivot)| / j");
    m.def(
        "bootstrap_ci",
        [](const std::vector<double>& values, std::size_t resamples, double confidence, std::uint64_t seed) {
            if (values.empty()) fail_input({}, "no values to resample");
            (void)settings_of(resamples, seed, confidence);
            std::vector<std::uint32_t> counts(values.size());
            std::vector<double> means(resamples);
            for (std::size_t b = 0; b < resamples; ++b) {
                // Ctrl-C: Python's handler only sets a flag; a long loop must look at it (every 64 resamples).
                if (b % 64 == 0 && PyErr_CheckSignals() != 0) throw py::error_already_set();
                SplitMix64 rng(resample_seed(seed, b, 0));
                draw_item_counts(rng, counts);
                double sum = 0;
                for (std::size_t i = 0; i < values.size(); ++i) sum += counts[i] * values[i];
                means[b] = sum / static_cast<double>(values.size());
            }
            const Interval ci = percentile_interval(means, confidence);
            return py::make_tuple(none_if_nan(ci.low), none_if_nan(ci.high));
        },
        py::arg("values"), py::arg("resamples") = 1000, py::arg("confidence") = defaults.confidence, py::arg("seed") = defaults.seed,
        "Percentile bootstrap interval (low, high) of the mean of per-item values (e.g. 0/1 correctness), with clika's "
        "seeded resampler: the same numbers on every platform");

    m.def(
        "score_published",
        [](const std::filesystem::path& data, const std::string& model, std::optional<std::vector<std::string>> tasks,
           std::optional<std::vector<std::string>> langs, std::size_t bootstrap, std::uint64_t seed, double confidence,
           std::optional<std::string> reference) {
            const std::vector<Task> t = tasks_of(tasks);
            const std::vector<Lang> l = langs_of(langs);
            ScoreSettings settings{settings_of(bootstrap, seed, confidence)};
            Scorecard card;
            ResultSet results;
            {
                py::gil_scoped_release unlocked;
                if (reference) {  // as `clika score --reference MODEL`
                    settings.reference_percent = references_from(load_published(data, *reference, multiple_choice_tasks, std::array{Lang::en}));
                    settings.reference_source = fmt::format("{} English accuracy", *reference);
                }
                results = load_published(data, model, t, l);
                card = score(results, settings);
            }
            return py::make_tuple(to_python(report::to_json(card)), correctness_of(results, t));
        },
        py::arg("data"), py::arg("model"), py::arg("tasks") = py::none(), py::arg("langs") = py::none(), py::arg("bootstrap") = defaults.bootstrap_resamples,
        py::arg("seed") = defaults.seed, py::arg("confidence") = defaults.confidence, py::arg("reference") = py::none(),
        "(report, correctness) of a published model's predictions, as `clika score --data D --model M [--reference R] --format json`");
    m.def(
        "score_lm_eval",
        [](const std::filesystem::path& dir, const std::string& metric, std::vector<std::string> pivots, std::optional<std::filesystem::path> task_map,
           std::optional<std::string> model, std::size_t bootstrap, std::uint64_t seed, double confidence) -> py::tuple {
            const LmEvalSettings settings = lm_eval_settings_of(metric, std::move(pivots), task_map, model, bootstrap, seed, confidence);
            // As the CLI: samples of CLiKA's own tasks give the paper's tables (and their correctness), others the
            // families report.
            std::optional<Scorecard> paper;
            std::optional<ResultSet> results;
            FamilyScorecard card;
            {
                py::gil_scoped_release unlocked;
                LmEvalSamples samples = load_lm_eval(dir, settings);
                paper = score_lm_eval_clika(samples, settings);
                if (paper) results = clika_results(samples);
                else card = score_lm_eval(std::move(samples), settings);
            }
            if (paper)
                return py::make_tuple(to_python(report::to_json(*paper)),
                                      correctness_of(*results, {multiple_choice_tasks.begin(), multiple_choice_tasks.end()}));
            return py::make_tuple(to_python(report::to_json(card)), py::none());
        },
        py::arg("dir"), py::arg("metric") = "acc", py::arg("pivots") = std::vector<std::string>{"en"}, py::arg("task_map") = py::none(),
        py::arg("model") = py::none(), py::arg("bootstrap") = defaults.bootstrap_resamples, py::arg("seed") = defaults.seed, py::arg("confidence") = defaults.confidence,
        "(report, correctness) of lm-evaluation-harness --log_samples output, as `clika score --lm-eval-samples DIR "
        "[--lm-eval-model MODEL] --format json` (correctness None unless the samples are of CLiKA's tasks)");
    m.def(
        "lm_eval_paper_table",
        [](const std::filesystem::path& dir, std::optional<std::string> model, std::size_t bootstrap, std::uint64_t seed,
           double confidence) -> py::object {
            const LmEvalSettings settings = lm_eval_settings_of("acc", {"en"}, std::nullopt, model, bootstrap, seed, confidence);
            std::optional<std::string> table;
            {
                py::gil_scoped_release unlocked;
                const LmEvalSamples samples = load_lm_eval(dir, settings);
                if (const std::optional<Scorecard> paper = score_lm_eval_clika(samples, settings)) table = report::to_table(*paper);
            }
            return table ? py::object(py::str(*table)) : py::object(py::none());
        },
        py::arg("dir"), py::arg("model") = py::none(), py::arg("bootstrap") = defaults.bootstrap_resamples, py::arg("seed") = defaults.seed,
        py::arg("confidence") = defaults.confidence,
        "the paper's tables as `clika score --lm-eval-samples DIR [--lm-eval-model MODEL]` prints them, for samples of "
        "CLiKA's tasks; None for samples of other tasks");
    m.def(
        "score_run",
        [](const std::filesystem::path& run_dir, std::optional<std::vector<std::string>> tasks, std::optional<std::vector<std::string>> langs,
           std::size_t bootstrap, std::uint64_t seed, double confidence) -> py::object {
            const std::vector<Lang> l = langs_of(langs);
            const ScoringSettings s = settings_of(bootstrap, seed, confidence);
            if (has_fictional_run(run_dir)) {
                const ConductivitySettings cs{s};
                std::vector<ConductivityCard> cards;
                {
                    py::gil_scoped_release unlocked;
                    cards = score_fictional_run(run_dir, cs, l);
                }
                return py::make_tuple(to_python(report::conductivity_json(cards)), py::none());
            }
            const std::vector<Task> t = tasks_of(tasks);
            Scorecard card;
            RunResults run;
            {
                py::gil_scoped_release unlocked;
                run = load_run_results(run_dir, t, l);
                card = score(run.results, ScoreSettings{s});
                for (const std::string& warning : run.warnings) card.warnings.push_back(warning);
            }
            return py::make_tuple(to_python(report::to_json(card)), correctness_of(run.results, t));
        },
        py::arg("run_dir"), py::arg("tasks") = py::none(), py::arg("langs") = py::none(), py::arg("bootstrap") = defaults.bootstrap_resamples,
        py::arg("seed") = defaults.seed, py::arg("confidence") = defaults.confidence,
        "(report, correctness) of a `clika run` directory, as `clika score --run DIR --format json` (a fictional run: its "
        "Conductivity report, correctness None)");
    m.def(
        "compare",
        [](const std::string& a, const std::string& b, std::optional<std::filesystem::path> data, std::optional<std::vector<std::string>> tasks,
           std::optional<std::vector<std::string>> langs, const std::string& correction, std::size_t bootstrap, std::uint64_t seed,
           double confidence) {
            if (correction != "holm" && correction != "bh" && correction != "none") fail_input({}, fmt::format("correction \"{}\"", correction), "holm, bh or none");
            const std::vector<Task> t = tasks_of(tasks);
            const std::vector<Lang> l = langs_of(langs);
            SourceOptions sources{.tasks = t, .langs = l};
            if (data) sources.data = *data;
            CompareSettings settings;
            settings.scoring = ScoreSettings{settings_of(bootstrap, seed, confidence)};
            settings.correction = correction == "bh" ? Correction::bh : correction == "none" ? Correction::none : Correction::holm;
            Comparison c;
            {
                py::gil_scoped_release unlocked;
                c = compare_sources(a, b, sources, settings);
            }
            return py::module_::import("json").attr("loads")(report::to_json(c).dump());
        },
        py::arg("a"), py::arg("b"), py::arg("data") = py::none(), py::arg("tasks") = py::none(), py::arg("langs") = py::none(),
        py::arg("correction") = "holm", py::arg("bootstrap") = defaults.bootstrap_resamples, py::arg("seed") = defaults.seed, py::arg("confidence") = defaults.confidence,
        "The comparison of two sources (run:DIR, model:STEM, lm-eval:DIR), as `clika compare A B --format json`");
    m.def(
        "report",
        [](const std::vector<std::string>& sources, const std::filesystem::path& out, std::optional<std::vector<std::string>> labels,
           std::optional<std::filesystem::path> data, std::optional<std::vector<std::string>> tasks, std::optional<std::vector<std::string>> langs,
           const std::string& pivot, std::size_t bootstrap, std::uint64_t seed, double confidence) {
            const std::vector<Task> t = tasks_of(tasks);
            const std::vector<Lang> l = langs_of(langs);
            SourceOptions options{.tasks = t, .langs = l};
            if (data) options.data = *data;
            report::PageFacts facts{.settings = ScoreSettings{settings_of(bootstrap, seed, confidence)}, .pivot = langs_of(std::vector{pivot}).front()};
            std::vector<std::filesystem::path> written;
            {
                py::gil_scoped_release unlocked;
                written = report::write_report(out, load_report_sources(sources, labels.value_or(std::vector<std::string>{}), options, facts.settings), facts);
            }
            return written.back().string();
        },
        py::arg("sources"), py::arg("out"), py::arg("labels") = py::none(), py::arg("data") = py::none(), py::arg("tasks") = py::none(),
        py::arg("langs") = py::none(), py::arg("pivot") = "en", py::arg("bootstrap") = defaults.bootstrap_resamples, py::arg("seed") = defaults.seed,
        py::arg("confidence") = defaults.confidence, "Writes `clika report SOURCE... --out OUT`; returns the path of its index.html");
    bind_model(m);
}
