// A plugin that hands back whatever log-probability its "model path" names, for the checks PluginBackend applies to
// every plugin's scores. The path is "VALUE" or "VALUE,bounded" (VALUE as strtod reads it: nan, inf, -inf, 0.5, 1e-5)
// or "all-minus-inf". Tokens are bytes. Every score of a request is -(1 + its index), except score 1 of the last request,
// which is VALUE (flagged in next_bounded with ",bounded"); "all-minus-inf" makes every score of the last request -inf.

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include <clika/plugin_abi.h>
#include <clika/plugin_support.hpp>

struct clika_model : clika::plugin::ModelBase {
    double value = 0;
    bool bounded = false;
    bool all_minus_inf = false;
};

namespace {

clika_model* bad_open(const char* path, const clika_open_options*) {
    return clika::plugin::guarded(nullptr, [&] {
        auto* m = new clika_model;
        std::string_view spec(path);
        if (spec == "all-minus-inf") {
            m->all_minus_inf = true;
            return m;
        }
        if (spec.ends_with(",bounded")) {
            m->bounded = true;
            spec.remove_suffix(std::string_view(",bounded").size());
        }
        m->value = std::strtod(std::string(spec).c_str(), nullptr);
        return m;
    });
}

void bad_close(clika_model* model) { delete model; }

int32_t bad_describe(clika_model* model, clika_model_info* out) {
    return clika::plugin::guarded(model, [&] {
        out->n_vocab = 256;
        out->n_ctx_train = 4096;
        out->n_ctx = 4096;
        out->bos = -1;
        out->eos = -1;
        out->adds_bos = 0;
        out->description[0] = '\0';
        out->max_pass_tokens = 4096;
        out->max_pass_sequences = 64;
        out->capabilities = 0;
        return int32_t{0};
    });
}

int64_t bad_tokenize(clika_model* model, const char* text, size_t length, int32_t, int32_t* out, size_t capacity) {
    return clika::plugin::guarded(model, [&] {
        for (size_t i = 0; i < length && i < capacity; ++i) out[i] = static_cast<unsigned char>(text[i]);
        return static_cast<int64_t>(length);
    });
}

int64_t bad_piece(clika_model* model, int32_t token, char* out, size_t capacity) {
    return clika::plugin::guarded(model, [&] {
        if (capacity > 0) out[0] = static_cast<char>(token);
        return int64_t{1};
    });
}

int32_t bad_score(clika_model* model, const clika_score_request* requests, clika_score_result* results, size_t count,
                  const clika_score_options* options) {
    return clika::plugin::guarded(model, [&] {
        const bool flags = options->struct_size > offsetof(clika_score_options, next_bounded) && options->next_bounded != nullptr;
        size_t flag = 0;
        for (size_t i = 0; i < count; ++i) {
            const bool last = i + 1 == count;
            for (size_t j = 0; j < requests[i].n_continuations; ++j) {
                results[i].continuation_logprob[j] = -1.0 - static_cast<double>(j);
                results[i].continuation_greedy[j] = 0;
            }
            for (size_t j = 0; j < requests[i].n_next_ids; ++j) results[i].next_logprob[j] = -1.0 - static_cast<double>(j);
            results[i].greedy_next = 0;
            if (last && model->all_minus_inf) {
                for (size_t j = 0; j < requests[i].n_continuations; ++j) results[i].continuation_logprob[j] = -std::numeric_limits<double>::infinity();
                for (size_t j = 0; j < requests[i].n_next_ids; ++j) results[i].next_logprob[j] = -std::numeric_limits<double>::infinity();
            } else if (last && requests[i].n_next_ids > 1) {
                results[i].next_logprob[1] = model->value;
                if (model->bounded && flags) options->next_bounded[flag + 1] = 1;
            } else if (last && requests[i].n_continuations > 1) {
                results[i].continuation_logprob[1] = model->value;
            }
            flag += requests[i].n_next_ids;
        }
        return int32_t{0};
    });
}

const char* bad_last_error(clika_model* model) { return clika::plugin::last_error(model); }

const clika_plugin_api_v2 api = {
    CLIKA_PLUGIN_ABI_VERSION, sizeof(clika_plugin_api_v2), "bad_scores", "0.0.1",
    bad_open, bad_close, bad_describe, bad_tokenize, bad_piece, bad_score, bad_last_error,
    nullptr, nullptr, nullptr,
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
