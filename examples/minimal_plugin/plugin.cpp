// A minimal clika backend plugin: copy this folder to start your own.
//
// Its "model" is a toy byte-level bigram model. Tokens are bytes (0..255) plus BOS = 256, so n_vocab = 257. The score
// of token b after token a is
//
//     s(a, b) = hash(257 * a + b) / 2^32 * 8,   hash(x) = (x * 2654435761) mod 2^32
//
// and log p(b | ..., a) = s(a, b) - log(sum over all 257 tokens c of exp(s(a, c))): a softmax over the whole
// vocabulary that depends on the previous token only. The first token of a sequence is predicted after BOS. Because the
// hash is a bijection on 32-bit integers, no two tokens share a score: the argmax is unique.
//
// The "model file" is any existing file (its content is ignored). What a real backend does that this one only pretends:
// with share_prefix = 1 the shared prefix and each request's context are "evaluated" once and reused by every
// continuation; with share_prefix = 0 every sequence is evaluated from scratch. The numbers are the same either way;
// the counters differ:
//   share_prefix = 0: tokens_evaluated += |context| + sum over continuations (|context| + |continuation|) per request
//   share_prefix = 1: tokens_evaluated += P + sum over requests (|context| - P + sum |continuation|), P = the
//                     shared_prefix of the call; prefix_reuses += (count - 1 if P > 0) + the continuations of every
//                     request with a non-empty context.
//
// Its settings show how a plugin declares its own (clika_setting): clika lists them (`clika plugins`, `clika run
// --plugin example --help`), takes them as `clika run --max-pass-sequences 16 --no-generate`, checks the values against
// the declarations and passes them in clika_open_options.settings; clika::plugin::Settings reads them back, with the
// declared defaults where clika passed none.
//
// Rules for every plugin: only the entry point is exported (hidden visibility), no exception crosses the C boundary
// (every function body runs in clika::plugin::guarded), last_error explains every failure, and a struct clika passes
// is read only as far as its struct_size goes (clika::plugin::is_v2, clika::plugin::holds), so that the plugin also
// works with a clika built against an older v2 header.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <clika/plugin_abi.h>
#include <clika/plugin/requests.hpp>
#include <clika/plugin/settings.hpp>
#include <clika/plugin_support.hpp>

struct clika_model : clika::plugin::ModelBase {
    std::string path;
    int32_t n_ctx = 0;
    int32_t max_pass_sequences = 0;
    bool generate = true;
    std::vector<int32_t> generating;  // greedy generation: each live sequence's last token, -1 once it has ended
};

namespace {

constexpr int32_t n_bytes = 256;
constexpr int32_t bos = 256;
constexpr int32_t n_vocab = 257;
constexpr int32_t n_ctx_train = 1024;
constexpr std::string_view bos_piece = "<|begin_of_text|>";

// What `clika run` offers as --max-pass-sequences and --generate / --no-generate. Neither changes a number.
constexpr clika_setting declared_settings[] = {
    {sizeof(clika_setting), CLIKA_SETTING_INT, "max_pass_sequences", "256", "sequences one score call may carry (what describe reports)",
     CLIKA_SETTING_HAS_MIN | CLIKA_SETTING_HAS_MAX, 1, 65536},
    {sizeof(clika_setting), CLIKA_SETTING_BOOL, "generate", "true",
     "incremental greedy generation (CLIKA_CAP_GENERATE); off: clika re-scores the growing context", 0, 0, 0},
};

double token_score(int32_t prev, int32_t next) {
    const uint32_t hash = (static_cast<uint32_t>(prev) * 257u + static_cast<uint32_t>(next)) * 2654435761u;
    return static_cast<double>(hash) / 4294967296.0 * 8.0;
}

// The next-token distribution after `prev`.
struct Distribution {
    std::array<double, n_vocab> logprob{};
    int32_t argmax = 0;
};

Distribution next_distribution(int32_t prev) {
    Distribution d;
    double best = -1.0;
    for (int32_t t = 0; t < n_vocab; ++t) {
        d.logprob[t] = token_score(prev, t);
        if (d.logprob[t] > best) {
            best = d.logprob[t];
            d.argmax = t;
        }
    }
    double sum = 0.0;
    for (double s : d.logprob) sum += std::exp(s - best);
    const double log_norm = best + std::log(sum);
    for (double& s : d.logprob) s -= log_norm;
    return d;
}

// `what` names the token for the message: "piece", "generated".
void check_token(int32_t token, const std::string& what) {
    if (token < 0 || token >= n_vocab)
        throw std::runtime_error(what + " token " + std::to_string(token) + " is out of range 0.." + std::to_string(n_vocab - 1));
}

// Sum of log p over a continuation, and whether each of its tokens was the argmax.
void score_continuation(int32_t prev, const clika_token_span& c, const Distribution* after_context, double& logprob, uint8_t& greedy) {
    double sum = 0.0;
    bool all_greedy = true;
    for (size_t k = 0; k < c.count; ++k) {
        const Distribution d = k == 0 && after_context != nullptr ? *after_context : next_distribution(prev);
        sum += d.logprob[c.tokens[k]];
        all_greedy = all_greedy && d.argmax == c.tokens[k];
        prev = c.tokens[k];
    }
    logprob = sum;
    greedy = all_greedy ? 1 : 0;
}

clika_model* example_open(const char* model_path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&] {
        if (model_path == nullptr) throw std::runtime_error("model path is NULL");
        std::error_code ec;
        if (!std::filesystem::is_regular_file(model_path, ec)) throw std::runtime_error(std::string("model file not found: ") + model_path);
        int32_t n_ctx = n_ctx_train;
        if (options != nullptr) {
            if (!clika::plugin::is_v2(options)) throw std::runtime_error("clika_open_options is smaller than ABI v2.0's");
            if (options->n_ctx < 0) throw std::runtime_error("n_ctx " + std::to_string(options->n_ctx) + " is negative");
            if (options->n_ctx > 0) n_ctx = options->n_ctx;
            if (options->lora_path != nullptr) throw std::runtime_error("the example plugin does not support LoRA adapters");
        }
        const clika::plugin::Settings settings(options, declared_settings);  // the defaults when clika passed none
        auto* model = new clika_model;
        model->path = model_path;
        model->n_ctx = n_ctx;
        model->max_pass_sequences = static_cast<int32_t>(settings.integer("max_pass_sequences"));
        model->generate = settings.flag("generate");
        return model;
    });
}

