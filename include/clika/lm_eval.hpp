#pragma once
// EleutherAI lm-evaluation-harness per-sample logs (`lm_eval --log_samples`) read as clika families and languages.
//
// The format, from the harness's own code: lm_eval/evaluator.py builds one record per document and filter
//   {doc_id, doc, target, arguments, resps, filtered_resps, filter, metrics, doc_hash, prompt_hash, target_hash,
//    <metric>: value, ...}
// and lm_eval/loggers/evaluation_tracker.py::save_results_samples writes it to
// <output>/<model_name_sanitized>/samples_<task>_<date>.jsonl, turning `arguments` into
// {"gen_args_0": {"arg_0": context, "arg_1": continuation}, ...} (one entry per choice, in choice order), every leaf of
// `resps`/`filtered_resps` into a string ([["-4.2099", "False"], ...]: log-likelihood and is-greedy per choice; older
// versions kept numbers and booleans) and `target` into a string.
//
// Per sample, clika takes correct from the sample's own `acc` (or `acc_norm`) and checks it against the harness's rule
// recomputed from filtered_resps and the gold option (lm_eval/api/task.py process_results: first argmax of the
// log-likelihoods, for acc_norm divided by the choice's length in code points). The gold option is the target read as
// an option index, else the option whose text is the target, else (multiple-input tasks such as xwinograd, whose
// choices differ in the context) the document's `answer` 1..N.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "clika/error.hpp"
#include "clika/jsonl.hpp"
#include "clika/lang_codes.hpp"
#include "clika/metrics/family_scorecard.hpp"
#include "clika/task.hpp"
#include "clika/utf8.hpp"

namespace clika {

// Which per-sample metric decides whether a question counts as correct.
enum class LmEvalMetric : std::uint8_t { acc, acc_norm };

[[nodiscard]] constexpr std::string_view name(LmEvalMetric metric) noexcept { return metric == LmEvalMetric::acc ? "acc" : "acc_norm"; }

struct FamilyAndLang {
    std::string family;
    std::string lang;
    bool operator==(const FamilyAndLang&) const = default;
};

// --task-map: lm-eval task name -> (family, language), for tasks the built-in rules do not know.
using LmEvalTaskMap = std::map<std::string, FamilyAndLang, std::less<>>;

// A JSON object {"my_task_de": ["my_family", "de"], ...}; languages are normalised like the built-in ones.
[[nodiscard]] inline LmEvalTaskMap load_task_map(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) fail_input({file}, "task map not found", "a JSON file {\"task\": [\"family\", \"lang\"]}");
    auto text = simdjson::padded_string::load(file.string());
    if (text.error() != simdjson::SUCCESS) fail_input({file}, "cannot read the task map");
    simdjson::dom::parser parser;
    auto parsed = parser.parse(text.value_unsafe());
    if (parsed.error() != simdjson::SUCCESS) fail_input({file}, fmt::format("malformed JSON: {}", simdjson::error_message(parsed.error())));
    const simdjson::dom::element root = parsed.value_unsafe();
    if (!root.is_object()) fail_input({file}, fmt::format("is {}", JsonRecord::type_name(root)), "a JSON object {\"task\": [\"family\", \"lang\"]}");
    if (auto key = json_duplicate_key(root)) fail_input({file, 0, std::string(*key)}, "appears twice", "every task once");
    LmEvalTaskMap out;
    const simdjson::dom::object entries = root.get_object().value_unsafe();  // a copy: the result is a temporary
    for (auto field : entries) {
        const std::string task(field.key);
        auto pair = field.value.get_array();
        std::vector<std::string_view> parts;
        if (pair.error() == simdjson::SUCCESS)
            for (simdjson::dom::element e : pair.value_unsafe())
                if (e.is_string()) parts.push_back(e.get_string().value_unsafe());
        if (pair.error() != simdjson::SUCCESS || parts.size() != 2 || pair.value_unsafe().size() != 2 || parts[0].empty() || parts[1].empty())
            fail_input({file, 0, task}, "is not a [family, language] pair", "two non-empty strings, e.g. [\"my_family\", \"de\"]");
        out.emplace(task, FamilyAndLang{std::string(parts[0]), normalise_lang_code(parts[1])});
    }
    return out;
}

