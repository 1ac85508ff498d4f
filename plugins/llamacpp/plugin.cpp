// clika's llama.cpp backend: scores CLiKA requests on GGUF models through the plugin ABI (include/clika/plugin_abi.h).
//
// Speed comes from sharing: every request of one score() call shares its first `shared_prefix` tokens (the task's
// instruction and demonstration). They are decoded once into sequence 0; each question's sequences start as a copy
// of it (llama_memory_seq_cp shares KV cells, it copies nothing). A question's own tokens are decoded once and tagged
// with the sequence ids of all its continuations, so options share the question's KV too; many questions fill one
// llama_decode. Each score() call starts from a cleared memory, which makes its numbers independent of history: a
// resumed run recomputes exactly what an uninterrupted one would.

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <llama.h>

#include "clika/plugin_abi.h"
#include "clika/plugin/llama_vocab.hpp"
#include "clika/plugin/log_softmax.hpp"
#include "clika/plugin/requests.hpp"
#include "clika/plugin_support.hpp"

namespace {

struct Model : clika::plugin::ModelBase {
    llama_model* model = nullptr;
    llama_context* ctx = nullptr;
    const llama_vocab* vocab = nullptr;
    llama_adapter_lora* lora = nullptr;
    int n_vocab = 0;
    int n_batch = 0;      // tokens one llama_decode may take
    int n_seq = 0;        // sequences, sequence 0 being the shared prefix
    // Greedy generation in progress (generate_begin .. generate_end): sequence i is llama sequence i + 1.
    std::vector<llama_pos> generated_pos;  // next position per sequence
    std::vector<bool> generating;          // sequence still alive
    bool share_generation = true;