void example_close(clika_model* model) {
    clika::plugin::guarded(nullptr, [&] { delete model; });
}

int32_t example_describe(clika_model* model, clika_model_info* out) {
    return clika::plugin::guarded(model, [&] {
        if (!clika::plugin::is_v2(out)) throw std::runtime_error("clika_model_info is NULL or smaller than ABI v2.0's");
        out->n_vocab = n_vocab;
        out->n_ctx_train = n_ctx_train;
        out->n_ctx = model->n_ctx;
        out->bos = bos;
        out->eos = -1;
        out->adds_bos = 1;
        out->max_pass_tokens = model->n_ctx;
        out->max_pass_sequences = model->max_pass_sequences;
        out->capabilities = model->generate ? CLIKA_CAP_GENERATE : 0;
        if (clika::plugin::holds(*out, &clika_model_info::identity)) out->identity[0] = '\0';  // a file model: its hash identifies it
        std::snprintf(out->description, sizeof(out->description), "toy byte-level bigram model (clika example plugin), file %s",
                      std::filesystem::path(model->path).filename().c_str());
        return int32_t{0};
    });
}

int64_t example_tokenize(clika_model* model, const char* text, size_t length, int32_t add_special, int32_t* out, size_t capacity) {
    return clika::plugin::guarded(model, [&] {
        if (text == nullptr && length > 0) throw std::runtime_error("text is NULL");
        const size_t count = length + (add_special != 0 ? 1 : 0);
        size_t written = 0;
        if (add_special != 0 && written < capacity) out[written++] = bos;
        for (size_t k = 0; k < length && written < capacity; ++k) out[written++] = static_cast<unsigned char>(text[k]);
        return static_cast<int64_t>(count);
    });
}

int64_t example_token_piece(clika_model* model, int32_t token, char* out, size_t capacity) {
    return clika::plugin::guarded(model, [&]() -> int64_t {
        check_token(token, "piece");
        if (token == bos) return clika::plugin::copy_out(bos_piece, out, capacity);
        const char byte = static_cast<char>(static_cast<unsigned char>(token));
        return clika::plugin::copy_out(std::string_view(&byte, 1), out, capacity);
    });
}

