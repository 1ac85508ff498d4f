#pragma once
// Writes lm-evaluation-harness sample logs exactly as the harness does, for the ingestion tests.
//
// Source: lm_eval/evaluator.py builds each record (doc_id, doc, target, arguments, resps, filtered_resps, filter,
// metrics, doc_hash, prompt_hash, target_hash, then one key per metric); lm_eval/loggers/evaluation_tracker.py::
// save_results_samples turns arguments into {"gen_args_i": {"arg_j": ...}}, every resps/filtered_resps leaf into str()
// (sanitize_list), target into str(), and writes json.dumps(sample, ensure_ascii=False) + "\n" to
// <output>/<model>/samples_<task>_<datetime.isoformat() with ':' as '-'>.jsonl. resps holds one list of responses per
// request ([[ll, is_greedy]]), filtered_resps the "none" filter's take_first of it ([ll, is_greedy]).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/file_hash.hpp"
#include "test_support.hpp"

namespace clika::test {

using PyJson = nlohmann::ordered_json;

// json.dumps's default separators (", " and ": "); strings as ensure_ascii=False writes them.
inline std::string python_dumps(const PyJson& value) {
    if (value.is_object()) {
        std::string out = "{";
        bool first = true;
        for (const auto& [key, item] : value.items()) {
            out += (first ? "" : ", ") + PyJson(key).dump() + ": " + python_dumps(item);
            first = false;
        }
        return out + "}";
    }
    if (value.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < value.size(); ++i) out += (i == 0 ? "" : ", ") + python_dumps(value[i]);
        return out + "]";
    }
    return value.dump();
}

// Python's str(float): shortest round trip, always with a decimal point or exponent.
inline std::string python_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    std::string text = fmt::format("{}", v);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

enum class Leaves { strings, numbers };  // current harness / older versions

struct SampleDoc {
    std::int64_t doc_id = 0;
    PyJson doc = PyJson::object();
    std::string target;                      // str(doc_to_target(doc))
    std::vector<std::string> contexts;       // arg_0 per choice
    std::vector<std::string> continuations;  // arg_1 per choice
    std::vector<double> loglik;
    std::optional<double> acc, acc_norm;  // default: the harness's rule from `gold`
    std::size_t gold = 0;
    bool multiple_input = false;
    std::string filter = "none";
};

// A plain multiple-choice document: one context, the choices as continuations after the default target delimiter " ".
inline SampleDoc choice_doc(std::int64_t id, const std::string& context, const std::vector<std::string>& choices, std::size_t gold,
                            std::vector<double> loglik) {
    SampleDoc d;
    d.doc_id = id;
    d.doc = {{"question", context}, {"label", gold}};
    d.target = std::to_string(gold);
    for (const std::string& c : choices) {
        d.contexts.push_back(context);
        d.continuations.push_back(" " + c);
    }
    d.loglik = std::move(loglik);
    d.gold = gold;
    return d;
}

// A winogrande-style document (xwinograd): the options fill the blank in the contexts, one shared continuation, and
// the gold option is doc.answer ("1" or "2").
inline SampleDoc winograd_doc(std::int64_t id, const std::vector<std::string>& filled_prefixes, const std::string& rest, std::size_t gold,
                              std::vector<double> loglik) {
    SampleDoc d;
    d.doc_id = id;
    d.doc = {{"sentence", "_ " + rest}, {"option1", "a"}, {"option2", "b"}, {"answer", std::to_string(gold + 1)}};
    d.target = rest;
    d.contexts = filled_prefixes;
    d.continuations.assign(filled_prefixes.size(), " " + rest);
    d.loglik = std::move(loglik);
    d.gold = gold;
    d.multiple_input = true;
    return d;
}

inline std::size_t first_max(const std::vector<double>& v) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i] > v[best]) best = i;
    return best;
}

inline std::size_t python_len(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

inline std::string sample_line(const SampleDoc& d, Leaves leaves) {
    auto leaf_ll = [&](double v) { return leaves == Leaves::strings ? PyJson(python_float(v)) : PyJson(v); };
    auto leaf_greedy = [&](bool g) { return leaves == Leaves::strings ? PyJson(g ? "True" : "False") : PyJson(g); };
    PyJson arguments = PyJson::object(), resps = PyJson::array(), filtered = PyJson::array();
    const std::size_t best = first_max(d.loglik);
    std::vector<double> normed;
    for (std::size_t i = 0; i < d.loglik.size(); ++i) {
        arguments[fmt::format("gen_args_{}", i)] = {{"arg_0", d.contexts[i]}, {"arg_1", d.continuations[i]}};
        const PyJson pair = PyJson::array({leaf_ll(d.loglik[i]), leaf_greedy(i == best)});
        resps.push_back(PyJson::array({pair}));
        filtered.push_back(pair);
        // lm_eval/api/task.py: completion_len = len(choice) of doc_to_choice's texts (the contexts for multiple input).
        const std::string choice = d.multiple_input ? d.contexts[i] : d.continuations[i].substr(1);
        normed.push_back(d.loglik[i] / static_cast<double>(python_len(choice)));
    }
    PyJson line;
    line["doc_id"] = d.doc_id;
    line["doc"] = d.doc;
    line["target"] = d.target;
    line["arguments"] = arguments;
    line["resps"] = resps;
    line["filtered_resps"] = filtered;
    line["filter"] = d.filter;
    line["metrics"] = PyJson::array({"acc", "acc_norm"});
    line["doc_hash"] = sha256_text(d.doc.dump(2));
    line["prompt_hash"] = sha256_text(d.contexts.front());
    line["target_hash"] = sha256_text(d.target);
    line["acc"] = d.acc.value_or(best == d.gold ? 1.0 : 0.0);
    line["acc_norm"] = d.acc_norm.value_or(first_max(normed) == d.gold ? 1.0 : 0.0);
    return python_dumps(line) + "\n";
}

inline const char* const sample_date = "2024-05-13T12-34-56.123456";

// <dir>/<model>/samples_<task>_<date>.jsonl, as save_results_samples names it.
inline std::filesystem::path write_samples(const std::filesystem::path& dir, const std::string& task, const std::vector<SampleDoc>& docs,
                                           Leaves leaves = Leaves::strings, const std::string& model = "org__tiny-model",
                                           const std::string& date = sample_date) {
    std::string text;
    for (const SampleDoc& d : docs) text += sample_line(d, leaves);
    const std::filesystem::path path = dir / model / fmt::format("samples_{}_{}.jsonl", task, date);
    write_file(path, text);
    return path;
}

}  // namespace clika::test