namespace detail_lm_eval {

struct FamilyPrefix {
    std::string_view prefix;
    std::string_view family;
};

// The harness's parallel multilingual multiple-choice families: <prefix><language>.
inline constexpr std::array<FamilyPrefix, 4> family_prefixes{{
    {"xcopa_", "xcopa"}, {"xstorycloze_", "xstorycloze"}, {"xwinograd_", "xwinograd"}, {"belebele_", "belebele"},
}};

[[nodiscard]] inline bool is_lang_token(std::string_view text) {
    return text.size() >= 2 && text.size() <= 3 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace detail_lm_eval

// (family, language) of an lm-eval task name: the task map first, then xcopa_<lang>, xstorycloze_<lang>,
// xwinograd_<lang>, belebele_<flores code>, global_mmlu[_full]_<lang>[_<subject>] (family global_mmlu[_full][_<subject>]),
// and the CLiKA tasks clika_<task>_<lang> (family = the clika task, x_geo). nullopt for other tasks.
[[nodiscard]] inline std::optional<FamilyAndLang> lm_eval_family(std::string_view task, const LmEvalTaskMap& map = {}) {
    if (auto at = map.find(task); at != map.end()) return at->second;
    for (const auto& [prefix, family] : detail_lm_eval::family_prefixes)
        if (task.starts_with(prefix) && task.size() > prefix.size())
            return FamilyAndLang{std::string(family), normalise_lang_code(task.substr(prefix.size()))};
    for (std::string_view prefix : {std::string_view("global_mmlu_full_"), std::string_view("global_mmlu_")}) {
        if (!task.starts_with(prefix)) continue;
        std::string_view rest = task.substr(prefix.size());
        const std::size_t underscore = rest.find('_');
        const std::string_view lang = rest.substr(0, underscore);
        if (!detail_lm_eval::is_lang_token(lang)) return std::nullopt;
        std::string family(prefix.substr(0, prefix.size() - 1));
        if (underscore != std::string_view::npos) family += std::string(rest.substr(underscore));
        return FamilyAndLang{std::move(family), normalise_lang_code(lang)};
    }
    if (task.starts_with("clika_")) {
        const std::string_view rest = task.substr(6);
        const std::size_t underscore = rest.rfind('_');
        if (underscore == std::string_view::npos) return std::nullopt;
        const auto clika_task = parse_task(rest.substr(0, underscore));
        if (!clika_task || *clika_task == Task::fictional) return std::nullopt;
        return FamilyAndLang{std::string(name(*clika_task)), normalise_lang_code(rest.substr(underscore + 1))};
    }
    return std::nullopt;
}

// The task of samples_<task>_<date>.jsonl (the date is datetime.isoformat() with ':' as '-'); nullopt for other names.
// The parts of a samples file name: samples_<task>_<date>.jsonl, where <date> is the run's start as
// datetime.isoformat() with ':' as '-' (every task of one `lm_eval` call shares it). A file renamed without its date,
// samples_<task>.jsonl, is read too (date empty: older than any dated run).
struct SamplesFileName {
    std::string task;
    std::string date;
};

[[nodiscard]] inline std::optional<SamplesFileName> parse_samples_file_name(std::string_view file_name) {
    constexpr std::string_view prefix = "samples_", suffix = ".jsonl";
    if (!file_name.starts_with(prefix) || !file_name.ends_with(suffix)) return std::nullopt;
    std::string_view stem = file_name.substr(prefix.size(), file_name.size() - prefix.size() - suffix.size());
    if (stem.empty()) return std::nullopt;
    const std::size_t underscore = stem.rfind('_');
    if (underscore != std::string_view::npos && underscore != 0) {
        const std::string_view date = stem.substr(underscore + 1);
        if (date.size() >= 10 && date[4] == '-' && date[7] == '-') return SamplesFileName{std::string(stem.substr(0, underscore)), std::string(date)};
    }
    return SamplesFileName{std::string(stem), {}};
}

[[nodiscard]] inline std::optional<std::string> samples_task_name(std::string_view file_name) {
    auto parsed = parse_samples_file_name(file_name);
    if (!parsed) return std::nullopt;
    return std::move(parsed->task);
}

// One samples file: a language of a family, or the reason it was skipped.
struct LmEvalSamplesFile {
    std::optional<FamilyLang> lang;
    std::size_t option_count = 0;
    std::string skipped;  // "file:line: why", when the file holds no multiple-choice samples
};

namespace detail_lm_eval {

// A log-likelihood leaf: a number, or (current harness) its Python str().
[[nodiscard]] inline double loglik_leaf(const JsonRecord& r, simdjson::dom::element leaf) {
    if (leaf.is_number()) return leaf.get_double().value_unsafe();
    if (leaf.is_string()) {
        const std::string_view text = leaf.get_string().value_unsafe();
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size()) return value;
        r.fail("filtered_resps", fmt::format("holds \"{}\", not a log-likelihood", text), "[log-likelihood, is-greedy] per choice");
    }
    r.fail("filtered_resps", fmt::format("holds {}", JsonRecord::type_name(leaf)), "[log-likelihood, is-greedy] per choice");
}

[[nodiscard]] inline bool is_greedy_leaf(simdjson::dom::element leaf) {
    if (leaf.is_bool()) return true;
    if (!leaf.is_string()) return false;
    const std::string_view text = leaf.get_string().value_unsafe();
    return text == "True" || text == "False";
}

// numpy's argmax, as the harness decides: the first maximum, or the first NaN where there is one.
[[nodiscard]] inline std::size_t first_argmax(const std::vector<double>& values) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (std::isnan(values[i])) return i;
    std::size_t best = 0;
    for (std::size_t i = 1; i < values.size(); ++i)
        if (values[i] > values[best]) best = i;
    return best;
}

[[nodiscard]] inline std::optional<std::size_t> as_index(std::string_view text) {
    std::size_t value = 0;
    if (text.empty()) return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

struct Choices {
    std::vector<std::string> contexts;       // arg_0 per choice
    std::vector<std::string> continuations;  // arg_1 per choice
    std::string not_multiple_choice;         // why, when these are not the requests of a multiple-choice task
};

[[nodiscard]] inline Choices read_choices(const JsonRecord& r) {
    Choices out;
    const simdjson::dom::element arguments = r.at("arguments");
    auto object = arguments.get_object();
    if (object.error() != simdjson::SUCCESS)
        r.fail("arguments", fmt::format("is {}", JsonRecord::type_name(arguments)), "{\"gen_args_0\": {\"arg_0\": ..., \"arg_1\": ...}, ...}");
    std::size_t fields = 0;
    for (auto field : object.value_unsafe()) {
        (void)field;
        ++fields;
    }
    for (std::size_t i = 0; i < fields; ++i) {
        const std::string key = fmt::format("gen_args_{}", i);
        const std::string where = "arguments." + key;
        auto entry = arguments.at_key(key);
        if (entry.error() != simdjson::SUCCESS) r.fail(where, "missing field", "gen_args_0 .. gen_args_{N-1}, one per choice");
        const simdjson::dom::element request = entry.value_unsafe();
        auto context = request.at_key("arg_0");
        auto continuation = request.at_key("arg_1");
        if (context.error() != simdjson::SUCCESS || !context.value_unsafe().is_string())
            r.fail(where + ".arg_0", "missing or not a string", "the request's context");
        if (continuation.error() != simdjson::SUCCESS) {
            out.not_multiple_choice = fmt::format("{} has no arg_1 (a loglikelihood_rolling task)", where);
            return out;
        }
        if (!continuation.value_unsafe().is_string()) {
            out.not_multiple_choice = fmt::format("{}.arg_1 is {} (a generate_until task)", where, JsonRecord::type_name(continuation.value_unsafe()));
            return out;
        }
        out.contexts.emplace_back(context.value_unsafe().get_string().value_unsafe());
        out.continuations.emplace_back(continuation.value_unsafe().get_string().value_unsafe());
    }
    if (out.continuations.size() < 2)
        out.not_multiple_choice = fmt::format("{} request(s) per document (a loglikelihood task, not multiple choice)", out.continuations.size());
    return out;
}

// Multiple-input tasks (winogrande, xwinograd) put the choices in the contexts and share one continuation.
[[nodiscard]] inline bool is_multiple_input(const Choices& c) {
    return std::all_of(c.continuations.begin(), c.continuations.end(), [&](const std::string& s) { return s == c.continuations.front(); }) &&
           std::any_of(c.contexts.begin(), c.contexts.end(), [&](const std::string& s) { return s != c.contexts.front(); });
}

// The choice text doc_to_choice gave: the continuation without the target delimiter (" "), or the context of a
// multiple-input task (zero-shot, the whole context).
[[nodiscard]] inline std::string_view choice_text(const Choices& c, std::size_t i, bool multiple_input) {
    if (multiple_input) return c.contexts[i];
    std::string_view text = c.continuations[i];
    if (text.starts_with(' ')) text.remove_prefix(1);
    return text;
}

[[nodiscard]] inline std::size_t gold_option(const JsonRecord& r, const Choices& c, bool multiple_input) {
    const std::size_t n = c.continuations.size();
    const simdjson::dom::element target = r.at("target");
    std::string text;
    if (target.is_string()) text = std::string(target.get_string().value_unsafe());
    else if (target.is_int64()) text = std::to_string(target.get_int64().value_unsafe());
    else r.fail("target", fmt::format("is {}", JsonRecord::type_name(target)), "a string (the harness writes str(target))");
    // The harness reads a digit-only target as an option index (lm_eval/api/task.py doc_to_target).
    if (auto index = as_index(text)) {
        if (*index < n) return *index;
        r.fail("target", fmt::format("is option index {} but the sample has {} choices", *index, n), "an index below the choice count");
    }
    // A multiple-input task's target is the continuation every choice shares, which names no option.
    if (!multiple_input)
        for (std::size_t i = 0; i < n; ++i)
            if (choice_text(c, i, false) == text || c.continuations[i] == text) return i;
    if (multiple_input) {
        const simdjson::dom::element doc = r.at("doc");
        auto answer = doc.at_key("answer");
        if (answer.error() == simdjson::SUCCESS) {
            std::optional<std::size_t> index;
            if (answer.value_unsafe().is_string()) index = as_index(answer.value_unsafe().get_string().value_unsafe());
            else if (answer.value_unsafe().is_int64()) index = static_cast<std::size_t>(answer.value_unsafe().get_int64().value_unsafe());
            if (index && *index >= 1 && *index <= n) return *index - 1;
            r.fail("doc.answer", "is not an option number 1..N", "winogrande's answer, \"1\" or \"2\"");
        }
    }
    r.fail("target", fmt::format("\"{}\" names no option", text),
           "an option index, an option's text, or for multiple-input tasks a doc.answer 1..N");
}

}  // namespace detail_lm_eval

// Reads one samples file. `task` is the lm-eval task name (from the file name); `where` the family and language.
[[nodiscard]] inline LmEvalSamplesFile load_lm_eval_samples(const std::filesystem::path& path, const std::string& task,
                                                            const FamilyAndLang& where, LmEvalMetric metric = LmEvalMetric::acc) {
    using namespace detail_lm_eval;
    LmEvalSamplesFile out;
    FamilyLang lang;
    lang.lang = where.lang;
    lang.source_task = task;
    lang.source = path;
    std::string filter;
    std::size_t first_line = 0;
    std::unordered_map<std::string, std::size_t> line_of_doc;
    const std::string metric_key(name(metric));
    JsonlFile file(path);
    file.for_each([&](const JsonRecord& r) {
        if (!out.skipped.empty()) return;
        for (std::string_view key : {"doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "filter"})
            (void)r.at(key);  // each one names itself when missing
        const Choices choices = read_choices(r);
        if (!choices.not_multiple_choice.empty()) {
            if (first_line == 0) {
                out.skipped = fmt::format("{}:{}: skipped, not a multiple-choice task: {}", path.string(), r.line(), choices.not_multiple_choice);
                return;
            }
            r.fail("arguments", choices.not_multiple_choice, fmt::format("multiple-choice requests like line {}", first_line));
        }
        const std::size_t n = choices.continuations.size();
        const std::string_view line_filter = r.string("filter");
        if (first_line == 0) {
            first_line = r.line();
            filter = line_filter;
            out.option_count = n;
        }
        if (line_filter != filter)
            r.fail("filter", fmt::format("is \"{}\" but line {} has \"{}\"", line_filter, first_line, filter), "one filter per file");
        if (n != out.option_count)
            r.fail("arguments", fmt::format("has {} choices but line {} has {}", n, first_line, out.option_count),
                   "the same number of choices in every sample of a family");
        std::string doc_id = r.id_text("doc_id");
        if (auto [at, fresh] = line_of_doc.emplace(doc_id, r.line()); !fresh)
            r.fail("doc_id", fmt::format("{} appears twice (first on line {})", doc_id, at->second), "one sample per document");

        if (const simdjson::dom::array resps = r.array("resps"); resps.size() != n)
            r.fail("resps", fmt::format("has {} entries for {} choices", resps.size(), n), "one response per choice");
        const simdjson::dom::array filtered = r.array("filtered_resps");
        if (filtered.size() != n) r.fail("filtered_resps", fmt::format("has {} entries for {} choices", filtered.size(), n), "one per choice");
        std::vector<double> loglik;
        for (simdjson::dom::element pair : filtered) {
            const simdjson::dom::array leaves = r.as_array(pair, "filtered_resps");
            if (leaves.size() != 2 || !is_greedy_leaf(leaves.at(1).value_unsafe()))
                r.fail("filtered_resps", "holds an entry that is not a [log-likelihood, is-greedy] pair", "[[\"-4.2099\", \"False\"], ...]");
            loglik.push_back(loglik_leaf(r, leaves.at(0).value_unsafe()));
        }

        const simdjson::dom::element value = r.at(metric_key);
        if (!value.is_number()) r.fail(metric_key, fmt::format("is {}", JsonRecord::type_name(value)), "0 or 1");
        const double own = value.get_double().value_unsafe();
        if (own != 0.0 && own != 1.0) r.fail(metric_key, fmt::format("is {}", own), "0 or 1 (a multiple-choice accuracy)");

        const bool multiple_input = is_multiple_input(choices);
        const std::size_t gold = gold_option(r, choices, multiple_input);
        std::vector<double> decided = loglik;
        if (metric == LmEvalMetric::acc_norm)
            for (std::size_t i = 0; i < n; ++i) decided[i] /= static_cast<double>(code_point_count(choice_text(choices, i, multiple_input)));
        const std::size_t predicted = first_argmax(decided);
        const double recomputed = predicted == gold ? 1.0 : 0.0;
        if (recomputed != own)
            r.fail(metric_key,
                   fmt::format("is {} but filtered_resps and target give {} (option {} chosen, gold {})", own, recomputed, predicted, gold),
                   "the value the harness computes from this sample");

        lang.doc_ids.push_back(std::move(doc_id));
        lang.correct.push_back(own == 1.0 ? 1 : 0);
        lang.option_scores.push_back(std::move(loglik));
    });
    if (!out.skipped.empty()) return out;
    if (lang.doc_ids.empty()) {
        out.skipped = fmt::format("{}: skipped, no samples", path.string());
        return out;
    }
    out.lang = std::move(lang);
    return out;
}

// Every samples file under a directory, read as families.
struct LmEvalSamples {
    std::string model;  // the folder the samples are in (lm-eval's model_name_sanitized)
    std::vector<Family> families;
    std::vector<std::filesystem::path> files;  // the samples files read, in name order
    std::vector<std::string> warnings;
};

namespace detail_lm_eval {

// lm-eval writes <output>/<model>/samples_<task>_<date>.jsonl and never removes older runs. Of one model's folder, the
// newest run of each task is read; an older run of a task read is named in a warning, never mixed in silently. A folder
// holding several models is refused unless one is chosen.
struct SamplesSelection {
    std::vector<std::filesystem::path> files;
    std::vector<std::string> warnings;
};

[[nodiscard]] inline SamplesSelection select_samples_files(const std::filesystem::path& dir, std::string_view model) {
    namespace fs = std::filesystem;
    std::error_code ec;
    require_existing_directory(dir, "directory", "the --output_path of `lm_eval --log_samples`");
    // model folder -> task -> date -> file
    std::map<fs::path, std::map<std::string, std::map<std::string, fs::path>>> found;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const fs::path& path = it->path();
        const std::string file_name = path.filename().string();
        if (file_name.starts_with("samples_") && (file_name.ends_with(".gz") || file_name.ends_with(".bz2") || file_name.ends_with(".xz") ||
                                                  file_name.ends_with(".zst")))
            fail_input({path}, "is a compressed samples file", fmt::format("plain JSON Lines: decompress it first (e.g. gunzip -k {})", path.string()));
        auto name = parse_samples_file_name(file_name);
        if (!name) continue;
        auto& dates = found[path.parent_path()][name->task];
        if (auto [at, fresh] = dates.emplace(name->date, path); !fresh)
            fail_input({path}, fmt::format("is a second samples file of task {} without a date, beside {}", name->task, at->second.string()),
                       "one file per task and run");
    }
    if (ec) fail_input({dir}, fmt::format("cannot list: {}", ec.message()));

    const auto folder_name = [&](const fs::path& folder) {
        const fs::path relative = folder.lexically_relative(dir);
        return relative.empty() || relative == "." ? folder.filename().string() : relative.generic_string();
    };
    const auto chosen = [&]() -> const std::map<std::string, std::map<std::string, fs::path>>* {
        if (found.empty()) return nullptr;
        if (model.empty() && found.size() == 1) return &found.begin()->second;
        std::string names;
        for (const auto& [folder, tasks] : found) {
            if (!model.empty() && (folder_name(folder) == model || folder.filename() == model)) return &tasks;
            names += fmt::format("{}{}", names.empty() ? "" : ", ", folder_name(folder));
        }
        if (model.empty())
            fail_input({dir}, fmt::format("holds the samples of {} models: {}", found.size(), names), "one chosen with --lm-eval-model NAME");
        fail_input({dir}, fmt::format("has no samples of model {}", model), fmt::format("one of: {}", names));
    }();

    SamplesSelection out;
    if (chosen == nullptr) return out;
    for (const auto& [task, dates] : *chosen) {
        const fs::path& newest = dates.rbegin()->second;  // ISO dates sort as text; undated ("") first
        out.files.push_back(newest);
        for (auto it = std::next(dates.rbegin()); it != dates.rend(); ++it)
            out.warnings.push_back(fmt::format("{}: not read, an older run of {} than {}", it->second.string(), task, newest.filename().string()));
    }
    std::sort(out.files.begin(), out.files.end());
    return out;
}

}  // namespace detail_lm_eval

// `model`: the model folder to read where `dir` holds several (lm-eval's <output>/<model>/); empty: the only one.
[[nodiscard]] inline LmEvalSamples load_lm_eval_dir(const std::filesystem::path& dir, LmEvalMetric metric = LmEvalMetric::acc,
                                                    const LmEvalTaskMap& map = {}, std::string_view model = {}) {
    namespace fs = std::filesystem;
    detail_lm_eval::SamplesSelection selection = detail_lm_eval::select_samples_files(dir, model);
    const std::vector<fs::path>& files = selection.files;

    LmEvalSamples out;
    out.warnings = std::move(selection.warnings);
    std::map<std::string, Family> families;
    std::map<std::pair<std::string, std::string>, fs::path> seen;
    std::map<std::string, fs::path> first_file_of_family;
    for (const fs::path& path : files) {
        const std::string task = *samples_task_name(path.filename().string());
        const std::optional<FamilyAndLang> where = lm_eval_family(task, map);
        if (!where) {
            out.warnings.push_back(fmt::format("{}: skipped, task {} is not a known multilingual family (name it in --task-map)", path.string(), task));
            continue;
        }
        LmEvalSamplesFile loaded = load_lm_eval_samples(path, task, *where, metric);
        if (!loaded.lang) {
            out.warnings.push_back(std::move(loaded.skipped));
            continue;
        }
        if (auto [at, fresh] = seen.emplace(std::pair{where->family, where->lang}, path); !fresh)
            fail_input({path}, fmt::format("task {} is {} in language {}, already read from {}", task, where->family, where->lang, at->second.string()),
                       "one samples file per family and language: point --lm-eval-samples at one run");
        Family& family = families[where->family];
        if (family.name.empty()) {
            family.name = where->family;
            family.option_count = loaded.option_count;
            first_file_of_family[where->family] = path;
            if (const auto clika_task = parse_task(where->family); clika_task && *clika_task != Task::fictional) {
                family.reference_percent = spec(*clika_task).paper_reference_percent;
                family.reference_source = "paper (ChatGPT's English accuracy)";
            }
        } else if (family.option_count != loaded.option_count) {
            fail_input({path, 1, "arguments"},
                       fmt::format("has {} choices per sample but {} has {}", loaded.option_count, first_file_of_family[where->family].string(),
                                   family.option_count),
                       fmt::format("the same number of choices in every language of {}", where->family));
        }
        family.langs.push_back(std::move(*loaded.lang));
        out.files.push_back(path);
    }
    if (families.empty())
        fail_input({dir}, files.empty() ? "no samples_<task>_<date>.jsonl files" : "no multiple-choice samples of a known family",
                   "the output of `lm_eval --log_samples` for multiple-choice tasks");
    for (auto& [family_name, family] : families) out.families.push_back(std::move(family));
    fs::path folder = out.files.front().parent_path().lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();
    out.model = folder.filename().string();
    return out;
}

}  // namespace clika
