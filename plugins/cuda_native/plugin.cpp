// clika's own CUDA backend: LLaMA-architecture GGUF models (F32/F16/BF16 weights) on one GPU, scoring CLiKA requests
// through the plugin ABI (include/clika/plugin_abi.h) with prefix sharing and the fused log-probability head.
//
// Tokens come from llama.cpp's tokenizer (a vocab-only load of the same GGUF), so they are identical to the llamacpp
// plugin's. `open` refuses with "no CUDA device: <reason>" when no GPU or driver is found.
//
// Environment:
//   CLIKA_CUDA_NATIVE_CPU=1             run the same forward pass on the CPU reference operations (slow; for checking
//                                       the plugin on machines without a GPU)
//   CLIKA_CUDA_NATIVE_COMPUTE=f32|f16|bf16   GEMM input type (default: the weights' type; weights are converted at load)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <cuda_runtime_api.h>
#include <fmt/format.h>
#include <llama.h>

#include "clika/plugin_abi.h"
#include "clika/plugin/llama_vocab.hpp"
#include "clika/plugin_support.hpp"
#include "cuda_ops.hpp"
#include "llama_model.hpp"
#include "scoring.hpp"

#ifndef CLIKA_LLAMA_CPP_TAG
#define CLIKA_LLAMA_CPP_TAG "unknown"
#endif
#define CLIKA_CUDA_STR2(x) #x
#define CLIKA_CUDA_STR(x) CLIKA_CUDA_STR2(x)

using clika::cuda_native::DType;

struct clika_model : clika::plugin::ModelBase {
    llama_model* vocab_model = nullptr;
    const llama_vocab* vocab = nullptr;
    std::unique_ptr<clika::cuda_native::Ops> ops;
    std::unique_ptr<clika::cuda_native::LlamaModel> model;

    clika_model() = default;
    clika_model(const clika_model&) = delete;
    clika_model& operator=(const clika_model&) = delete;
    ~clika_model() {
        model.reset();  // frees its memory through ops
        ops.reset();
        if (vocab_model != nullptr) llama_model_free(vocab_model);
    }
};

namespace {

void quiet_log(ggml_log_level level, const char* text, void*) {
    if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

DType compute_type(DType weights) {
    const char* v = std::getenv("CLIKA_CUDA_NATIVE_COMPUTE");
    if (v == nullptr || *v == '\0') return weights;
    const std::string_view s(v);
    if (s == "f32") return DType::f32;
    if (s == "f16") return DType::f16;
    if (s == "bf16") return DType::bf16;
    throw std::runtime_error(fmt::format("CLIKA_CUDA_NATIVE_COMPUTE={} (expected f32, f16 or bf16)", s));
}

clika_model* plugin_open(const char* path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&]() -> clika_model* {
        if (path == nullptr) throw std::runtime_error("no model path");
        if (!clika::plugin::is_v2(options))
            throw std::runtime_error("open options are NULL or smaller than ABI v2.0's");
        const bool cpu = env_flag("CLIKA_CUDA_NATIVE_CPU");
        if (!cpu) {
            if (const std::string reason = clika::cuda_native::cuda_unavailable_reason(); !reason.empty()) throw std::runtime_error(reason);
        }
        if (options->lora_path != nullptr && options->lora_path[0] != '\0') throw std::runtime_error("cuda_native does not apply LoRA adapters");
        if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(std::string("cannot open model file ") + path);

        auto m = std::make_unique<clika_model>();
        llama_log_set(quiet_log, nullptr);
        llama_backend_init();
        llama_model_params mp = llama_model_default_params();
        mp.vocab_only = true;
        mp.n_gpu_layers = 0;
        m->vocab_model = llama_model_load_from_file(path, mp);
        if (m->vocab_model == nullptr) throw std::runtime_error(std::string("llama.cpp could not load the vocabulary of ") + path);
        m->vocab = llama_model_get_vocab(m->vocab_model);

        const clika::cuda_native::LlamaConfig config = clika::cuda_native::read_llama_config(path);
        if (llama_vocab_n_tokens(m->vocab) > config.vocab)
            throw std::runtime_error(fmt::format("the tokenizer has {} tokens but token_embd only {} rows", llama_vocab_n_tokens(m->vocab), config.vocab));
        const int n_batch = options->n_batch > 0 ? options->n_batch : 4096;
        const int n_ctx = options->n_ctx > 0 ? options->n_ctx : 2048;
        m->ops = cpu ? clika::cuda_native::make_cpu_ops() : clika::cuda_native::make_cuda_ops(0);
        m->model = std::make_unique<clika::cuda_native::LlamaModel>(path, *m->ops, compute_type(config.weight_type), n_ctx, n_batch);
        return m.release();
    });
}

