/* clika plugin ABI, version 2.
 *
 * A backend is a shared library exporting one C function, `clika_plugin_v2`, that returns a pointer to a static
 * `clika_plugin_api_v2`. (Version 1 plugins export `clika_plugin_v1`; clika refuses them with a message to rebuild
 * against this header.) The core checks `abi_version` and `struct_size` before touching anything else, so a plugin
 * built by another compiler or at another time either loads or is refused with a clear message.
 *
 * Growing within v2: a field is only ever added at the end of a struct, and each side reads a field the other filled only
 * when that struct's `struct_size` covers it; a field it does not cover is absent (NULL, 0, empty). So a plugin built
 * against this header works with a clika built against an older v2 header and the reverse. CLIKA_*_V2_0_SIZE below
 * are the sizes at v2.0: every v2 peer's structs are at least that large, and anything smaller is refused. In C++,
 * clika/abi/holds.hpp has the checks (clika::abi::holds, clika::abi::is_v2).
 *
 * Rules at the boundary: plain C types only; no exception crosses it (functions report failure by return value and
 * `last_error`); memory is owned by whoever allocated it (the caller allocates all result arrays; the plugin frees its
 * own model with `close`). Token ids are int32. Strings are UTF-8 with explicit lengths.
 */
#ifndef CLIKA_PLUGIN_ABI_H
#define CLIKA_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLIKA_PLUGIN_ABI_VERSION 2u
#define CLIKA_PLUGIN_ENTRY_POINT "clika_plugin_v2"
#define CLIKA_PLUGIN_ENTRY_POINT_V1 "clika_plugin_v1" /* recognised only to refuse it clearly */

/* clika_model_info.capabilities */
#define CLIKA_CAP_LORA 1u     /* open() applies clika_open_options.lora_path */
#define CLIKA_CAP_GENERATE 2u /* generate_begin/step/end are provided: greedy decoding keeps each sequence's state */

/* clika_plugin_api_v2.flags (added after v2.0): what open's model argument is. A plugin older than a flag (or than the
 * field) declares none of them: its model argument is a file in no format clika checks. */
#define CLIKA_PLUGIN_MODEL_NOT_A_FILE 1u /* no file (a server URL): clika passes it unchecked */
/* A GGUF file: before open, clika (PluginBackend) reads it with its own GGUF reader and refuses a damaged one (empty,
 * truncated, not GGUF) as bad input saying what is wrong and where, instead of the plugin's loader failing or crashing. */
#define CLIKA_PLUGIN_MODEL_GGUF 2u
/* A GGUF file that llama.cpp loads (implies CLIKA_PLUGIN_MODEL_GGUF): metadata llama.cpp aborts the process on instead
 * of refusing the model (clika/llama_metadata.hpp) is refused first, naming the key and its value. */
#define CLIKA_PLUGIN_MODEL_GGUF_FOR_LLAMA_CPP 4u

#if defined(_WIN32)
#define CLIKA_PLUGIN_EXPORT __declspec(dllexport)
#else
#define CLIKA_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Opaque model handle, owned by the plugin. */
typedef struct clika_model clika_model;

typedef struct clika_open_options {
    uint32_t struct_size;   /* sizeof(clika_open_options) as the caller knows it; likewise in every struct below */
    int32_t n_threads;      /* 0: the plugin's default */
    int32_t n_ctx;          /* KV capacity in tokens; 0: the plugin's default */
    int32_t n_batch;        /* tokens per forward pass; 0: the plugin's default */
    int32_t n_parallel;     /* sequences evaluated together; 0: the plugin's default */
    const char* lora_path;  /* adapter applied on top of the model, or NULL */
    float lora_scale;       /* 1.0 when unsure */
    int32_t seed;           /* for plugins with randomness; scoring itself is deterministic */
    /* Added after v2.0 (present when struct_size covers it): the plugin's own settings as one JSON object (UTF-8), or
     * NULL. Plugins ignore keys they do not know. clika sets "mode" (what the run needs: "letter", "loglik",
     * "generate" or "generate+loglik") and "max_new_tokens" (its generation limit), and every setting the plugin
     * declares (clika_plugin_api_v2.settings), with the value given or its declared default, checked against the
     * declaration: an integer, a number, true/false or a string. */
    const char* settings;
} clika_open_options;

typedef struct clika_model_info {
    uint32_t struct_size;
    int32_t n_vocab;
    int32_t n_ctx_train;   /* context length the model was trained with */
    int32_t n_ctx;         /* KV capacity of this handle */
    int32_t bos;           /* -1 when none */
    int32_t eos;           /* -1 when none */
    int32_t adds_bos;      /* 1 when tokenize(add_special=1) prepends BOS */
    char description[256]; /* human-readable: architecture, size, weight type */
    /* What the host plans by. A request's own tokens (context after shared_prefix, plus every continuation) must fit
     * max_pass_tokens; its continuations (at least one sequence) must fit max_pass_sequences. */
    int32_t max_pass_tokens;
    int32_t max_pass_sequences;
    uint32_t capabilities; /* CLIKA_CAP_* */
    /* Added after v2.0: what identifies the weights when the model argument is not a local file (a server URL), as one
     * JSON object (server kind, model name, weights path, settings that change the numbers); run.json records it in
     * place of the file's SHA-256. Empty ("") for file models. */
    char identity[2048];
} clika_model_info;

