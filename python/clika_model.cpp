// clika._core.Model: a model opened through any clika plugin, as `clika run` opens one (cli/backend.hpp), scoring
// lm-evaluation-harness's requests (clika/eval/lm_eval_requests.hpp) and generating greedily (clika/eval/generate.hpp).
// clika.lm_eval is its caller. Also clika._core.run_fictional, the Conductivity run (clika/eval/conductivity_run.hpp).

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "backend.hpp"  // cli/: the CLI's open path
#include "clika/eval/conductivity_run.hpp"
#include "clika/eval/generate.hpp"
#include "clika/eval/lm_eval_requests.hpp"
#include "clika/plugin_settings.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/writer.hpp"

namespace py = pybind11;

namespace clika {
namespace {

struct OpenArgs {  // what cli::open_backend reads
    std::string model;
    int threads = 0, ctx = 0, batch = 0, parallel = 0;
    std::filesystem::path lora;
    float lora_scale = 1.0f;
};

class Model {
public:
    Model(const std::string& model, const std::string& plugin, const std::vector<std::filesystem::path>& plugin_paths, int threads, int ctx,
          int batch, int parallel, const std::string& lora, float lora_scale, const std::map<std::string, std::string>& settings,
          int max_new_tokens)
        : backend_(open(model, plugin, plugin_paths, threads, ctx, batch, parallel, lora, lora_scale, settings, max_new_tokens)) {}

    std::vector<std::pair<double, bool>> loglikelihood(const std::vector<std::pair<std::string, std::string>>& requests, bool share_prefix) {
        py::gil_scoped_release unlocked;
        const std::lock_guard lock(mutex_);
        std::vector<TokenPair> pairs;
        pairs.reserve(requests.size());
        for (const auto& [context, continuation] : requests) pairs.push_back(lm_eval_pair(backend_, context, continuation));
        std::vector<std::pair<double, bool>> out;
        for (const Loglikelihood& l : score_pairs(backend_, pairs, {.share_prefix = share_prefix}, stats_)) out.emplace_back(l.logprob, l.greedy);
        return out;
    }

    std::vector<double> loglikelihood_rolling(const std::vector<std::string>& texts, std::size_t max_length, bool share_prefix) {
        py::gil_scoped_release unlocked;
        const std::lock_guard lock(mutex_);
        const ModelInfo& info = backend_.info();
        // A window is one continuation, which must fit one pass after its token of context.
        if (max_length == 0) max_length = static_cast<std::size_t>(info.max_pass_tokens) - 1;
        std::vector<TokenPair> windows;
        std::vector<std::size_t> text_of;
        for (std::size_t i = 0; i < texts.size(); ++i)
            for (TokenPair& w : rolling_windows(backend_.tokenize(texts[i], false), info.bos >= 0 ? info.bos : info.eos, max_length)) {
                windows.push_back(std::move(w));
                text_of.push_back(i);
            }
        const std::vector<Loglikelihood> scores = score_pairs(backend_, windows, {.share_prefix = share_prefix}, stats_);
        std::vector<double> out(texts.size(), 0.0);
        for (std::size_t k = 0; k < scores.size(); ++k) out[text_of[k]] += scores[k].logprob;
        return out;
    }

    // The greedy continuation of each context, up to max_tokens tokens, end of sequence, or the first of `stop` the
    // text holds (the text is returned whole: lm-eval's caller cuts it).
    std::vector<py::str> generate(const std::vector<std::string>& contexts, std::size_t max_tokens, const std::vector<std::string>& stop,
                                  bool share_prefix, bool rescore) {
        std::vector<std::string> texts;
        {
            py::gil_scoped_release unlocked;
            texts = generate_texts(contexts, max_tokens, stop, share_prefix, rescore);
        }
        // A token may end inside a character (and a tiny random model's text need not be UTF-8 at all): U+FFFD there.
        std::vector<py::str> out;
        for (const std::string& t : texts)
            out.push_back(py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(t.data(), static_cast<Py_ssize_t>(t.size()), "replace")));
        return out;
    }

    Tokens tokenize(const std::string& text, bool add_special) {
        const std::lock_guard lock(mutex_);
        return backend_.tokenize(text, add_special);
    }