    ~Model() {
        if (ctx != nullptr) llama_free(ctx);
        if (model != nullptr) llama_model_free(model);
    }
};

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void quiet_log(ggml_log_level level, const char* text, void*) {
    if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

using clika::plugin::row_stats;
using clika::plugin::RowStats;

class Batch {
public:
    Batch(int capacity, int max_seq_per_token) : batch_(llama_batch_init(capacity, 0, max_seq_per_token)), capacity_(capacity),
                                                  max_seq_(max_seq_per_token) {}
    ~Batch() { llama_batch_free(batch_); }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    void clear() { batch_.n_tokens = 0; }
    [[nodiscard]] int size() const { return batch_.n_tokens; }

    // Returns the token's index in the batch (its logits row when `output`).
    int add(llama_token token, llama_pos pos, const std::vector<llama_seq_id>& seqs, bool output) {
        if (batch_.n_tokens >= capacity_) throw Failure{"internal: batch overflow"};
        if (static_cast<int>(seqs.size()) > max_seq_) throw Failure{"internal: too many sequences for one token"};
        const int i = batch_.n_tokens++;
        batch_.token[i] = token;
        batch_.pos[i] = pos;
        batch_.n_seq_id[i] = static_cast<int32_t>(seqs.size());
        for (std::size_t s = 0; s < seqs.size(); ++s) batch_.seq_id[i][s] = seqs[s];
        batch_.logits[i] = output ? 1 : 0;
        return i;
    }

    llama_batch& get() { return batch_; }

private:
    llama_batch batch_;
    int capacity_;
    int max_seq_;
};

void decode(Model& m, Batch& batch) {
    if (batch.size() == 0) return;
    const int32_t rc = llama_decode(m.ctx, batch.get());
    if (rc != 0)
        throw Failure{rc == 1 ? "llama_decode: no KV slot for the batch (raise --ctx or lower --batch/--parallel)"
                              : "llama_decode failed with code " + std::to_string(rc)};
}


// Where a request's outputs are in the batch: the row after the context, and per continuation the rows that predict
// its tokens 2..n (token 1 is predicted by the context row).
struct Placement {
    int context_row = -1;
    std::vector<std::vector<int>> continuation_rows;
};

struct ContinuationScore {
    double logprob;
    bool greedy;
};

ContinuationScore read_continuation(Model& m, const float* ctx_logits, const RowStats& ctx_stats, const std::vector<int>& rows,
                                    const clika_token_span& cont) {
    double total = static_cast<double>(ctx_logits[cont.tokens[0]]) - ctx_stats.log_normalizer;
    bool greedy = ctx_stats.argmax == cont.tokens[0];
    for (size_t t = 1; t < cont.count; ++t) {
        const float* logits = llama_get_logits_ith(m.ctx, rows[t - 1]);
        if (logits == nullptr) throw Failure{"llama.cpp returned no logits for a continuation token"};
        const RowStats stats = row_stats(logits, m.n_vocab);
        total += static_cast<double>(logits[cont.tokens[t]]) - stats.log_normalizer;
        greedy = greedy && stats.argmax == cont.tokens[t];
    }
    return {total, greedy};
}

const float* context_logits(Model& m, int row) {
    const float* logits = llama_get_logits_ith(m.ctx, row);
    if (logits == nullptr) throw Failure{"llama.cpp returned no logits for the context"};
    return logits;
}

void read_next(Model& m, const clika_score_request& req, const float* logits, const RowStats& stats, clika_score_result& res) {
    res.greedy_next = stats.argmax;
    for (size_t k = 0; k < req.n_next_ids; ++k) {
        const int32_t id = req.next_ids[k];
        if (id < 0 || id >= m.n_vocab) throw Failure{"next-token id " + std::to_string(id) + " is outside the vocabulary"};
        res.next_logprob[k] = static_cast<double>(logits[id]) - stats.log_normalizer;
    }
}

void read_outputs(Model& m, const clika_score_request& req, const Placement& at, clika_score_result& res) {
    const float* logits = context_logits(m, at.context_row);
    const RowStats stats = row_stats(logits, m.n_vocab);
    read_next(m, req, logits, stats, res);
    for (size_t j = 0; j < req.n_continuations; ++j) {
        const ContinuationScore c = read_continuation(m, logits, stats, at.continuation_rows[j], req.continuations[j]);
        res.continuation_logprob[j] = c.logprob;
        res.continuation_greedy[j] = c.greedy ? 1 : 0;
    }
}

size_t request_tokens(const clika_score_request& r, size_t from) {
    size_t n = r.context.count - from;
    for (size_t j = 0; j < r.n_continuations; ++j) n += r.continuations[j].count;
    return n;
}

// Decodes one sequence alone from an empty memory; returns the batch rows of positions [first_output, n - 1], which
// must all fall in the last decode (they are the context's last token and the continuation's).
std::vector<int> decode_alone(Model& m, Batch& batch, const std::vector<llama_token>& toks, size_t first_output, uint64_t& tokens) {
    llama_memory_clear(llama_get_memory(m.ctx), true);
    const std::vector<llama_seq_id> seq0{0};
    const size_t n = toks.size();
    const size_t last_start = n > static_cast<size_t>(m.n_batch) ? n - static_cast<size_t>(m.n_batch) : 0;
    if (first_output < last_start) throw Failure{"reference path: a continuation longer than --batch"};
    for (size_t start = 0; start < last_start; start += static_cast<size_t>(m.n_batch)) {
        batch.clear();
        for (size_t p = start; p < std::min(last_start, start + static_cast<size_t>(m.n_batch)); ++p)
            batch.add(toks[p], static_cast<llama_pos>(p), seq0, false);
        decode(m, batch);
        tokens += static_cast<uint64_t>(batch.size());
    }
    batch.clear();
    std::vector<int> rows;
    for (size_t p = last_start; p < n; ++p) {
        const bool output = p >= first_output && (p + 1 < n || p == first_output);
        const int row = batch.add(toks[p], static_cast<llama_pos>(p), seq0, output);
        if (output) rows.push_back(row);
    }
    decode(m, batch);
    tokens += static_cast<uint64_t>(batch.size());
    return rows;
}

// The reference path: the context alone, then each context + continuation alone, no state shared between them.
void score_reference(Model& m, const clika_score_request& req, clika_score_result& res, uint64_t& tokens) {
    Batch batch(m.n_batch, 1);
    std::vector<llama_token> toks(req.context.tokens, req.context.tokens + req.context.count);
    {
        const std::vector<int> rows = decode_alone(m, batch, toks, req.context.count - 1, tokens);
        const float* logits = context_logits(m, rows.front());
        read_next(m, req, logits, row_stats(logits, m.n_vocab), res);
    }
    for (size_t j = 0; j < req.n_continuations; ++j) {
        const clika_token_span& cont = req.continuations[j];
        toks.resize(req.context.count);
        toks.insert(toks.end(), cont.tokens, cont.tokens + cont.count);
        const std::vector<int> rows = decode_alone(m, batch, toks, req.context.count - 1, tokens);
        const float* logits = context_logits(m, rows.front());
        const ContinuationScore c = read_continuation(m, logits, row_stats(logits, m.n_vocab), std::vector<int>(rows.begin() + 1, rows.end()), cont);
        res.continuation_logprob[j] = c.logprob;
        res.continuation_greedy[j] = c.greedy ? 1 : 0;
    }
}

// The shared prefix, once, into sequence 0 (in pieces of n_batch tokens; no outputs): what every sequence starts from.
void decode_into_sequence_0(Model& m, Batch& batch, const int32_t* toks, size_t prefix, uint64_t& tokens) {
    const std::vector<llama_seq_id> seq0{0};
    for (size_t start = 0; start < prefix; start += static_cast<size_t>(m.n_batch)) {
        batch.clear();
        for (size_t p = start; p < std::min(prefix, start + static_cast<size_t>(m.n_batch)); ++p)
            batch.add(toks[p], static_cast<llama_pos>(p), seq0, false);
        decode(m, batch);
        tokens += static_cast<uint64_t>(batch.size());
    }
}

int32_t score_shared(Model& m, const clika_score_request* reqs, clika_score_result* results, size_t count,
                     const clika_score_options& options) {
    llama_memory_t mem = llama_get_memory(m.ctx);
    llama_memory_clear(mem, false);  // metadata only: stale cells are masked, and masked weights are exactly 0
    uint64_t tokens = 0, reuses = 0;
    const size_t prefix = reqs[0].shared_prefix;  // the same in every request, shorter than every context (plugin_abi.h)

    const int max_fanout = m.n_seq - 1;
    Batch batch(m.n_batch, std::max(1, max_fanout));
    decode_into_sequence_0(m, batch, reqs[0].context.tokens, prefix, tokens);

    size_t next = 0;
    while (next < count) {
        // Fill one decode with as many whole questions as sequences and batch room allow.
        size_t end = next, used_tokens = 0;
        int used_seqs = 0;
        while (end < count) {
            const int seqs = static_cast<int>(std::max<size_t>(1, reqs[end].n_continuations));
            const size_t toks = request_tokens(reqs[end], prefix);
            if (seqs > max_fanout) throw Failure{"a question has more options than --parallel sequences allow"};
            if (toks > static_cast<size_t>(m.n_batch))
                throw Failure{"request " + std::to_string(end) + ": its " + std::to_string(toks) + " own tokens exceed the " + std::to_string(m.n_batch) +
                              " tokens of one pass (--batch, capped at --ctx): raise --ctx and --batch"};
            if (used_seqs + seqs > max_fanout || used_tokens + toks > static_cast<size_t>(m.n_batch)) break;
            used_seqs += seqs;
            used_tokens += toks;
            ++end;
        }
        batch.clear();
        std::vector<Placement> placed(end - next);
        llama_seq_id seq = 1;
        for (size_t i = next; i < end; ++i) {
            const clika_score_request& r = reqs[i];
            Placement& at = placed[i - next];
            std::vector<llama_seq_id> seqs;
            for (size_t j = 0; j < std::max<size_t>(1, r.n_continuations); ++j) {
                llama_memory_seq_cp(mem, 0, seq, -1, -1);
                seqs.push_back(seq++);
            }
            if (prefix > 0) ++reuses;
            for (size_t p = prefix; p < r.context.count; ++p)
                at.context_row = batch.add(r.context.tokens[p], static_cast<llama_pos>(p), seqs, p + 1 == r.context.count);
            at.continuation_rows.assign(r.n_continuations, {});
            for (size_t j = 0; j < r.n_continuations; ++j) {
                const clika_token_span& cont = r.continuations[j];
                for (size_t t = 0; t < cont.count; ++t) {
                    const bool output = t + 1 < cont.count;
                    const int row = batch.add(cont.tokens[t], static_cast<llama_pos>(r.context.count + t), {seqs[j]}, output);
                    if (output) at.continuation_rows[j].push_back(row);
                }
            }
        }
        decode(m, batch);
        tokens += static_cast<uint64_t>(batch.size());
        for (size_t i = next; i < end; ++i) read_outputs(m, reqs[i], placed[i - next], results[i]);
        for (llama_seq_id s = 1; s < seq; ++s) llama_memory_seq_rm(mem, s, -1, -1);
        next = end;
    }
    if (options.tokens_evaluated != nullptr) *options.tokens_evaluated += tokens;
    if (options.prefix_reuses != nullptr) *options.prefix_reuses += reuses;
    return 0;
}

std::string model_meta(const llama_model* model, const std::string& key) {
    char value[128];
    const int32_t n = llama_model_meta_val_str(model, key.c_str(), value, sizeof value);
    return n < 0 ? std::string() : std::string(value);
}

// clika reads what a model predicts right after the prompt: encoders, and tokenizers that end every text with an
// end-of-sequence or separator token, would score letters and options after the end of the text.
void require_causal_decoder(const Model& m, const char* path) {
    const std::string arch = model_meta(m.model, "general.architecture");
    const bool encoder_arch = arch == "bert" || arch == "nomic-bert" || arch == "nomic-bert-moe" || arch == "jina-bert-v2" ||
                              arch == "jina-bert-v3" || arch == "neo-bert" || arch == "modern-bert" || arch == "t5encoder";
    if (llama_model_has_encoder(m.model) || !llama_model_has_decoder(m.model) || encoder_arch ||
        model_meta(m.model, arch + ".attention.causal") == "false")
        throw Failure{std::string(path) + " is not a causal decoder (architecture \"" + arch +
                      "\"): clika scores the next tokens a decoder-only language model predicts after the prompt"};
    const bool adds_eos = llama_vocab_get_add_eos(m.vocab), adds_sep = llama_vocab_get_add_sep(m.vocab);
    if (adds_eos || adds_sep)
        throw Failure{std::string(path) + ": its tokenizer appends " + (adds_sep ? "a separator" : "an end-of-sequence") +
                      " token to every text (tokenizer.ggml." + (adds_sep ? "add_sep_token" : "add_eos_token") +
                      " = true, as encoder models' tokenizers do): clika scores what a causal decoder predicts right after the "
                      "prompt, so this tokenizer cannot be used"};
}

clika_model* plugin_open(const char* path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&]() -> clika_model* {
        if (path == nullptr) throw Failure{"no model path"};
        if (!clika::plugin::is_v2(options))
            throw Failure{"open options are NULL or smaller than ABI v2.0's"};
        llama_log_set(quiet_log, nullptr);
        llama_backend_init();
        if (std::FILE* f = std::fopen(path, "rb"); f == nullptr) throw Failure{std::string("cannot open model file ") + path};
        else std::fclose(f);

        auto m = std::make_unique<Model>();
        llama_model_params mp = llama_model_default_params();
        mp.n_gpu_layers = 0;
        m->model = llama_model_load_from_file(path, mp);
        if (m->model == nullptr) throw Failure{std::string("llama.cpp could not load ") + path + " (not a GGUF model it supports?)"};
        m->vocab = llama_model_get_vocab(m->model);
        m->n_vocab = llama_vocab_n_tokens(m->vocab);
        require_causal_decoder(*m, path);

        llama_context_params cp = llama_context_default_params();
        const int threads = options->n_threads > 0 ? options->n_threads : 0;
        m->n_batch = options->n_batch > 0 ? options->n_batch : 512;
        const int n_ctx = options->n_ctx > 0 ? options->n_ctx : 2048 + m->n_batch;
        m->n_batch = std::min(m->n_batch, n_ctx);  // as llama.cpp caps it: one pass never holds more than the context
        // llama.cpp sizes its output buffer by max(outputs, sequences) but caps outputs at n_batch: keep seqs <= n_batch.
        m->n_seq = std::min({256, m->n_batch, options->n_parallel > 0 ? options->n_parallel + 1 : 65});
        cp.n_batch = static_cast<uint32_t>(m->n_batch);
        cp.n_ubatch = static_cast<uint32_t>(m->n_batch);
        cp.n_seq_max = static_cast<uint32_t>(m->n_seq);
        cp.kv_unified = true;  // sequences share the prefix's cells
        cp.n_ctx = static_cast<uint32_t>(n_ctx);
        if (threads > 0) {
            cp.n_threads = threads;
            cp.n_threads_batch = threads;
        }
        cp.no_perf = true;
        // Scores must not depend on how questions were batched. Measured on the tiny model against the reference path:
        // flash attention over a KV shared by many masked sequences drifts up to 7e-3 nats; an F16 KV cache turns
        // float noise into F16 rounding flips, 1.5e-4 nats; plain attention over an F32 cache agrees within 3e-6.
        // CLiKA prompts are short, so the larger cache costs little (and flash attention measured no faster here).
        cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
        cp.type_k = GGML_TYPE_F32;
        cp.type_v = GGML_TYPE_F32;
        m->ctx = llama_init_from_model(m->model, cp);
        if (m->ctx == nullptr) throw Failure{"llama.cpp could not create a context (too little memory for --ctx?)"};
        m->n_batch = static_cast<int>(llama_n_batch(m->ctx));  // plan by what it will take
        if (options->lora_path != nullptr && options->lora_path[0] != '\0') {
            m->lora = llama_adapter_lora_init(m->model, options->lora_path);
            if (m->lora == nullptr) throw Failure{std::string("llama.cpp could not load the LoRA adapter ") + options->lora_path};
            float scale = options->lora_scale;
            if (llama_set_adapters_lora(m->ctx, &m->lora, 1, &scale) != 0) throw Failure{"llama.cpp could not apply the LoRA adapter"};
        }
        return reinterpret_cast<clika_model*>(m.release());
    });
}

