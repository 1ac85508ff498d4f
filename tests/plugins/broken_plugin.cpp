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

int32_t stub_generate_begin(clika_model*, const clika_score_request*, size_t, int32_t*, const clika_generate_options*) { return -1; }

#if defined(BROKEN_BAD_SETTING)
// A whole number whose default is not one.
const clika_setting settings[] = {{sizeof(clika_setting), CLIKA_SETTING_INT, "threads", "eight", "worker threads", 0, 0, 0}};
#endif

#if defined(BROKEN_WRONG_ABI)
constexpr uint32_t abi = 3;
#else
constexpr uint32_t abi = CLIKA_PLUGIN_ABI_VERSION;
#endif

#if defined(BROKEN_SMALL_STRUCT)
constexpr uint32_t size = offsetof(clika_plugin_api_v2, score);  // an older, shorter table
#else
constexpr uint32_t size = sizeof(clika_plugin_api_v2);
#endif

const clika_plugin_api_v2 api = {
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
#if defined(BROKEN_PARTIAL_GENERATE)
    stub_generate_begin,  // without generate_step and generate_end
#else
    nullptr,
#endif
    nullptr,
    nullptr,
#if defined(BROKEN_BAD_SETTING)
    settings,
    1,
#endif
};

}  // namespace

#if defined(BROKEN_MISSING_SYMBOL)
// A typo in the entry point's name: the library loads, but has no clika_plugin_v2.
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v(void) { return &api; }
#elif defined(BROKEN_NULL_ENTRY)
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return nullptr; }
#elif defined(BROKEN_OLD_ABI)
// A plugin built against ABI v1 exports clika_plugin_v1 (its table is never read).
extern "C" CLIKA_PLUGIN_EXPORT const void* clika_plugin_v1(void) { return &api; }
#else
extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
#endif
