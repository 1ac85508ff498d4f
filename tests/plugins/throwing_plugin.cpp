// A plugin whose implementation throws: guarded() must keep every exception on the plugin's side of the boundary and
// hand the message to last_error. open() throws for a model path ending in "throw" and succeeds otherwise; tokenize
// throws a std::runtime_error, token_piece a std::bad_alloc, score an int (not a std::exception).

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#include <clika/plugin_abi.h>
#include <clika/plugin_support.hpp>

struct clika_model : clika::plugin::ModelBase {};

namespace {

clika_model* throwing_open(const char* path, const clika_open_options*) {
    return clika::plugin::guarded(nullptr, [&] {
        if (std::string_view(path).ends_with("throw")) throw std::runtime_error(std::string("open exploded on ") + path);
        return new clika_model;
    });
}

void throwing_close(clika_model* model) {
    clika::plugin::guarded(nullptr, [&] { delete model; });
}

int32_t throwing_describe(clika_model* model, clika_model_info* out) {
    return clika::plugin::guarded(model, [&] {
        out->n_vocab = 1;
        out->n_ctx_train = 1;
        out->n_ctx = 1;
        out->bos = -1;
        out->eos = -1;
        out->adds_bos = 0;
        out->description[0] = '\0';
        out->max_pass_tokens = 1;
        out->max_pass_sequences = 1;
        return int32_t{0};
    });
}

int64_t throwing_tokenize(clika_model* model, const char*, size_t, int32_t, int32_t*, size_t) {
    return clika::plugin::guarded(model, []() -> int64_t { throw std::runtime_error("tokenizer exploded"); });
}

int64_t throwing_piece(clika_model* model, int32_t, char*, size_t) {
    return clika::plugin::guarded(model, []() -> int64_t { throw std::bad_alloc(); });
}

int32_t throwing_score(clika_model* model, const clika_score_request*, clika_score_result*, size_t, const clika_score_options*) {
    return clika::plugin::guarded(model, []() -> int32_t { throw 42; });
}

const char* throwing_last_error(clika_model* model) { return clika::plugin::last_error(model); }

const clika_plugin_api_v2 api = {
    CLIKA_PLUGIN_ABI_VERSION, sizeof(clika_plugin_api_v2), "throwing", "0.0.1",
    throwing_open, throwing_close, throwing_describe, throwing_tokenize, throwing_piece, throwing_score, throwing_last_error,
    nullptr, nullptr, nullptr,
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