Model& self(clika_model* model) { return *reinterpret_cast<Model*>(model); }

void plugin_close(clika_model* model) { delete reinterpret_cast<Model*>(model); }

int32_t plugin_describe(clika_model* model, clika_model_info* out) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(out)) throw Failure{"model info is NULL or smaller than ABI v2.0's"};
        out->n_vocab = m.n_vocab;
        out->n_ctx_train = llama_model_n_ctx_train(m.model);
        out->n_ctx = static_cast<int32_t>(llama_n_ctx(m.ctx));
        out->bos = llama_vocab_bos(m.vocab);
        out->eos = llama_vocab_eos(m.vocab);
        out->adds_bos = llama_vocab_get_add_bos(m.vocab) ? 1 : 0;
        out->max_pass_tokens = m.n_batch;
        out->max_pass_sequences = m.n_seq - 1;
        out->capabilities = CLIKA_CAP_LORA | CLIKA_CAP_GENERATE;
        char desc[200];
        llama_model_desc(m.model, desc, sizeof desc);
        std::snprintf(out->description, sizeof out->description, "%s, llama.cpp %s", desc, CLIKA_LLAMA_CPP_TAG);
        return 0;
    });
}

int64_t plugin_tokenize(clika_model* model, const char* text, size_t length, int32_t add_special, int32_t* out, size_t capacity) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&] { return clika::plugin::llama_vocab_tokenize(m.vocab, text, length, add_special, out, capacity); });
}