typedef struct clika_token_span {
    const int32_t* tokens;
    size_t count;
} clika_token_span;

/* One question: a context, optionally continuations to score (log-likelihood mode), optionally token ids whose
 * next-token log-probabilities after the context are wanted (letter mode).
 *
 * The shared-prefix rule (the host sets it; PluginBackend checks it before every call): every request of one call
 * carries the same shared_prefix, the first shared_prefix context tokens are identical in all of them, and it is
 * smaller than every context's length (0 when a context is empty), so each context keeps at least one token of its own. A plugin may evaluate
 * those tokens once and reuse them; the numbers must not depend on whether it does. */
typedef struct clika_score_request {
    clika_token_span context;
    size_t shared_prefix;                  /* see the shared-prefix rule above */
    const clika_token_span* continuations; /* n_continuations spans, each non-empty */
    size_t n_continuations;
    const int32_t* next_ids; /* n_next_ids token ids */
    size_t n_next_ids;
} clika_score_request;

/* Filled by the plugin; every array is allocated by the caller with the sizes its request implies.
 *
 * Every value written to continuation_logprob and next_logprob must be a log-probability: a number <= 0 (up to 1e-4 of
 * rounding above it), never NaN or +inf. -inf (probability exactly 0, e.g. a masked token) is allowed only where the
 * plugin reports the value as exact: every continuation_logprob, and a next_logprob not flagged in
 * clika_score_options.next_bounded (a bound of -inf is refused: outside a top-K list a probability is not known to be
 * 0); and not for every score of one request with two or more, which would leave nothing to choose. clika checks this
 * after every score call (PluginBackend::score): a value breaking it stops the run with a backend error naming the
 * question and the plugin, and nothing of that chunk is written. */
typedef struct clika_score_result {
    double* continuation_logprob;  /* [n_continuations] sum of log p over the continuation's tokens */
    uint8_t* continuation_greedy;  /* [n_continuations] 1 when every continuation token was the argmax */
    double* next_logprob;          /* [n_next_ids] log p(id | context) */
    int32_t greedy_next;           /* argmax token after the context (out) */
} clika_score_result;

typedef struct clika_score_options {
    uint32_t struct_size;
    int32_t share_prefix; /* 1: evaluate shared prefixes once and batch sequences; 0: the reference path, one
                             sequence at a time, no reuse: both must give the same numbers */
    /* Counters the plugin adds to (may be NULL): tokens evaluated, and prefix evaluations saved by reuse. */
    uint64_t* tokens_evaluated;
    uint64_t* prefix_reuses;
    /* Added after v2.0 (present when struct_size covers them; each may be NULL):
     * next_bounded: one flag per next id over all requests in order (request 0's ids, then request 1's, ...), zeroed
     *   by the caller; the plugin sets 1 where next_logprob is only an upper bound (a server that returns the top K
     *   log-probabilities, the id not among them: the K-th value).
     * requests_sent, retries: counters of a plugin that talks to a server. */
    uint8_t* next_bounded;
    uint64_t* requests_sent;
    uint64_t* retries;
} clika_score_options;

typedef struct clika_generate_options {
    uint32_t struct_size;
    int32_t share_prefix; /* as in clika_score_options */
    uint64_t* tokens_evaluated; /* may be NULL */
    uint64_t* requests_sent;    /* added after v2.0, as in clika_score_options; may be NULL */
    uint64_t* retries;
} clika_generate_options;

/* clika_setting.type: the JSON type of the value, and how clika reads it from a command line. */
#define CLIKA_SETTING_INT 1u    /* a whole number (JSON integer, within +-2^53) */
#define CLIKA_SETTING_NUMBER 2u /* a finite real number */
#define CLIKA_SETTING_BOOL 3u   /* true or false; `clika run --NAME` sets true, `--no-NAME` false */
#define CLIKA_SETTING_STRING 4u /* UTF-8 text */

/* clika_setting.flags */
#define CLIKA_SETTING_HAS_MIN 1u /* INT and NUMBER: the value must be >= min */
#define CLIKA_SETTING_HAS_MAX 2u /* INT and NUMBER: the value must be <= max */

/* One setting a plugin reads from clika_open_options.settings (added after v2.0). clika lists it (`clika plugins`,
 * `clika run --plugin NAME --help`), offers it as `clika run --NAME` (each '_' of the name written '-'), checks the
 * value given, and passes it, or the default, under its name. A plugin declares a static array of these (see
 * clika_plugin_api_v2.settings); it grows like the other structs, at the end. */