int32_t example_score(clika_model* model, const clika_score_request* requests, clika_score_result* results, size_t count,
                      const clika_score_options* options) {
    return clika::plugin::guarded(model, [&] {
        if (!clika::plugin::is_v2(options)) throw std::runtime_error("clika_score_options is NULL or smaller than ABI v2.0's");
        // The checks every plugin makes (clika/plugin/requests.hpp); an empty context predicts from BOS here.
        clika::plugin::validate_requests(requests, results, count,
                                         {.n_vocab = n_vocab, .n_ctx = static_cast<size_t>(model->n_ctx), .empty_context_allowed = true});
        const bool share = options->share_prefix != 0;
        uint64_t tokens = 0;
        uint64_t reuses = 0;
        const size_t prefix = count > 0 ? requests[0].shared_prefix : 0;  // the same for every request (plugin_abi.h)
        if (share && count > 0) {
            tokens += prefix;
            if (prefix > 0) reuses += count - 1;
        }
        for (size_t i = 0; i < count; ++i) {
            const clika_score_request& r = requests[i];
            clika_score_result& out = results[i];
            const int32_t last = r.context.count > 0 ? r.context.tokens[r.context.count - 1] : bos;
            // The context itself: evaluated once per request for the next-token outputs.
            const Distribution after_context = next_distribution(last);
            tokens += share ? r.context.count - prefix : r.context.count;
            for (size_t k = 0; k < r.n_next_ids; ++k) out.next_logprob[k] = after_context.logprob[r.next_ids[k]];
            out.greedy_next = after_context.argmax;
            for (size_t j = 0; j < r.n_continuations; ++j) {
                const clika_token_span& c = r.continuations[j];
                if (share) {
                    // Reuse the context's state: only the continuation is evaluated.
                    score_continuation(last, c, &after_context, out.continuation_logprob[j], out.continuation_greedy[j]);
                    tokens += c.count;
                    if (r.context.count > 0) reuses += 1;
                } else {
                    // Reference path: the whole sequence from scratch.
                    score_continuation(last, c, nullptr, out.continuation_logprob[j], out.continuation_greedy[j]);
                    tokens += r.context.count + c.count;
                }
            }
        }
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        if (options->prefix_reuses != nullptr) *options->prefix_reuses += reuses;
        return int32_t{0};
    });
}

const char* example_last_error(clika_model* model) { return clika::plugin::last_error(model); }

// Greedy generation keeps one thing per sequence: its last token (the toy model looks no further back). Each new
// token costs one evaluation, which is what tokens_evaluated counts.
int32_t example_generate_begin(clika_model* model, const clika_score_request* prompts, size_t count, int32_t* greedy_next,
                               const clika_generate_options* options) {
    return clika::plugin::guarded(model, [&] {
        if (!clika::plugin::is_v2(options)) throw std::runtime_error("clika_generate_options is NULL or smaller than ABI v2.0's");
        if (count > 0 && (prompts == nullptr || greedy_next == nullptr)) throw std::runtime_error("NULL prompts or results");
        model->generating.assign(count, -1);
        uint64_t tokens = 0;
        for (size_t i = 0; i < count; ++i) {
            clika::plugin::check_token_ids(prompts[i].context, n_vocab, i, "prompt");
            if (prompts[i].context.count == 0) throw std::runtime_error("prompt " + std::to_string(i) + " is empty");
            model->generating[i] = prompts[i].context.tokens[prompts[i].context.count - 1];
            greedy_next[i] = next_distribution(model->generating[i]).argmax;
            tokens += prompts[i].context.count;
        }
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return int32_t{0};
    });
}

int32_t example_generate_step(clika_model* model, const int32_t* appended, size_t count, int32_t* greedy_next,
                              const clika_generate_options* options) {
    return clika::plugin::guarded(model, [&] {
        if (!clika::plugin::is_v2(options)) throw std::runtime_error("clika_generate_options is NULL or smaller than ABI v2.0's");
        if (count != model->generating.size()) throw std::runtime_error("generate_step: token count differs from the prompts begun");
        uint64_t tokens = 0;
        for (size_t i = 0; i < count; ++i) {
            if (model->generating[i] < 0) continue;
            if (appended[i] < 0) {
                model->generating[i] = -1;
                continue;
            }
            check_token(appended[i], "generated");
            model->generating[i] = appended[i];
            greedy_next[i] = next_distribution(appended[i]).argmax;
            ++tokens;
        }
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return int32_t{0};
    });
}

void example_generate_end(clika_model* model) { model->generating.clear(); }

const clika_plugin_api_v2 api = {
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
    "example",
    "1.0.0 (toy byte-level bigram model)",
    example_open,
    example_close,
    example_describe,
    example_tokenize,
    example_token_piece,
    example_score,
    example_last_error,
    example_generate_begin,
    example_generate_step,
    example_generate_end,
    declared_settings,
    std::size(declared_settings),
    0,  // flags: its model file is in no format clika checks (a GGUF one would say CLIKA_PLUGIN_MODEL_GGUF)
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
