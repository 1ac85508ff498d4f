/* clika plugin ABI, version 2.
 *
 * A backend is a shared library exporting one C function, `clika_plugin_v2`, that returns a pointer to a static
 * `clika_plugin_api_v2`. (Version 1 plugins export `clika_plugin_v1`; clika refuses them with a message to rebuild
 * against this header.) The core checks `abi_version` and `struct_size` before touching anything else, so a plugin
 * built by another compiler or at another time either loads or is refused with a clear message.
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

#if defined(_WIN32)
#define CLIKA_PLUGIN_EXPORT __declspec(dllexport)
#else
#define CLIKA_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Opaque model handle, owned by the plugin. */
typedef struct clika_model clika_model;

typedef struct clika_open_options {
    uint32_t struct_size;   /* sizeof(clika_open_options) as the caller knows it */
    int32_t n_threads;      /* 0: the plugin's default */
    int32_t n_ctx;          /* KV capacity in tokens; 0: the plugin's default */
    int32_t n_batch;        /* tokens per forward pass; 0: the plugin's default */
    int32_t n_parallel;     /* sequences evaluated together; 0: the plugin's default */
    const char* lora_path;  /* adapter applied on top of the model, or NULL */
    float lora_scale;       /* 1.0 when unsure */
    int32_t seed;           /* for plugins with randomness; scoring itself is deterministic */
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

/* Filled by the plugin; every array is allocated by the caller with the sizes its request implies. */
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
} clika_score_options;

typedef struct clika_generate_options {
    uint32_t struct_size;
    int32_t share_prefix; /* as in clika_score_options */
    uint64_t* tokens_evaluated; /* may be NULL */
} clika_generate_options;

typedef struct clika_plugin_api_v2 {
    uint32_t abi_version; /* CLIKA_PLUGIN_ABI_VERSION */
    uint32_t struct_size; /* sizeof(clika_plugin_api_v2) */
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
} clika_plugin_api_v2;

typedef const clika_plugin_api_v2* (*clika_plugin_entry_v2)(void);

#ifdef __cplusplus
}
#endif

#endif /* CLIKA_PLUGIN_ABI_H */