int64_t plugin_token_piece(clika_model* model, int32_t token, char* out, size_t capacity) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&] { return clika::plugin::llama_vocab_piece(m.vocab, token, out, capacity); });
}

int32_t plugin_score(clika_model* model, const clika_score_request* reqs, clika_score_result* results, size_t count,
                     const clika_score_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure{"score options are NULL or smaller than ABI v2.0's"};
        if (count == 0) return 0;
        clika::plugin::validate_requests(reqs, results, count, {.n_vocab = m.n_vocab, .n_ctx = llama_n_ctx(m.ctx)});
        for (size_t i = 0; i < count; ++i)  // a question's continuations sit in the KV together
            if (reqs[i].context.count + request_tokens(reqs[i], reqs[i].context.count) > llama_n_ctx(m.ctx))
                throw Failure{"request " + std::to_string(i) + " is longer than the context (" + std::to_string(llama_n_ctx(m.ctx)) + " tokens)"};
        m.generating.clear();  // scoring starts from a cleared memory: any generation in progress ends
        if (options->share_prefix != 0) return score_shared(m, reqs, results, count, *options);
        uint64_t tokens = 0;
        for (size_t i = 0; i < count; ++i) score_reference(m, reqs[i], results[i], tokens);
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return 0;
    });
}

