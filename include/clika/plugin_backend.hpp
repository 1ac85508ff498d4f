#pragma once
// The C++ side of a loaded plugin: one open model, satisfying clika::Backend. Every call crosses the C ABI of
// plugin_abi.h; every failure comes back as clika::Error(ErrorKind::backend, {plugin file}, "<plugin>: <its message>").
//
// A PluginBackend holds a copy of its Plugin, so the library stays loaded while the model is open; the model is closed
// before the library can go. Use one PluginBackend from one thread at a time.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/logprob.hpp"
#include "clika/model_precheck.hpp"
#include "clika/plugin_abi.h"
#include "clika/plugin_loader.hpp"
#include "clika/redact.hpp"
#include "clika/request.hpp"

namespace clika {

// What clika_open_options carries, C++ side. 0 means "the plugin's default" for the counts.
struct OpenOptions {
    int threads = 0;
    int n_ctx = 0;
    int n_batch = 0;
    int n_parallel = 0;
    std::filesystem::path lora_path;  // empty: no adapter
    float lora_scale = 1.0f;
    int seed = 0;
    std::string settings;  // the plugin's own settings, one JSON object; empty: none
};

class PluginBackend {
public:
    // Opens `model_path` with the plugin's `open` and reads its description. Throws clika::Error: bad_input when the
    // model file is not what the plugin declares it reads (model_precheck.hpp), backend when the plugin refuses.
    PluginBackend(Plugin plugin, const std::filesystem::path& model_path, const OpenOptions& options = {})
        : plugin_(std::move(plugin)), model_path_(model_path), model_(nullptr, Closer{&plugin_.api()}) {
        check_model_file(plugin_, model_path);
        const std::string path = model_path.string();
        const std::string lora = options.lora_path.string();
        clika_open_options o{};
        o.struct_size = sizeof(clika_open_options);
        o.n_threads = options.threads;
        o.n_ctx = options.n_ctx;
        o.n_batch = options.n_batch;
        o.n_parallel = options.n_parallel;
        o.lora_path = lora.empty() ? nullptr : lora.c_str();
        o.lora_scale = options.lora_scale;
        o.seed = options.seed;
        o.settings = options.settings.empty() ? nullptr : options.settings.c_str();
        clika_model* model = api().open(path.c_str(), &o);
        if (model == nullptr) {
            std::string why = api().last_error(nullptr);
            const std::string shown = without_password(path);
            if (why.find(shown) == std::string::npos) why += fmt::format(" (model {})", shown);
            fail(std::move(why));
        }
        model_.reset(model);
        clika_model_info raw{};
        raw.struct_size = sizeof(clika_model_info);
        if (api().describe(model_.get(), &raw) != 0) fail_from_model();
        info_.n_vocab = raw.n_vocab;
        info_.n_ctx_train = raw.n_ctx_train;
        info_.n_ctx = raw.n_ctx;
        info_.bos = raw.bos;
        info_.eos = raw.eos;
        info_.adds_bos = raw.adds_bos != 0;
        raw.description[sizeof(raw.description) - 1] = '\0';
        info_.description = raw.description;
        raw.identity[sizeof(raw.identity) - 1] = '\0';
        info_.identity = raw.identity;
        // What a plugin can hold per pass follows from --ctx, --batch and --parallel: name them, not the ABI call.
        if (raw.max_pass_tokens <= 0 || raw.max_pass_sequences <= 0)
            fail(fmt::format("with --ctx {}, --batch {} and --parallel {} (0: the plugin's default) a forward pass holds {} tokens and {} "
                             "sequences: too few to score a question",
                             options.n_ctx, options.n_batch, options.n_parallel, raw.max_pass_tokens, raw.max_pass_sequences),
                 "a larger --ctx and --batch: a question's prompt and options must fit both");
        info_.max_pass_tokens = raw.max_pass_tokens;
        info_.max_pass_sequences = raw.max_pass_sequences;
        info_.supports_lora = (raw.capabilities & CLIKA_CAP_LORA) != 0;
        info_.supports_generation = (raw.capabilities & CLIKA_CAP_GENERATE) != 0 && api().generate_begin != nullptr;
        if (!lora.empty() && !info_.supports_lora) fail("this plugin does not apply LoRA adapters (merge the adapter into the model instead)");
    }

    PluginBackend(PluginBackend&&) noexcept = default;
    // Not defaulted: the old model must close before the old plugin (maybe the library's last owner) is released.
    PluginBackend& operator=(PluginBackend&& other) noexcept {
        PluginBackend old(std::move(other));
        std::swap(plugin_, old.plugin_);
        std::swap(model_path_, old.model_path_);
        std::swap(model_, old.model_);
        std::swap(info_, old.info_);
        return *this;
    }
    PluginBackend(const PluginBackend&) = delete;
    PluginBackend& operator=(const PluginBackend&) = delete;
    ~PluginBackend() = default;  // model_ closes before plugin_ can unload the library

