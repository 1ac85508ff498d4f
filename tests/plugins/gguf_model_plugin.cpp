// A plugin that declares its model file GGUF (CLIKA_FIXTURE_MODEL_FLAGS: CLIKA_PLUGIN_MODEL_GGUF, or
// CLIKA_PLUGIN_MODEL_GGUF_FOR_LLAMA_CPP), for the check PluginBackend runs before open. Its own open takes any file and
// reads none of it, so a damaged file reaching it opens: only clika's check can refuse one. Tokens are bytes; every score
// is -1.

#include <cstddef>
#include <cstdint>

#include <clika/plugin_abi.h>
#include <clika/plugin_support.hpp>

struct clika_model : clika::plugin::ModelBase {};

namespace {

clika_model* gguf_open(const char*, const clika_open_options*) {
    return clika::plugin::guarded(nullptr, [] { return new clika_model; });
}

void gguf_close(clika_model* model) { delete model; }

int32_t gguf_describe(clika_model* model, clika_model_info* out) {
    return clika::plugin::guarded(model, [&] {
        out->n_vocab = 256;
        out->n_ctx_train = 512;
        out->n_ctx = 512;
        out->bos = -1;
        out->eos = -1;
        out->adds_bos = 0;
        out->description[0] = '\0';
        out->max_pass_tokens = 512;
        out->max_pass_sequences = 16;
        out->capabilities = 0;
        return int32_t{0};
    });
}

int64_t gguf_tokenize(clika_model* model, const char* text, size_t length, int32_t, int32_t* out, size_t capacity) {
    return clika::plugin::guarded(model, [&] {
        for (size_t i = 0; i < length && i < capacity; ++i) out[i] = static_cast<unsigned char>(text[i]);
        return static_cast<int64_t>(length);
    });
}

int64_t gguf_piece(clika_model* model, int32_t token, char* out, size_t capacity) {
    return clika::plugin::guarded(model, [&] {
        if (capacity > 0) out[0] = static_cast<char>(token);
        return int64_t{1};
    });
}

int32_t gguf_score(clika_model* model, const clika_score_request* requests, clika_score_result* results, size_t count, const clika_score_options*) {
    return clika::plugin::guarded(model, [&] {
        for (size_t i = 0; i < count; ++i) {
            for (size_t j = 0; j < requests[i].n_continuations; ++j) {
                results[i].continuation_logprob[j] = -1;
                results[i].continuation_greedy[j] = 0;
            }
            for (size_t j = 0; j < requests[i].n_next_ids; ++j) results[i].next_logprob[j] = -1;
            results[i].greedy_next = 0;
        }
        return int32_t{0};
    });
}

const char* gguf_last_error(clika_model* model) { return clika::plugin::last_error(model); }

const clika_plugin_api_v2 api = {
    CLIKA_PLUGIN_ABI_VERSION, sizeof(clika_plugin_api_v2), CLIKA_FIXTURE_NAME, "0.0.1",
    gguf_open, gguf_close, gguf_describe, gguf_tokenize, gguf_piece, gguf_score, gguf_last_error,
    nullptr, nullptr, nullptr,
    nullptr, 0,
    CLIKA_FIXTURE_MODEL_FLAGS,
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