    py::dict info() const {
        const ModelInfo& i = backend_.info();
        py::dict d;
        d["plugin"] = std::string(backend_.plugin().name());
        d["description"] = i.description;
        d["n_ctx"] = i.n_ctx;
        d["n_ctx_train"] = i.n_ctx_train;
        d["n_vocab"] = i.n_vocab;
        d["bos"] = i.bos;
        d["eos"] = i.eos;
        d["max_pass_tokens"] = i.max_pass_tokens;
        d["max_pass_sequences"] = i.max_pass_sequences;
        d["tokens_evaluated"] = stats_.tokens_evaluated;
        d["prefix_reuses"] = stats_.prefix_reuses;
        return d;
    }

private:
    std::vector<std::string> generate_texts(const std::vector<std::string>& contexts, std::size_t max_tokens, const std::vector<std::string>& stop,
                                            bool share_prefix, bool rescore) {
        const std::lock_guard lock(mutex_);
        std::vector<Tokens> prompts;
        for (const std::string& c : contexts) {
            prompts.push_back(backend_.tokenize(c, true));
            if (prompts.back().empty()) prompts.back().push_back(backend_.info().bos >= 0 ? backend_.info().bos : backend_.info().eos);
        }
        const GenerationSettings settings{.max_new_tokens = max_tokens, .stop_at_newline = false, .stop = stop};
        std::vector<Generated> generated(prompts.size());
        if (rescore) {  // the path of plugins without incremental generation: prompt and tokens so far re-scored each step
            std::vector<std::size_t> all(prompts.size());
            for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
            detail::generate_by_rescoring(backend_, prompts, all, generated, settings, {.share_prefix = share_prefix}, stats_);
        } else {
            generated = greedy_generate(backend_, prompts, settings, {.share_prefix = share_prefix}, stats_);
        }
        std::vector<std::string> out;
        for (Generated& g : generated) out.push_back(std::move(g.text));
        return out;
    }

    static PluginBackend open(const std::string& model, const std::string& plugin_name, const std::vector<std::filesystem::path>& plugin_paths, int threads,
                              int ctx, int batch, int parallel, const std::string& lora, float lora_scale,
                              const std::map<std::string, std::string>& settings, int max_new_tokens) {
        Plugin plugin = load_plugin(plugin_name, PluginSearchPath::standard(plugin_paths));
        std::vector<GivenSetting> given;
        for (const auto& [name, text] : settings) given.push_back({name, text});
        nlohmann::ordered_json host;
        host["mode"] = "loglik";
        host["max_new_tokens"] = max_new_tokens;
        std::string json = plugin_settings_json(plugin, std::move(host), given);
        const OpenArgs args{.model = model, .threads = threads, .ctx = ctx, .batch = batch, .parallel = parallel, .lora = lora, .lora_scale = lora_scale};
        return cli::open_backend(args, std::move(plugin), std::move(json));
    }