    [[nodiscard]] const Plugin& plugin() const noexcept { return plugin_; }
    [[nodiscard]] const std::filesystem::path& model_path() const noexcept { return model_path_; }
    [[nodiscard]] const ModelInfo& info() const noexcept { return info_; }

    // UTF-8 text to token ids; add_special: prepend BOS (and whatever else the model's tokenizer adds).
    [[nodiscard]] Tokens tokenize(std::string_view text, bool add_special) {
        Tokens out(text.size() / 2 + 16);
        for (int attempt = 0; attempt < 2; ++attempt) {
            const std::int64_t n = api().tokenize(model_.get(), text.data(), text.size(), add_special ? 1 : 0, out.data(), out.size());
            if (n < 0) fail_from_model();
            if (static_cast<std::uint64_t>(n) <= out.size()) {
                out.resize(static_cast<std::size_t>(n));
                return out;
            }
            out.resize(static_cast<std::size_t>(n));
        }
        fail("tokenize asked for a larger buffer twice for the same text");
    }

    // The UTF-8 bytes of one token (possibly a partial character).
    [[nodiscard]] std::string piece(Token token) {
        std::string out(16, '\0');
        for (int attempt = 0; attempt < 2; ++attempt) {
            const std::int64_t n = api().token_piece(model_.get(), token, out.data(), out.size());
            if (n < 0) fail_from_model();
            if (static_cast<std::uint64_t>(n) <= out.size()) {
                out.resize(static_cast<std::size_t>(n));
                return out;
            }
            out.resize(static_cast<std::size_t>(n));
        }
        fail(fmt::format("token_piece asked for a larger buffer twice for token {}", token));
    }

    // Scores every request in one plugin call. The requests' shared_prefix promises are checked first (a broken promise
    // is an engine bug: ErrorKind::internal); counters are added to `stats`. What comes back is checked against the rule
    // of clika/logprob.hpp: a value that is no log-probability is a backend error naming the request, never a score.
    [[nodiscard]] std::vector<OptionScores> score(std::span<const ScoreRequest> requests, const ScoreOptions& options, ScoreStats& stats) {
        if (requests.empty()) return {};
        check_requests(requests);

        std::vector<std::vector<clika_token_span>> spans(requests.size());
        std::vector<clika_score_request> raw_requests(requests.size());
        std::vector<OptionScores> out(requests.size());
        std::vector<std::vector<std::uint8_t>> greedy(requests.size());
        std::vector<clika_score_result> raw_results(requests.size());
        std::size_t next_ids = 0;
        for (const ScoreRequest& r : requests) next_ids += r.next_ids.size();
        std::vector<std::uint8_t> bounded(next_ids, 0);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            const ScoreRequest& r = requests[i];
            for (const Tokens& c : r.continuations) spans[i].push_back({c.data(), c.size()});
            raw_requests[i] = {{r.context.data(), r.context.size()}, r.shared_prefix, spans[i].data(), spans[i].size(), r.next_ids.data(), r.next_ids.size()};
            OptionScores& o = out[i];
            o.logprob.assign(r.continuations.size(), 0.0);
            o.n_tokens.reserve(r.continuations.size());
            for (const Tokens& c : r.continuations) o.n_tokens.push_back(static_cast<int>(c.size()));
            o.next_logprob.assign(r.next_ids.size(), 0.0);
            greedy[i].assign(r.continuations.size(), 0);
            raw_results[i] = {o.logprob.data(), greedy[i].data(), o.next_logprob.data(), -1};
        }
        clika_score_options raw_options{};
        raw_options.struct_size = sizeof(clika_score_options);
        raw_options.share_prefix = options.share_prefix ? 1 : 0;
        raw_options.tokens_evaluated = &stats.tokens_evaluated;
        raw_options.prefix_reuses = &stats.prefix_reuses;
        raw_options.next_bounded = bounded.data();
        raw_options.requests_sent = &stats.requests_sent;
        raw_options.retries = &stats.retries;
        if (api().score(model_.get(), raw_requests.data(), raw_results.data(), requests.size(), &raw_options) != 0) fail_from_model();
        std::size_t flag = 0;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            check_logprobs(requests, i, out[i].logprob, {});
            check_logprobs(requests, i, out[i].next_logprob, std::span(bounded).subspan(flag, requests[i].next_ids.size()));
            out[i].all_greedy.assign(greedy[i].begin(), greedy[i].end());
            out[i].greedy_next = raw_results[i].greedy_next;
            out[i].next_bounded.assign(bounded.begin() + static_cast<std::ptrdiff_t>(flag),
                                       bounded.begin() + static_cast<std::ptrdiff_t>(flag + requests[i].next_ids.size()));
            flag += requests[i].next_ids.size();
        }
        return out;
    }

    // Incremental greedy decoding (info().supports_generation): begin evaluates the prompts and returns each one's
    // greedy next token; step appends one token per sequence (-1: that sequence is done) and returns the next ones.
    [[nodiscard]] Tokens generate_begin(std::span<const Tokens> prompts, std::size_t shared_prefix, const ScoreOptions& options, ScoreStats& stats) {
        std::vector<ScoreRequest> requests(prompts.size());
        std::vector<clika_score_request> raw(prompts.size());
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            requests[i].context = prompts[i];
            requests[i].shared_prefix = shared_prefix;
            raw[i] = {};
            raw[i].context = {requests[i].context.data(), requests[i].context.size()};
            raw[i].shared_prefix = shared_prefix;
        }
        check_requests(requests);
        Tokens next(prompts.size(), -1);
        const clika_generate_options o = generate_options(options, stats);
        if (api().generate_begin(model_.get(), raw.data(), raw.size(), next.data(), &o) != 0) fail_from_model();
        return next;
    }
    [[nodiscard]] Tokens generate_step(std::span<const Token> appended, const ScoreOptions& options, ScoreStats& stats) {
        Tokens next(appended.size(), -1);
        const clika_generate_options o = generate_options(options, stats);
        if (api().generate_step(model_.get(), appended.data(), appended.size(), next.data(), &o) != 0) fail_from_model();
        return next;
    }
    void generate_end() noexcept { api().generate_end(model_.get()); }

