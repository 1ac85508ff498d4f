// One plugin built against two versions of plugin_abi.h, to test that ABI v2 grows compatibly:
//   CLIKA_FIXTURE_V2_0    against the header as it was at v2.0 (tests/plugins/v2_0): no settings, no identity, no
//                         declared settings; it checks struct sizes as plugins of that time did (against its sizeof)
//   CLIKA_FIXTURE_FUTURE  against today's header with one more field at the end of every struct that grows (generated
//                         by tests/plugins/CMakeLists.txt): a plugin built by a later clika. It declares settings in
//                         that larger clika_setting, and reads or writes a later field only where holds() says the
//                         host's struct has it.
// The toy model: tokens are bytes; a continuation scores -scale per token, a next id -scale; the greedy token is 'x'.
// describe says which later fields the host's structs had.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <clika/plugin_abi.h>
#if defined(CLIKA_FIXTURE_FUTURE)
#include <clika/plugin/settings.hpp>
#include <clika/plugin_support.hpp>
#endif

struct clika_model {
    double scale = 1;
    std::string label = "v2.0";
    std::string host_has;  // the later fields the host's structs had, for describe
};

namespace {

std::string open_error = "no error";

#if defined(CLIKA_FIXTURE_FUTURE)
constexpr clika_setting declared_settings[] = {
    {sizeof(clika_setting), CLIKA_SETTING_NUMBER, "scale", "1", "score per token, negated", CLIKA_SETTING_HAS_MIN | CLIKA_SETTING_HAS_MAX, 0, 100,
     nullptr},
    {sizeof(clika_setting), CLIKA_SETTING_STRING, "label", "future", "what describe calls the plugin", 0, 0, 0, nullptr},
};
#endif

clika_model* versioned_open(const char*, const clika_open_options* options) {
#if defined(CLIKA_FIXTURE_FUTURE)
    if (!clika::plugin::is_v2(options)) {
        open_error = "open options smaller than v2.0's";
        return nullptr;
    }
    auto* model = new clika_model;
    try {
        const clika::plugin::Settings settings(options, declared_settings);
        model->scale = settings.number("scale");
        model->label = settings.text("label");
    } catch (const std::exception& e) {
        open_error = e.what();
        delete model;
        return nullptr;
    }
    model->host_has = clika::plugin::holds(*options, &clika_open_options::added_later) ? "open:later " : "";
    return model;
#else
    if (options == nullptr || options->struct_size < sizeof(clika_open_options)) {  // as v2.0 plugins checked
        open_error = "open options from an older clika";
        return nullptr;
    }
    return new clika_model;
#endif
}

void versioned_close(clika_model* model) { delete model; }

int32_t versioned_describe(clika_model* model, clika_model_info* out) {
    out->n_vocab = 256;
    out->n_ctx_train = 512;
    out->n_ctx = 512;
    out->bos = -1;
    out->eos = -1;
    out->adds_bos = 0;
    out->max_pass_tokens = 512;
    out->max_pass_sequences = 16;
    out->capabilities = 0;
    std::string host_has = model->host_has;
#if defined(CLIKA_FIXTURE_FUTURE)
    if (clika::plugin::holds(*out, &clika_model_info::added_later)) {
        out->added_later = nullptr;
        host_has += "info:later ";
    }
    if (clika::plugin::holds(*out, &clika_model_info::identity)) out->identity[0] = '\0';
#endif
    std::snprintf(out->description, sizeof out->description, "%s plugin; later fields of the host: %s", model->label.c_str(),
                  host_has.empty() ? "none" : host_has.c_str());
    return 0;
}

int64_t versioned_tokenize(clika_model*, const char* text, size_t length, int32_t, int32_t* out, size_t capacity) {
    for (size_t i = 0; i < length && i < capacity; ++i) out[i] = static_cast<unsigned char>(text[i]);
    return static_cast<int64_t>(length);
}

int64_t versioned_piece(clika_model*, int32_t token, char* out, size_t capacity) {
    if (capacity > 0) out[0] = static_cast<char>(token);
    return 1;
}

int32_t versioned_score(clika_model* model, const clika_score_request* requests, clika_score_result* results, size_t count,
                        const clika_score_options* options) {
#if defined(CLIKA_FIXTURE_FUTURE)
    if (!clika::plugin::is_v2(options)) return -1;
    if (clika::plugin::holds(*options, &clika_score_options::added_later) && options->added_later != nullptr) return -1;
#else
    if (options == nullptr || options->struct_size < sizeof(clika_score_options)) return -1;
#endif
    for (size_t i = 0; i < count; ++i) {
        for (size_t j = 0; j < requests[i].n_continuations; ++j) {
            results[i].continuation_logprob[j] = -model->scale * static_cast<double>(requests[i].continuations[j].count);
            results[i].continuation_greedy[j] = 0;
        }
        for (size_t k = 0; k < requests[i].n_next_ids; ++k) results[i].next_logprob[k] = -model->scale;
        results[i].greedy_next = 'x';
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += requests[i].context.count;
    }
    return 0;
}

const char* versioned_last_error(clika_model*) { return open_error.c_str(); }

const clika_plugin_api_v2 api = {
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
#if defined(CLIKA_FIXTURE_FUTURE)
    "future",
#else
    "v2_0",
#endif
    "2.0.0",
    versioned_open,
    versioned_close,
    versioned_describe,
    versioned_tokenize,
    versioned_piece,
    versioned_score,
    versioned_last_error,
    nullptr,
    nullptr,
    nullptr,
#if defined(CLIKA_FIXTURE_FUTURE)
    declared_settings,
    std::size(declared_settings),
    0,
    &open_error,  // added_later: a later clika reads it, today's does not
#endif
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