    PluginBackend backend_;
    ScoreStats stats_;
    std::mutex mutex_;  // one call at a time: the GIL is released while the model works
};


// clika.run_fictional: `clika run --tasks fictional` (cli/fictional_run.cpp) without the printing, through the core's
// ConductivityRun; the same options give the same run directory, byte for byte.
py::dict run_fictional(const std::filesystem::path& data, const std::string& model, const std::filesystem::path& out, const std::vector<std::string>& langs,
                       const std::string& mode, std::size_t limit, std::size_t max_new_tokens, std::size_t chunk, bool share_prefix, const std::string& plugin_name,
                       const std::vector<std::filesystem::path>& plugin_paths, int threads, int ctx, int batch, int parallel, const std::string& lora,
                       float lora_scale, const std::map<std::string, std::string>& settings) {
    const auto modes = parse_fictional_modes(mode);
    if (!modes) fail_input({}, fmt::format("mode=\"{}\"", mode), "generate, choice or both");
    const FictionalRunSettings run_settings{.modes = *modes, .max_new_tokens = max_new_tokens, .limit = limit, .chunk = chunk, .share_prefix = share_prefix};
    check(run_settings);
    std::vector<Lang> asked;
    for (const std::string& c : langs) {
        const auto lang = parse_lang(c);
        if (!lang) fail_input({}, fmt::format("unknown language \"{}\"", c), "one of en de fr it pl ru ar he ja zh");
        asked.push_back(*lang);
    }
    if (asked.empty()) asked.assign(all_langs.begin(), all_langs.end());
    std::vector<FictionalTestSet> sets = load_fictional_test_sets(data, fictional_run_langs(asked));
    const OpenArgs args{.model = model, .threads = threads, .ctx = ctx, .batch = batch, .parallel = parallel, .lora = lora, .lora_scale = lora_scale};
    py::gil_scoped_release unlocked;
    Plugin plugin = load_plugin(plugin_name, PluginSearchPath::standard(plugin_paths));
    std::vector<GivenSetting> given;
    for (const auto& [name, text] : settings) given.push_back({name, text});
    nlohmann::ordered_json host;
    host["mode"] = std::string(backend_mode(*modes));
    host["max_new_tokens"] = max_new_tokens;
    std::string json = plugin_settings_json(plugin, std::move(host), given);
    PluginBackend backend = cli::open_backend(args, std::move(plugin), std::move(json));
    RunIdentity identity = run_identity(args, backend);
    identity.data = fictional_data_identity(data, sets);
    ConductivityRun run(backend, run_settings, std::move(sets));
    const RunLock lock = open_run_dir(out, run.manifest(identity));
    RunObserver quiet;
    const std::size_t answered = run.answer_all(out, quiet);
    py::gil_scoped_acquire locked;
    py::dict result;
    result["answered"] = answered;
    result["tokens_evaluated"] = run.stats().tokens_evaluated;
    return result;
}

}  // namespace

void bind_model(py::module_& m) {
    py::class_<Model>(m, "Model", "A model opened through a clika plugin, scoring lm-evaluation-harness requests (use clika.lm_eval)")
        .def(py::init<const std::string&, const std::string&, const std::vector<std::filesystem::path>&, int, int, int, int, const std::string&,
                      float, const std::map<std::string, std::string>&, int>(),
             py::arg("model"), py::arg("plugin") = "llamacpp", py::arg("plugin_paths") = std::vector<std::filesystem::path>{}, py::arg("threads") = 0,
             py::arg("ctx") = 0, py::arg("batch") = 0, py::arg("parallel") = 0, py::arg("lora") = std::string(), py::arg("lora_scale") = 1.0f,
             py::arg("settings") = std::map<std::string, std::string>{}, py::arg("max_new_tokens") = 256)
        .def("loglikelihood", &Model::loglikelihood, py::arg("requests"), py::arg("share_prefix") = true,
             "[(logprob, is_greedy)] of [(context, continuation)], with lm-eval's token split; share_prefix=False: the plugin's reference path")
        .def("loglikelihood_rolling", &Model::loglikelihood_rolling, py::arg("texts"), py::arg("max_length") = 0, py::arg("share_prefix") = true,
             "Each text's log-likelihood from lm-eval's rolling windows of max_length tokens (0: one pass's tokens less one)")
        .def("generate", &Model::generate, py::arg("contexts"), py::arg("max_tokens"), py::arg("stop") = std::vector<std::string>{},
             py::arg("share_prefix") = true, py::arg("rescore") = false,
             "Greedy continuations, each stopped at max_tokens, end of sequence or once it holds a stop string (not cut); rescore=True: "
             "by re-scoring prompt and tokens so far at each step (as for plugins without incremental generation)")
        .def("tokenize", &Model::tokenize, py::arg("text"), py::arg("add_special") = false)
        .def_property_readonly("info", &Model::info);
    m.def("run_fictional", &run_fictional, py::arg("data"), py::arg("model"), py::arg("out"), py::arg("langs"), py::arg("mode"), py::arg("limit"),
          py::arg("max_new_tokens"), py::arg("chunk"), py::arg("share_prefix"), py::arg("plugin"), py::arg("plugin_paths"), py::arg("threads"),
          py::arg("ctx"), py::arg("batch"), py::arg("parallel"), py::arg("lora"), py::arg("lora_scale"), py::arg("settings"),
          "clika run --tasks fictional: the Conductivity run into `out` (use clika.run_fictional)");
}

}  // namespace clika