private:
    [[nodiscard]] static clika_generate_options generate_options(const ScoreOptions& options, ScoreStats& stats) {
        clika_generate_options o{};
        o.struct_size = sizeof(clika_generate_options);
        o.share_prefix = options.share_prefix ? 1 : 0;
        o.tokens_evaluated = &stats.tokens_evaluated;
        o.requests_sent = &stats.requests_sent;
        o.retries = &stats.retries;
        return o;
    }

    struct Closer {
        const clika_plugin_api_v2* api;
        void operator()(clika_model* model) const noexcept {
            if (model != nullptr) api->close(model);
        }
    };

    [[nodiscard]] const clika_plugin_api_v2& api() const noexcept { return plugin_.api(); }

    [[noreturn]] void fail(std::string message, std::string expected = {}) const {
        throw Error(ErrorKind::backend, Location{plugin_.path(), 0, {}}, fmt::format("{}: {}", plugin_.name(), message), std::move(expected));
    }
    [[noreturn]] void fail_from_model() const { fail(api().last_error(model_.get())); }

    // One request's scores (continuations or next ids; `bounded`: the plugin's next_bounded flags, empty for
    // continuations) against clika/logprob.hpp's rule. A request whose scores are all -inf is refused too: every
    // option is impossible, so no choice between them means anything.
    void check_logprobs(std::span<const ScoreRequest> requests, std::size_t i, std::span<const double> scores,
                        std::span<const std::uint8_t> bounded) const {
        auto what = [&] { return requests[i].label.empty() ? fmt::format("score request {} of {}", i + 1, requests.size()) : requests[i].label; };
        for (std::size_t j = 0; j < scores.size(); ++j)
            if (const auto why = not_a_logprob(scores[j], bounded.empty() || bounded[j] == 0))
                fail(fmt::format("{}: log-probability {} of {} is {}; nothing of its chunk is written", what(), j + 1, scores.size(), *why),
                     "a log-probability: a number <= 0, or -inf where the plugin reports it exact");
        if (scores.size() >= 2 && std::all_of(scores.begin(), scores.end(), [](double v) { return std::isinf(v); }))
            fail(fmt::format("{}: all {} log-probabilities are -inf (probability 0), so no option can be chosen; nothing of its chunk is written", what(),
                             scores.size()),
                 "at least one option with a finite log-probability");
    }

    // The shared-prefix rule of plugin_abi.h, enforced here once for every plugin.
    static void check_requests(std::span<const ScoreRequest> requests) {
        const Tokens& first = requests.front().context;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            const ScoreRequest& r = requests[i];
            if (r.shared_prefix != requests.front().shared_prefix)
                throw Error(ErrorKind::internal, {},
                            fmt::format("score request {}: shared_prefix {} differs from request 0's {}", i, r.shared_prefix,
                                        requests.front().shared_prefix));
            if (r.shared_prefix > 0 && r.shared_prefix >= r.context.size())
                throw Error(ErrorKind::internal, {},
                            fmt::format("score request {}: shared_prefix {} leaves none of its {} context tokens its own", i, r.shared_prefix,
                                        r.context.size()));
            if (!std::equal(r.context.begin(), r.context.begin() + static_cast<std::ptrdiff_t>(r.shared_prefix), first.begin()))
                throw Error(ErrorKind::internal, {},
                            fmt::format("score request {}: its first {} context tokens are not shared with request 0", i, r.shared_prefix));
            for (std::size_t j = 0; j < r.continuations.size(); ++j)
                if (r.continuations[j].empty())
                    throw Error(ErrorKind::internal, {}, fmt::format("score request {}: continuation {} is empty", i, j));
        }
    }

    Plugin plugin_;  // declared first: destroyed last, after the model is closed
    std::filesystem::path model_path_;
    std::unique_ptr<clika_model, Closer> model_;
    ModelInfo info_;
};

static_assert(Backend<PluginBackend>);

}  // namespace clika