// One decode of generation tokens, each asking for its greedy next token: rows are remembered with the sequence they
// answer for, and read when the pass is decoded.
class GreedyPass {
public:
    explicit GreedyPass(Model& m) : m_(m), batch_(m.n_batch, 1) {}

    [[nodiscard]] bool full() const { return batch_.size() == m_.n_batch; }
    void add(llama_token token, llama_pos pos, llama_seq_id seq, bool output, size_t sequence) {
        const int row = batch_.add(token, pos, {seq}, output);
        if (output) outputs_.emplace_back(row, sequence);
    }
    // Decodes what was added and writes each output's argmax into greedy_next[sequence].
    void flush(int32_t* greedy_next, uint64_t& tokens) {
        if (batch_.size() == 0) return;
        decode(m_, batch_);
        tokens += static_cast<uint64_t>(batch_.size());
        for (const auto& [row, i] : outputs_) greedy_next[i] = clika::plugin::argmax(context_logits(m_, row), m_.n_vocab);
        batch_.clear();
        outputs_.clear();
    }
    Batch& batch() { return batch_; }

private:
    Model& m_;
    Batch batch_;
    std::vector<std::pair<int, size_t>> outputs_;  // batch row, sequence
};

// Decodes every prompt into its own sequence (sequence i + 1), the shared prefix once into sequence 0 and copied when
// sharing; writes each prompt's greedy next token.
void begin_generation(Model& m, const clika_score_request* prompts, size_t count, int32_t* greedy_next, bool share, uint64_t& tokens) {
    llama_memory_t mem = llama_get_memory(m.ctx);
    llama_memory_clear(mem, false);
    const size_t prefix = share ? prompts[0].shared_prefix : 0;
    GreedyPass pass(m);
    decode_into_sequence_0(m, pass.batch(), prompts[0].context.tokens, prefix, tokens);
    pass.batch().clear();
    // Own tokens of all prompts, packed into decodes of n_batch tokens (one prompt per decode on the reference path).
    for (size_t i = 0; i < count; ++i) {
        const llama_seq_id seq = static_cast<llama_seq_id>(i + 1);
        if (prefix > 0) llama_memory_seq_cp(mem, 0, seq, -1, -1);
        const clika_token_span& c = prompts[i].context;
        for (size_t p = prefix; p < c.count; ++p) {
            if (pass.full()) pass.flush(greedy_next, tokens);
            pass.add(c.tokens[p], static_cast<llama_pos>(p), seq, p + 1 == c.count, i);
        }
        if (!share) pass.flush(greedy_next, tokens);
    }
    pass.flush(greedy_next, tokens);
    m.generated_pos.assign(count, 0);
    for (size_t i = 0; i < count; ++i) m.generated_pos[i] = static_cast<llama_pos>(prompts[i].context.count);
    m.generating.assign(count, true);
    m.share_generation = share;
}