typedef struct clika_setting {
    uint32_t struct_size;      /* sizeof(clika_setting) as the plugin knows it: also the array's stride */
    uint32_t type;             /* CLIKA_SETTING_* */
    const char* name;          /* the JSON key: lower-case letters, digits and '_', starting with a letter */
    const char* default_value; /* written as on a command line ("8", "0.5", "true", "CLIKA_API_KEY"); never NULL */
    const char* help;          /* one line */
    uint32_t flags;            /* CLIKA_SETTING_HAS_* */
    double min;                /* the bounds the flags name, for INT and NUMBER */
    double max;
} clika_setting;

typedef struct clika_plugin_api_v2 {
    uint32_t abi_version; /* CLIKA_PLUGIN_ABI_VERSION */
    uint32_t struct_size; /* sizeof(clika_plugin_api_v2) as the plugin knows it */
    const char* name;     /* e.g. "llamacpp" */
    const char* version;  /* the plugin's own version, including its engine's */

    /* Returns NULL on failure; then last_error(NULL) says why. */
    clika_model* (*open)(const char* model_path, const clika_open_options* options);
    void (*close)(clika_model* model);
    /* 0 on success. */
    int32_t (*describe)(clika_model* model, clika_model_info* out);
    /* Tokenizes UTF-8 text. Returns the token count (writing at most `capacity`: call again with a larger buffer when
     * the count exceeds it), or -1 on failure. */
    int64_t (*tokenize)(clika_model* model, const char* text, size_t length, int32_t add_special, int32_t* out,
                        size_t capacity);
    /* Writes the UTF-8 piece of one token; returns its byte length (may exceed capacity, as above) or -1. */
    int64_t (*token_piece)(clika_model* model, int32_t token, char* out, size_t capacity);
    /* Scores `count` requests; 0 on success. Results are deterministic for the same requests in the same order. */
    int32_t (*score)(clika_model* model, const clika_score_request* requests, clika_score_result* results,
                     size_t count, const clika_score_options* options);
    /* The last failure's message on this model (or of `open` when model is NULL); never NULL. */
    const char* (*last_error)(clika_model* model);

    /* Greedy generation, linear in the number of new tokens; NULL unless capabilities has CLIKA_CAP_GENERATE.
     * generate_begin evaluates `count` prompts (their context and shared_prefix as in a score request; no
     * continuations or next ids) and writes each prompt's greedy next token. generate_step appends tokens[i] to
     * sequence i and writes its next greedy token; tokens[i] < 0 ends sequence i (its state may be freed; its
     * greedy_next is left as is). Sequences live until generate_end or the next generate_begin or score call. The host
     * keeps count <= max_pass_sequences and the prompts' own tokens plus the tokens it will add within n_ctx.
     * 0 on success. */
    int32_t (*generate_begin)(clika_model* model, const clika_score_request* prompts, size_t count, int32_t* greedy_next,
                              const clika_generate_options* options);
    int32_t (*generate_step)(clika_model* model, const int32_t* tokens, size_t count, int32_t* greedy_next,
                             const clika_generate_options* options);
    void (*generate_end)(clika_model* model);

    /* Added after v2.0 (each present when struct_size covers it): the settings this plugin reads from
     * clika_open_options.settings, n_settings entries of settings[0].struct_size bytes each (NULL and 0: none). clika
     * refuses to load a plugin whose declarations break the rules of clika_setting, or that declares "mode" or
     * "max_new_tokens" (clika sets those) or a name twice. */
    const clika_setting* settings;
    size_t n_settings;
    uint32_t flags; /* CLIKA_PLUGIN_MODEL_* (added after v2.0, as the two above) */
} clika_plugin_api_v2;

/* The size of each struct at ABI v2.0 (through its last v2.0 field), or for clika_setting as first added. */
#define CLIKA_SIZE_THROUGH(type, field) (offsetof(type, field) + sizeof(((type*)0)->field))
#define CLIKA_OPEN_OPTIONS_V2_0_SIZE CLIKA_SIZE_THROUGH(clika_open_options, seed)
#define CLIKA_MODEL_INFO_V2_0_SIZE CLIKA_SIZE_THROUGH(clika_model_info, capabilities)
#define CLIKA_SCORE_OPTIONS_V2_0_SIZE CLIKA_SIZE_THROUGH(clika_score_options, prefix_reuses)
#define CLIKA_GENERATE_OPTIONS_V2_0_SIZE CLIKA_SIZE_THROUGH(clika_generate_options, tokens_evaluated)
#define CLIKA_PLUGIN_API_V2_0_SIZE CLIKA_SIZE_THROUGH(clika_plugin_api_v2, generate_end)
#define CLIKA_SETTING_FIRST_SIZE CLIKA_SIZE_THROUGH(clika_setting, max)

typedef const clika_plugin_api_v2* (*clika_plugin_entry_v2)(void);

#ifdef __cplusplus
}
#endif

#endif /* CLIKA_PLUGIN_ABI_H */