void plugin_close(clika_model* model) {
    clika::plugin::guarded(nullptr, [&] { delete model; });
}

int32_t plugin_describe(clika_model* m, clika_model_info* out) {
    return clika::plugin::guarded(m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(out)) throw std::runtime_error("model info is NULL or smaller than ABI v2.0's");
        const clika::cuda_native::LlamaConfig& c = m->model->config();
        out->n_vocab = c.vocab;
        out->n_ctx_train = c.ctx_train;
        out->n_ctx = m->model->n_ctx();
        out->bos = llama_vocab_bos(m->vocab);
        out->eos = llama_vocab_eos(m->vocab);
        out->adds_bos = llama_vocab_get_add_bos(m->vocab) ? 1 : 0;
        out->max_pass_tokens = m->model->n_batch();
        out->max_pass_sequences = m->model->n_batch();  // a sequence is at least one token of the pass
        out->capabilities = 0;                           // no LoRA, generation by re-scoring
        const std::string desc = fmt::format("llama {}L dim {} ({:.1f}M params, {} weights, {} GEMMs) on {}, cuda_native", c.layers, c.dim,
                                             static_cast<double>(c.parameters()) / 1e6, clika::cuda_native::dtype_name(c.weight_type),
                                             clika::cuda_native::dtype_name(m->model->compute_type()), m->ops->name());
        std::snprintf(out->description, sizeof out->description, "%s", desc.c_str());
        return 0;
    });
}

int64_t plugin_tokenize(clika_model* m, const char* text, size_t length, int32_t add_special, int32_t* out, size_t capacity) {
    return clika::plugin::guarded(m, [&] { return clika::plugin::llama_vocab_tokenize(m->vocab, text, length, add_special, out, capacity); });
}

int64_t plugin_token_piece(clika_model* m, int32_t token, char* out, size_t capacity) {
    return clika::plugin::guarded(m, [&] { return clika::plugin::llama_vocab_piece(m->vocab, token, out, capacity); });
}

int32_t plugin_score(clika_model* m, const clika_score_request* requests, clika_score_result* results, size_t count,
                     const clika_score_options* options) {
    return clika::plugin::guarded(m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw std::runtime_error("score options are NULL or smaller than ABI v2.0's");
        clika::cuda_native::ScoreCounters counters;
        clika::cuda_native::score_requests(*m->model, requests, results, count, options->share_prefix != 0, counters);
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += counters.tokens_evaluated;
        if (options->prefix_reuses != nullptr) *options->prefix_reuses += counters.prefix_reuses;
        return 0;
    });
}

const char* plugin_last_error(clika_model* m) { return clika::plugin::last_error(m); }

const clika_plugin_api_v2 api{
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
    "cuda_native",
    "0.1.0 (CUDA runtime " CLIKA_CUDA_STR(CUDART_VERSION) ", llama.cpp " CLIKA_LLAMA_CPP_TAG " tokenizer)",
    plugin_open,
    plugin_close,
    plugin_describe,
    plugin_tokenize,
    plugin_token_piece,
    plugin_score,
    plugin_last_error,
    nullptr,  // generate_begin: greedy generation re-scores (no incremental state yet)
    nullptr,
    nullptr,
    nullptr,  // no settings of its own
    0,
    CLIKA_PLUGIN_MODEL_GGUF,  // clika reads the file first: a damaged one is bad input
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