int32_t plugin_generate_begin(clika_model* model, const clika_score_request* prompts, size_t count, int32_t* greedy_next,
                              const clika_generate_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure{"generate options are NULL or smaller than ABI v2.0's"};
        if (count == 0) return 0;
        if (prompts == nullptr || greedy_next == nullptr) throw Failure{"NULL prompts or results"};
        if (count > static_cast<size_t>(m.n_seq - 1))
            throw Failure{std::to_string(count) + " prompts: more sequences than this context holds (" + std::to_string(m.n_seq - 1) + ")"};
        for (size_t i = 0; i < count; ++i) {
            if (prompts[i].context.count == 0) throw Failure{"prompt " + std::to_string(i) + " is empty"};
            clika::plugin::check_token_ids(prompts[i].context, m.n_vocab, i, "prompt");
        }
        uint64_t tokens = 0;
        begin_generation(m, prompts, count, greedy_next, options->share_prefix != 0, tokens);
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return 0;
    });
}

int32_t plugin_generate_step(clika_model* model, const int32_t* appended, size_t count, int32_t* greedy_next,
                             const clika_generate_options* options) {
    Model& m = self(model);
    return clika::plugin::guarded(&m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure{"generate options are NULL or smaller than ABI v2.0's"};
        if (count != m.generating.size()) throw Failure{"generate_step: " + std::to_string(count) + " tokens for " +
                                                        std::to_string(m.generating.size()) + " sequences begun"};
        llama_memory_t mem = llama_get_memory(m.ctx);
        GreedyPass pass(m);
        uint64_t tokens = 0;
        for (size_t i = 0; i < count; ++i) {
            if (!m.generating[i]) continue;
            const llama_seq_id seq = static_cast<llama_seq_id>(i + 1);
            if (appended[i] < 0) {
                m.generating[i] = false;
                llama_memory_seq_rm(mem, seq, -1, -1);
                continue;
            }
            if (appended[i] >= m.n_vocab) throw Failure{"token id " + std::to_string(appended[i]) + " is outside the vocabulary"};
            if (pass.full()) pass.flush(greedy_next, tokens);
            pass.add(appended[i], m.generated_pos[i]++, seq, true, i);
            if (!m.share_generation) pass.flush(greedy_next, tokens);
        }
        pass.flush(greedy_next, tokens);
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        return 0;
    });
}

void plugin_generate_end(clika_model* model) {
    Model& m = self(model);
    m.generating.clear();
    m.generated_pos.clear();
    llama_memory_clear(llama_get_memory(m.ctx), false);
}

const char* plugin_last_error(clika_model* model) { return clika::plugin::last_error(model == nullptr ? nullptr : &self(model)); }

const clika_plugin_api_v2 api{
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
    "llamacpp",
    "0.1.0 (llama.cpp " CLIKA_LLAMA_CPP_TAG ")",
    plugin_open,
    plugin_close,
    plugin_describe,
    plugin_tokenize,
    plugin_token_piece,
    plugin_score,
    plugin_last_error,
    plugin_generate_begin,
    plugin_generate_step,
    plugin_generate_end,
    nullptr,  // no settings of its own
    0,
    CLIKA_PLUGIN_MODEL_GGUF_FOR_LLAMA_CPP,  // clika reads the file first: a damaged one, or metadata llama.cpp aborts on, is bad input
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
