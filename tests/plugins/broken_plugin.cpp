// Plugins that load but break one rule of the ABI each, selected by BROKEN_<KIND> at compile time. The loader must
// refuse every one of them, naming the file and the rule.

#include <cstddef>

#include <clika/plugin_abi.h>

namespace {

clika_model* stub_open(const char*, const clika_open_options*) { return nullptr; }
void stub_close(clika_model*) {}
int32_t stub_describe(clika_model*, clika_model_info*) { return -1; }
int64_t stub_tokenize(clika_model*, const char*, size_t, int32_t, int32_t*, size_t) { return -1; }
int64_t stub_piece(clika_model*, int32_t, char*, size_t) { return -1; }
int32_t stub_score(clika_model*, const clika_score_request*, clika_score_result*, size_t, const clika_score_options*) { return -1; }
const char* stub_last_error(clika_model*) { return "broken fixture"; }

#if defined(BROKEN_WRONG_ABI)
constexpr uint32_t abi = 2;
#else
constexpr uint32_t abi = CLIKA_PLUGIN_ABI_VERSION;
#endif

#if defined(BROKEN_SMALL_STRUCT)
constexpr uint32_t size = offsetof(clika_plugin_api_v1, score);  // an older, shorter table
#else
constexpr uint32_t size = sizeof(clika_plugin_api_v1);
#endif

const clika_plugin_api_v1 api = {
    abi,
    size,
    "broken",
    "0.0.0",
    stub_open,
    stub_close,
    stub_describe,
    stub_tokenize,
    stub_piece,
#if defined(BROKEN_NULL_FUNCTION)
    nullptr,
#else
    stub_score,
#endif
    stub_last_error,
};

}  // namespace

#if defined(BROKEN_MISSING_SYMBOL)
// A typo in the entry point's name: the library loads, but has no clika_plugin_v1.
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v1* clika_plugin_v(void) { return &api; }
#elif defined(BROKEN_NULL_ENTRY)
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v1* clika_plugin_v1(void) { return nullptr; }
#else
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v1* clika_plugin_v1(void) { return &api; }
#endif
