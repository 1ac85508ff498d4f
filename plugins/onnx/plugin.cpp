// clika's ONNX Runtime backend: scores CLiKA requests on decoder-only language models exported to ONNX with the
// Hugging Face Optimum signature, through the plugin ABI (include/clika/plugin_abi.h). See README.md beside this file.
//
// Inputs:  input_ids, attention_mask, optional position_ids, optional past_key_values.N.key/.value
//          (optional use_cache_branch of merged decoders, optional num_logits_to_keep / logits_to_keep)
// Outputs: logits, optional present.N.key/.value
//
// With past key/values, one score() call evaluates the shared prompt prefix once (batch 1), then feeds many questions
// at once, each row starting from a copy of the prefix's keys/values (level 1: the question's own context tokens), and
// then every option of those questions at once, each row starting from its question's keys/values (level 2: the
// option's tokens). Rows are right-padded; padding is masked out through attention_mask and positions are explicit, so
// a row's numbers do not depend on its neighbours. Without past inputs, whole sequences are batched. share_prefix = 0
// is the reference path: every sequence alone, from scratch.
//
// Tokenization is llama.cpp's, loaded vocab-only from a GGUF file next to the model (<model>.gguf or tokenizer.gguf),
// so the same vocabulary gives exactly the llama.cpp plugin's tokens.

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>

#include <llama.h>

#include "clika/plugin_abi.h"
#include "clika/plugin/llama_vocab.hpp"
#include "clika/plugin/log_softmax.hpp"
#include "clika/plugin/requests.hpp"
#include "clika/plugin_support.hpp"

static_assert(ORT_API_VERSION >= 17, "plugins/onnx needs the ONNX Runtime C API 17 (1.17) or newer");

namespace fs = std::filesystem;

namespace {

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string str(int64_t v) { return std::to_string(v); }

// ---- runtime -------------------------------------------------------------------------------------------------------

// The runtime library's version check, once per process: headers of C API N work with any library that serves API N.
void init_runtime() {
    static const std::string error = [] {
        const OrtApiBase* base = OrtGetApiBase();
        const char* version = base != nullptr ? base->GetVersionString() : "unknown";
        const OrtApi* api = base != nullptr ? base->GetApi(ORT_API_VERSION) : nullptr;
        if (api == nullptr)
            return "ONNX Runtime " + std::string(version) + " (libonnxruntime.so.1 as loaded) is too old: this plugin was built against C API " +
                   std::to_string(ORT_API_VERSION) + " and needs ONNX Runtime 1." + std::to_string(ORT_API_VERSION) + " or newer";
        Ort::InitApi(api);
        return std::string();
    }();
    if (!error.empty()) throw Failure(error);
}

std::string runtime_version() { return OrtGetApiBase()->GetVersionString(); }

Ort::Env& ort_env() {
    static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "clika-onnx");
    return env;
}

// The folder libonnxruntime.so.1 was loaded from: execution provider libraries live beside it.
fs::path runtime_dir() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&OrtGetApiBase), &info) != 0 && info.dli_fname != nullptr) return fs::path(info.dli_fname).parent_path();
    return {};
}

void quiet_log(ggml_log_level level, const char* text, void*) {
    if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

// ---- the model's inputs and outputs ----------------------------------------------------------------------------------

struct Io {
    std::string position_ids;        // empty when the model has no such input
    std::string cache_branch;        // use_cache_branch of merged decoders, or empty
    std::string logits_to_keep;      // num_logits_to_keep / logits_to_keep, or empty
    std::vector<std::string> past;   // past_key_values.N.key, .value for N = 0.. (empty: no past inputs)
    std::vector<std::string> present;
    ONNXTensorElementDataType ids_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
    ONNXTensorElementDataType mask_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
    ONNXTensorElementDataType pos_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
    ONNXTensorElementDataType keep_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
    int64_t kv_heads = 0, head_dim = 0;
    int64_t logits_vocab = -1;  // static last dim of logits, or -1
    [[nodiscard]] bool uses_past() const noexcept { return !past.empty(); }
    [[nodiscard]] int64_t kv_row() const noexcept { return kv_heads * head_dim; }  // floats per token per past tensor
};

}  // namespace

// The model handle (declared opaque in plugin_abi.h).
struct clika_model : clika::plugin::ModelBase {
    std::unique_ptr<Ort::Session> session;
    Io io;
    llama_model* tokenizer = nullptr;
    const llama_vocab* vocab = nullptr;
    fs::path tokenizer_path;
    int n_vocab = 0;
    int n_batch = 512;  // tokens (rows x columns) per forward pass
    int n_rows = 64;    // rows per forward pass
    int n_ctx = 0;
    int n_ctx_train = 0;
    std::string provider = "CPU";
    std::string description;
    Ort::MemoryInfo cpu = Ort::MemoryInfo{nullptr};
    // Past key/value buffers of the level-1 and level-2 batches, kept between forward passes: a fresh 100 MB+ buffer per
    // pass would cost a page fault per 4 kB (measured: a third of the CPU time on a 134M model).
    std::vector<std::vector<float>> kv_pool[2];

    ~clika_model() {
        session.reset();
        if (tokenizer != nullptr) llama_model_free(tokenizer);
    }
};

namespace {

ONNXTensorElementDataType tensor_type(const Ort::TypeInfo& info, const std::string& name) {
    if (info.GetONNXType() != ONNX_TYPE_TENSOR) throw Failure("model input/output \"" + name + "\" is not a tensor");
    return info.GetTensorTypeAndShapeInfo().GetElementType();
}

void require_integer(ONNXTensorElementDataType t, const std::string& name) {
    if (t != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 && t != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32)
        throw Failure("model input \"" + name + "\" is not int64 or int32");
}

Io inspect(Ort::Session& s, const std::string& path) {
    Io io;
    Ort::AllocatorWithDefaultOptions alloc;
    std::vector<std::string> inputs, outputs;
    for (size_t i = 0; i < s.GetInputCount(); ++i) inputs.emplace_back(s.GetInputNameAllocated(i, alloc).get());
    for (size_t i = 0; i < s.GetOutputCount(); ++i) outputs.emplace_back(s.GetOutputNameAllocated(i, alloc).get());
    auto index = [](const std::vector<std::string>& names, std::string_view n) -> long {
        const auto it = std::find(names.begin(), names.end(), n);
        return it == names.end() ? -1 : static_cast<long>(it - names.begin());
    };
    auto need = [&](std::string_view n, bool input) {
        const long i = index(input ? inputs : outputs, n);
        if (i < 0)
            throw Failure(path + ": not a decoder-only LM with the Hugging Face Optimum signature: no " + (input ? "input" : "output") +
                          " named \"" + std::string(n) + "\"");
        return static_cast<size_t>(i);
    };
    io.ids_type = tensor_type(s.GetInputTypeInfo(need("input_ids", true)), "input_ids");
    require_integer(io.ids_type, "input_ids");
    io.mask_type = tensor_type(s.GetInputTypeInfo(need("attention_mask", true)), "attention_mask");
    require_integer(io.mask_type, "attention_mask");
    if (const long i = index(inputs, "position_ids"); i >= 0) {
        io.position_ids = "position_ids";
        io.pos_type = tensor_type(s.GetInputTypeInfo(static_cast<size_t>(i)), "position_ids");
        require_integer(io.pos_type, "position_ids");
    }
    for (const char* n : {"num_logits_to_keep", "logits_to_keep"})
        if (const long i = index(inputs, n); i >= 0) {
            io.logits_to_keep = n;
            io.keep_type = tensor_type(s.GetInputTypeInfo(static_cast<size_t>(i)), n);
            require_integer(io.keep_type, n);
        }
    if (index(inputs, "use_cache_branch") >= 0) io.cache_branch = "use_cache_branch";

    const size_t logits = need("logits", false);
    const Ort::TypeInfo logits_info = s.GetOutputTypeInfo(logits);
    if (tensor_type(logits_info, "logits") != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) throw Failure(path + ": logits are not float32");
    const std::vector<int64_t> ls = logits_info.GetTensorTypeAndShapeInfo().GetShape();
    if (ls.size() != 3) throw Failure(path + ": logits are not [batch, sequence, vocab]");
    io.logits_vocab = ls[2];

    for (int layer = 0;; ++layer) {
        const std::string key = "past_key_values." + std::to_string(layer) + ".key", value = "past_key_values." + std::to_string(layer) + ".value";
        const long ki = index(inputs, key), vi = index(inputs, value);
        if (ki < 0 && vi < 0) break;
        if (ki < 0 || vi < 0) throw Failure(path + ": layer " + std::to_string(layer) + " has only one of " + key + " and " + value);
        for (const auto& [name, i] : {std::pair{key, ki}, std::pair{value, vi}}) {
            const Ort::TypeInfo info = s.GetInputTypeInfo(static_cast<size_t>(i));
            if (tensor_type(info, name) != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
                throw Failure(path + ": " + name + " is not float32 (float16 key/value caches are not supported)");
            const std::vector<int64_t> shape = info.GetTensorTypeAndShapeInfo().GetShape();
            if (shape.size() != 4 || shape[1] <= 0 || shape[3] <= 0)
                throw Failure(path + ": " + name + " is not [batch, kv_heads, past, head_dim] with fixed kv_heads and head_dim");
            if (io.kv_heads == 0) {
                io.kv_heads = shape[1];
                io.head_dim = shape[3];
            } else if (io.kv_heads != shape[1] || io.head_dim != shape[3]) {
                throw Failure(path + ": past key/value tensors of different shapes");
            }
            const std::string present = "present." + name.substr(std::strlen("past_key_values."));
            if (index(outputs, present) < 0) throw Failure(path + ": input " + name + " has no matching output " + present);
            io.past.push_back(name);
            io.present.push_back(present);
        }
    }
    // Every other input must be one this plugin knows how to feed.
    for (const std::string& n : inputs) {
        const bool known = n == "input_ids" || n == "attention_mask" || n == io.position_ids || n == io.cache_branch || n == io.logits_to_keep ||
                           std::find(io.past.begin(), io.past.end(), n) != io.past.end();
        if (!known) throw Failure(path + ": unsupported model input \"" + n + "\"");
    }
    return io;
}

// ---- forward passes ---------------------------------------------------------------------------------------------------

// One forward pass: `rows` sequences of `len` new tokens after `past` cached slots each.
struct Batch {
    int64_t rows = 0, len = 0, past = 0;
    std::vector<int64_t> ids, pos;           // rows * len
    std::vector<int64_t> mask;               // rows * (past + len)
    std::vector<std::vector<float>> kv;      // per past input: rows * kv_heads * past * head_dim (layout [row, head, slot, dim])
    int64_t keep = 0;                        // logits wanted for the last `keep` columns only (0: all)

    Batch(int64_t r, int64_t l, int64_t p, size_t n_past_inputs)
        : rows(r), len(l), past(p), ids(static_cast<size_t>(r * l), 0), pos(static_cast<size_t>(r * l), 0),
          mask(static_cast<size_t>(r * (p + l)), 0), kv(n_past_inputs) {}
};

struct Forward {
    std::vector<Ort::Value> values;  // logits, then the present tensors when asked for
    const float* logits = nullptr;
    int64_t columns = 0;             // logits positions per row (the last `columns` of the batch)
    int64_t len = 0;
    int64_t vocab = 0;
    // Logits of row r at batch column c (c must be among the last `columns`).
    [[nodiscard]] const float* at(int64_t r, int64_t c) const {
        const int64_t k = c - (len - columns);
        if (k < 0 || k >= columns) throw Failure("internal: logits of a column that was not kept");
        return logits + (r * columns + k) * vocab;
    }
};

// Holds typed copies of the integer inputs alive until Run returns.
struct IntBuffers {
    std::vector<std::vector<int64_t>> i64;
    std::vector<std::vector<int32_t>> i32;
};

Ort::Value int_tensor(clika_model& m, IntBuffers& keep, const std::vector<int64_t>& values, std::vector<int64_t> shape,
                      ONNXTensorElementDataType type) {
    if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
        auto& v = keep.i32.emplace_back(values.begin(), values.end());
        if (v.empty()) v.reserve(1);
        return Ort::Value::CreateTensor<int32_t>(m.cpu, v.data(), values.size(), shape.data(), shape.size());
    }
    auto& v = keep.i64.emplace_back(values);
    if (v.empty()) v.reserve(1);
    return Ort::Value::CreateTensor<int64_t>(m.cpu, v.data(), values.size(), shape.data(), shape.size());
}

Forward forward(clika_model& m, Batch& b, bool want_present) {
    const Io& io = m.io;
    IntBuffers buffers;
    std::vector<const char*> in_names, out_names;
    std::vector<Ort::Value> in_values;
    in_names.push_back("input_ids");
    in_values.push_back(int_tensor(m, buffers, b.ids, {b.rows, b.len}, io.ids_type));
    in_names.push_back("attention_mask");
    in_values.push_back(int_tensor(m, buffers, b.mask, {b.rows, b.past + b.len}, io.mask_type));
    if (!io.position_ids.empty()) {
        in_names.push_back(io.position_ids.c_str());
        in_values.push_back(int_tensor(m, buffers, b.pos, {b.rows, b.len}, io.pos_type));
    }
    int64_t keep = b.len;
    if (!io.logits_to_keep.empty()) {
        keep = b.keep > 0 ? std::min(b.keep, b.len) : b.len;
        in_names.push_back(io.logits_to_keep.c_str());
        in_values.push_back(int_tensor(m, buffers, {keep}, {}, io.keep_type));
    }
    bool branch_flag = b.past > 0;
    if (!io.cache_branch.empty()) {
        in_names.push_back(io.cache_branch.c_str());
        in_values.push_back(Ort::Value::CreateTensor<bool>(m.cpu, &branch_flag, 1, std::vector<int64_t>{1}.data(), 1));
    }
    static float no_data = 0.0f;
    const std::vector<int64_t> kv_shape{b.rows, io.kv_heads, b.past, io.head_dim};
    for (size_t i = 0; i < io.past.size(); ++i) {
        std::vector<float>& kv = b.kv[i];
        if (static_cast<int64_t>(kv.size()) != b.rows * b.past * io.kv_row()) throw Failure("internal: past key/value size mismatch");
        in_names.push_back(io.past[i].c_str());
        in_values.push_back(Ort::Value::CreateTensor<float>(m.cpu, kv.empty() ? &no_data : kv.data(), kv.size(), kv_shape.data(), kv_shape.size()));
    }
    out_names.push_back("logits");
    if (want_present)
        for (const std::string& n : io.present) out_names.push_back(n.c_str());

    Forward f;
    f.values = m.session->Run(Ort::RunOptions{nullptr}, in_names.data(), in_values.data(), in_values.size(), out_names.data(), out_names.size());
    const std::vector<int64_t> shape = f.values[0].GetTensorTypeAndShapeInfo().GetShape();
    if (shape.size() != 3 || shape[0] != b.rows || shape[2] != m.n_vocab || shape[1] < keep || shape[1] > b.len)
        throw Failure("the model returned logits of an unexpected shape");
    f.logits = f.values[0].GetTensorData<float>();
    f.columns = shape[1];
    f.len = b.len;
    f.vocab = shape[2];
    return f;
}

// ---- reading scores ----------------------------------------------------------------------------------------------------

using clika::plugin::row_stats;
using clika::plugin::RowStats;

// Results start at "log p = 0, greedy" and every token read adds to them, so rows may be read in any order.
void reset(const clika_score_request& req, clika_score_result& res) {
    res.greedy_next = -1;
    for (size_t j = 0; j < req.n_continuations; ++j) {
        res.continuation_logprob[j] = 0.0;
        res.continuation_greedy[j] = 1;
    }
}

// What follows the context: next-token log-probabilities, the greedy token, and each continuation's first token.
void read_context(const clika_model& m, const clika_score_request& req, const float* logits, clika_score_result& res) {
    const RowStats s = row_stats(logits, m.n_vocab);
    res.greedy_next = s.argmax;
    for (size_t k = 0; k < req.n_next_ids; ++k) res.next_logprob[k] = static_cast<double>(logits[req.next_ids[k]]) - s.log_normalizer;
    for (size_t j = 0; j < req.n_continuations; ++j) {
        const int32_t t = req.continuations[j].tokens[0];
        res.continuation_logprob[j] += static_cast<double>(logits[t]) - s.log_normalizer;
        if (s.argmax != t) res.continuation_greedy[j] = 0;
    }
}

// Continuation token t (t >= 1) of option j, predicted by `logits`.
void read_continuation_token(const clika_model& m, const clika_score_request& req, size_t j, size_t t, const float* logits, clika_score_result& res) {
    const RowStats s = row_stats(logits, m.n_vocab);
    const int32_t token = req.continuations[j].tokens[t];
    res.continuation_logprob[j] += static_cast<double>(logits[token]) - s.log_normalizer;
    if (s.argmax != token) res.continuation_greedy[j] = 0;
}

// ---- reference path and batches of whole sequences --------------------------------------------------------------------

// A whole sequence to evaluate from scratch: the context, then (optionally) continuation j without its last token.
struct Sequence {
    size_t request;
    long option;  // -1: the context alone
    int64_t length;
};

void fill_sequence(const clika_score_request& r, const Sequence& s, Batch& b, int64_t row) {
    std::vector<int32_t> toks(r.context.tokens, r.context.tokens + r.context.count);
    if (s.option >= 0) {
        const clika_token_span& c = r.continuations[s.option];
        toks.insert(toks.end(), c.tokens, c.tokens + c.count - 1);
    }
    for (int64_t c = 0; c < b.len; ++c) {  // right padding: padding sees the real tokens, never the reverse
        const bool real = c < s.length;
        b.ids[static_cast<size_t>(row * b.len + c)] = toks[static_cast<size_t>(real ? c : s.length - 1)];
        b.pos[static_cast<size_t>(row * b.len + c)] = c;
        b.mask[static_cast<size_t>(row * b.len + c)] = real ? 1 : 0;
    }
}

// Evaluates whole sequences (right-padded, `rows` at a time; 1 for the reference path) and reads every score.
void score_sequences(clika_model& m, const clika_score_request* reqs, clika_score_result* results, size_t count, bool batched, uint64_t& tokens) {
    std::vector<Sequence> seqs;
    for (size_t i = 0; i < count; ++i) {
        const clika_score_request& r = reqs[i];
        const int64_t ctx = static_cast<int64_t>(r.context.count);
        // The context's last row gives the next-token scores; batched, option 0's row (a longer sequence) holds it too.
        if (r.n_continuations == 0 || !batched) seqs.push_back({i, -1, ctx});
        for (size_t j = 0; j < r.n_continuations; ++j)
            if ((batched && j == 0) || r.continuations[j].count > 1) seqs.push_back({i, static_cast<long>(j), ctx + static_cast<int64_t>(r.continuations[j].count) - 1});
    }
    if (batched) std::stable_sort(seqs.begin(), seqs.end(), [](const Sequence& a, const Sequence& b) { return a.length < b.length; });
    for (size_t start = 0; start < seqs.size();) {
        size_t end = start + 1;
        int64_t longest = seqs[start].length;
        while (batched && end < seqs.size() && static_cast<int64_t>(end - start + 1) <= m.n_rows &&
               std::max(longest, seqs[end].length) * static_cast<int64_t>(end - start + 1) <= m.n_batch) {
            longest = std::max(longest, seqs[end].length);
            ++end;
        }
        const int64_t rows = static_cast<int64_t>(end - start);
        Batch b(rows, longest, 0, m.io.past.size());
        int64_t first_needed = longest;  // logits are read from each context's last token on
        for (size_t k = start; k < end; ++k) first_needed = std::min<int64_t>(first_needed, static_cast<int64_t>(reqs[seqs[k].request].context.count) - 1);
        b.keep = longest - first_needed;
        for (int64_t r = 0; r < rows; ++r) {
            fill_sequence(reqs[seqs[start + r].request], seqs[start + r], b, r);
            tokens += static_cast<uint64_t>(seqs[start + r].length);
        }
        const Forward f = forward(m, b, false);
        for (int64_t r = 0; r < rows; ++r) {
            const Sequence& s = seqs[start + r];
            const clika_score_request& req = reqs[s.request];
            clika_score_result& res = results[s.request];
            const int64_t ctx_col = static_cast<int64_t>(req.context.count) - 1;  // the context's last token
            if (s.option < 0 || (batched && s.option == 0)) read_context(m, req, f.at(r, ctx_col), res);
            if (s.option >= 0) {
                const clika_token_span& c = req.continuations[s.option];
                for (size_t t = 1; t < c.count; ++t)
                    read_continuation_token(m, req, static_cast<size_t>(s.option), t, f.at(r, ctx_col + static_cast<int64_t>(t)), res);
            }
        }
        start = end;
    }
}

}  // namespace

namespace {

// ---- the shared path: prefix once, then questions, then options, each level starting from the previous one's cache ----

struct Row {
    size_t request;
    int64_t length;  // tokens this row adds
};

// Rows grouped into forward passes of at most n_rows rows and about n_batch tokens (rows x longest row), in order.
std::vector<std::pair<size_t, size_t>> groups(const clika_model& m, const std::vector<Row>& rows) {
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t start = 0; start < rows.size();) {
        size_t end = start + 1;
        int64_t longest = rows[start].length;
        while (end < rows.size() && static_cast<int64_t>(end - start + 1) <= m.n_rows &&
               std::max(longest, rows[end].length) * static_cast<int64_t>(end - start + 1) <= m.n_batch) {
            longest = std::max(longest, rows[end].length);
            ++end;
        }
        out.emplace_back(start, end);
        start = end;
    }
    return out;
}

void copy_rows(const Ort::Value& src, int64_t from, std::vector<float>& dst, int64_t to, int64_t block) {
    const float* data = src.GetTensorData<float>();
    std::memcpy(dst.data() + to * block, data + from * block, static_cast<size_t>(block) * sizeof(float));
}

void score_shared(clika_model& m, const clika_score_request* reqs, clika_score_result* results, size_t count, uint64_t& tokens, uint64_t& reuses) {
    const Io& io = m.io;
    const size_t n_past = io.past.size();
    size_t prefix = reqs[0].shared_prefix;
    for (size_t i = 0; i < count; ++i) prefix = std::min({prefix, reqs[i].shared_prefix, reqs[i].context.count - 1});
    const int64_t P = static_cast<int64_t>(prefix);

    // 1. The shared prefix, batch 1, in pieces of n_batch tokens; its cache is what every question starts from.
    std::vector<std::vector<float>> prefix_kv(n_past);
    for (int64_t done = 0; done < P;) {
        const int64_t n = std::min<int64_t>(P - done, m.n_batch);
        Batch b(1, n, done, n_past);
        for (int64_t c = 0; c < n; ++c) {
            b.ids[static_cast<size_t>(c)] = reqs[0].context.tokens[done + c];
            b.pos[static_cast<size_t>(c)] = done + c;
        }
        std::fill(b.mask.begin(), b.mask.end(), 1);
        b.kv = std::move(prefix_kv);
        b.keep = 1;
        const Forward f = forward(m, b, true);
        prefix_kv.assign(n_past, std::vector<float>(static_cast<size_t>((done + n) * io.kv_row())));
        for (size_t i = 0; i < n_past; ++i) copy_rows(f.values[1 + i], 0, prefix_kv[i], 0, (done + n) * io.kv_row());
        tokens += static_cast<uint64_t>(n);
        done += n;
    }

    // 2. Questions, shortest first (less padding), many per forward pass: each row is one question's own context tokens.
    std::vector<Row> questions;
    for (size_t i = 0; i < count; ++i) questions.push_back({i, static_cast<int64_t>(reqs[i].context.count) - P});
    std::stable_sort(questions.begin(), questions.end(), [](const Row& a, const Row& b) { return a.length < b.length; });
    for (const auto& [qs, qe] : groups(m, questions)) {
        const int64_t rows = static_cast<int64_t>(qe - qs);
        int64_t lq = 0;
        bool has_tails = false;
        for (size_t k = qs; k < qe; ++k) {
            lq = std::max(lq, questions[k].length);
            const clika_score_request& r = reqs[questions[k].request];
            for (size_t j = 0; j < r.n_continuations; ++j) has_tails = has_tails || r.continuations[j].count > 1;
        }
        Batch b(rows, lq, P, n_past);
        b.kv = std::move(m.kv_pool[0]);
        b.kv.resize(n_past);
        for (size_t i = 0; i < n_past; ++i) {
            b.kv[i].resize(static_cast<size_t>(rows * P * io.kv_row()));
            for (int64_t r = 0; r < rows; ++r)
                std::copy(prefix_kv[i].begin(), prefix_kv[i].end(), b.kv[i].begin() + r * P * io.kv_row());
        }
        int64_t shortest = lq;
        for (int64_t r = 0; r < rows; ++r) {
            const clika_score_request& req = reqs[questions[qs + static_cast<size_t>(r)].request];
            const int64_t len = questions[qs + static_cast<size_t>(r)].length;
            shortest = std::min(shortest, len);
            int64_t* mask = b.mask.data() + r * (P + lq);
            std::fill(mask, mask + P, 1);
            for (int64_t c = 0; c < lq; ++c) {  // right padding, as in fill_sequence
                const bool real = c < len;
                b.ids[static_cast<size_t>(r * lq + c)] = req.context.tokens[P + (real ? c : len - 1)];
                b.pos[static_cast<size_t>(r * lq + c)] = P + c;
                mask[P + c] = real ? 1 : 0;
            }
            tokens += static_cast<uint64_t>(len);
            if (P > 0) ++reuses;
        }
        b.keep = lq - shortest + 1;
        const Forward f1 = forward(m, b, has_tails);
        m.kv_pool[0] = std::move(b.kv);
        for (int64_t r = 0; r < rows; ++r) {
            const size_t q = questions[qs + static_cast<size_t>(r)].request;
            read_context(m, reqs[q], f1.at(r, questions[qs + static_cast<size_t>(r)].length - 1), results[q]);
        }
        if (!has_tails) continue;

        // 3. Options with more than one token, many per forward pass: each row starts from its question's cache.
        struct Tail {
            int64_t row;  // the question's row in the level-1 batch
            size_t option;
        };
        std::vector<Row> tail_rows;
        std::vector<Tail> tails;
        for (int64_t r = 0; r < rows; ++r) {
            const size_t q = questions[qs + static_cast<size_t>(r)].request;
            for (size_t j = 0; j < reqs[q].n_continuations; ++j)
                if (reqs[q].continuations[j].count > 1) {
                    tail_rows.push_back({tails.size(), static_cast<int64_t>(reqs[q].continuations[j].count) - 1});
                    tails.push_back({r, j});
                }
        }
        std::stable_sort(tail_rows.begin(), tail_rows.end(), [](const Row& a, const Row& b) { return a.length < b.length; });
        const int64_t past = P + lq, block = past * io.kv_row();
        for (const auto& [ts, te] : groups(m, tail_rows)) {
            const int64_t rows2 = static_cast<int64_t>(te - ts);
            int64_t lc = 0;
            for (size_t k = ts; k < te; ++k) lc = std::max(lc, tail_rows[k].length);
            Batch b2(rows2, lc, past, n_past);
            b2.kv = std::move(m.kv_pool[1]);
            b2.kv.resize(n_past);
            for (size_t i = 0; i < n_past; ++i) b2.kv[i].resize(static_cast<size_t>(rows2 * block));
            for (int64_t r = 0; r < rows2; ++r) {
                const Tail& t = tails[tail_rows[ts + static_cast<size_t>(r)].request];
                const clika_score_request& req = reqs[questions[qs + static_cast<size_t>(t.row)].request];
                const clika_token_span& cont = req.continuations[t.option];
                for (size_t i = 0; i < n_past; ++i) copy_rows(f1.values[1 + i], t.row, b2.kv[i], r, block);
                const int64_t len = static_cast<int64_t>(cont.count) - 1;
                int64_t* mask = b2.mask.data() + r * (past + lc);
                std::copy(b.mask.begin() + t.row * past, b.mask.begin() + (t.row + 1) * past, mask);
                for (int64_t c = 0; c < lc; ++c) {
                    const bool real = c < len;
                    b2.ids[static_cast<size_t>(r * lc + c)] = cont.tokens[real ? c : len - 1];
                    b2.pos[static_cast<size_t>(r * lc + c)] = static_cast<int64_t>(req.context.count) + c;
                    mask[past + c] = real ? 1 : 0;
                }
                tokens += static_cast<uint64_t>(len);
            }
            b2.keep = lc;
            const Forward f2 = forward(m, b2, false);
            m.kv_pool[1] = std::move(b2.kv);
            for (int64_t r = 0; r < rows2; ++r) {
                const Tail& t = tails[tail_rows[ts + static_cast<size_t>(r)].request];
                const size_t q = questions[qs + static_cast<size_t>(t.row)].request;
                const clika_token_span& cont = reqs[q].continuations[t.option];
                for (size_t tok = 1; tok < cont.count; ++tok)
                    read_continuation_token(m, reqs[q], t.option, tok, f2.at(r, static_cast<int64_t>(tok) - 1), results[q]);
            }
        }
    }
}

// ---- the ABI functions --------------------------------------------------------------------------------------------------

fs::path find_tokenizer(const fs::path& model) {
    if (const char* env = std::getenv("CLIKA_ONNX_TOKENIZER"); env != nullptr && *env != '\0') {
        if (!fs::is_regular_file(env)) throw Failure(std::string("CLIKA_ONNX_TOKENIZER=") + env + ": no such file");
        return env;
    }
    const fs::path beside = fs::path(model).replace_extension(".gguf");
    const fs::path shared = model.parent_path() / "tokenizer.gguf";
    if (fs::is_regular_file(beside)) return beside;
    if (fs::is_regular_file(shared)) return shared;
    throw Failure("no tokenizer for " + model.string() + ": looked for " + beside.string() + " and " + shared.string() +
                  " (a GGUF file with the model's tokenizer.* keys, e.g. the model's own GGUF or a llama.cpp vocab-only file;"
                  " or set CLIKA_ONNX_TOKENIZER)");
}

std::string choose_provider(Ort::SessionOptions& so) {
    const char* env = std::getenv("CLIKA_ONNX_PROVIDER");
    const std::string want = env != nullptr && *env != '\0' ? env : "auto";
    if (want == "cpu") return "CPU";
    if (want != "auto" && want != "cuda") throw Failure("CLIKA_ONNX_PROVIDER=" + want + ": expected cpu, cuda or auto");
    const fs::path lib = runtime_dir() / "libonnxruntime_providers_cuda.so";
    if (!fs::is_regular_file(lib)) {
        if (want == "cuda") throw Failure("CLIKA_ONNX_PROVIDER=cuda, but there is no " + lib.string() + " (configure with -DCLIKA_ORT_GPU=ON)");
        return "CPU";
    }
    OrtCUDAProviderOptionsV2* cuda = nullptr;
    try {
        Ort::ThrowOnError(Ort::GetApi().CreateCUDAProviderOptions(&cuda));
        so.AppendExecutionProvider_CUDA_V2(*cuda);
        Ort::GetApi().ReleaseCUDAProviderOptions(cuda);
        return "CUDA";
    } catch (const std::exception& e) {
        if (cuda != nullptr) Ort::GetApi().ReleaseCUDAProviderOptions(cuda);
        if (want == "cuda") throw Failure(std::string("the CUDA execution provider failed to start: ") + e.what());
        return "CPU (CUDA provider unavailable)";
    }
}

clika_model* plugin_open(const char* path, const clika_open_options* options) {
    return clika::plugin::guarded(nullptr, [&]() -> clika_model* {
        if (path == nullptr) throw Failure("no model path");
        if (!clika::plugin::is_v2(options)) throw Failure("open options are NULL or smaller than ABI v2.0's");
        if (options->lora_path != nullptr && options->lora_path[0] != '\0')
            throw Failure("the onnx plugin does not apply LoRA adapters: merge the adapter into the model before exporting it");
        init_runtime();
        const fs::path model_path(path);
        if (!fs::is_regular_file(model_path)) throw Failure("cannot open model file " + model_path.string());
        auto m = std::make_unique<clika_model>();
        m->cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

        m->tokenizer_path = find_tokenizer(model_path);
        llama_log_set(quiet_log, nullptr);
        llama_backend_init();
        llama_model_params mp = llama_model_default_params();
        mp.vocab_only = true;
        mp.n_gpu_layers = 0;
        m->tokenizer = llama_model_load_from_file(m->tokenizer_path.c_str(), mp);
        if (m->tokenizer == nullptr)
            throw Failure("llama.cpp could not read a tokenizer from " + m->tokenizer_path.string() + " (not a GGUF file with tokenizer.* keys?)");
        m->vocab = llama_model_get_vocab(m->tokenizer);
        m->n_vocab = llama_vocab_n_tokens(m->vocab);

        Ort::SessionOptions so;
        so.SetIntraOpNumThreads(options->n_threads > 0 ? options->n_threads : 0);
        so.SetInterOpNumThreads(1);
        so.SetExecutionMode(ORT_SEQUENTIAL);
        so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
        m->provider = choose_provider(so);
        try {
            m->session = std::make_unique<Ort::Session>(ort_env(), model_path.c_str(), so);
        } catch (const Ort::Exception& e) {
            throw Failure("ONNX Runtime could not load " + model_path.string() + ": " + e.what());
        }
        m->io = inspect(*m->session, model_path.string());
        if (m->io.logits_vocab > 0 && m->io.logits_vocab != m->n_vocab)
            throw Failure("the tokenizer " + m->tokenizer_path.string() + " has " + str(m->n_vocab) + " tokens but the model's logits have " +
                          str(m->io.logits_vocab) + ": not this model's tokenizer");

        Ort::AllocatorWithDefaultOptions alloc;
        const Ort::ModelMetadata meta = m->session->GetModelMetadata();
        if (auto v = meta.LookupCustomMetadataMapAllocated("clika.context_length", alloc); v != nullptr) m->n_ctx_train = std::atoi(v.get());
        if (m->n_ctx_train <= 0) m->n_ctx_train = llama_model_n_ctx_train(m->tokenizer);
        if (m->n_ctx_train <= 0) m->n_ctx_train = 2048;
        m->n_ctx = options->n_ctx > 0 ? options->n_ctx : m->n_ctx_train;
        if (options->n_batch > 0) m->n_batch = options->n_batch;
        if (options->n_parallel > 0) m->n_rows = options->n_parallel;

        const std::string graph = meta.GetGraphNameAllocated(alloc).get(), producer = meta.GetProducerNameAllocated(alloc).get();
        m->description = "ONNX " + graph + " (" + (producer.empty() ? std::string("unknown producer") : producer) + "), " +
                         (m->io.uses_past() ? str(static_cast<int64_t>(m->io.past.size() / 2)) + " layers with past key/values"
                                            : std::string("no past key/values")) +
                         ", tokenizer " + m->tokenizer_path.filename().string() + ", ONNX Runtime " + runtime_version() + " " + m->provider;
        return m.release();
    });
}

void plugin_close(clika_model* model) { delete model; }

int32_t plugin_describe(clika_model* m, clika_model_info* out) {
    return clika::plugin::guarded(m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(out)) throw Failure("model info is NULL or smaller than ABI v2.0's");
        out->n_vocab = m->n_vocab;
        out->n_ctx_train = m->n_ctx_train;
        out->n_ctx = m->n_ctx;
        out->bos = llama_vocab_bos(m->vocab);
        out->eos = llama_vocab_eos(m->vocab);
        out->adds_bos = llama_vocab_get_add_bos(m->vocab) ? 1 : 0;
        out->max_pass_tokens = m->n_batch;
        out->max_pass_sequences = m->n_rows;
        out->capabilities = 0;  // no LoRA (merge before exporting), generation by re-scoring
        std::snprintf(out->description, sizeof out->description, "%s", m->description.c_str());
        return 0;
    });
}

// Tokenization and pieces exactly as the llama.cpp plugin does them (the same glue).
int64_t plugin_tokenize(clika_model* m, const char* text, size_t length, int32_t add_special, int32_t* out, size_t capacity) {
    return clika::plugin::guarded(m, [&] { return clika::plugin::llama_vocab_tokenize(m->vocab, text, length, add_special, out, capacity); });
}

int64_t plugin_token_piece(clika_model* m, int32_t token, char* out, size_t capacity) {
    return clika::plugin::guarded(m, [&] { return clika::plugin::llama_vocab_piece(m->vocab, token, out, capacity); });
}

int32_t plugin_score(clika_model* m, const clika_score_request* reqs, clika_score_result* results, size_t count,
                     const clika_score_options* options) {
    return clika::plugin::guarded(m, [&]() -> int32_t {
        if (!clika::plugin::is_v2(options)) throw Failure("score options are NULL or smaller than ABI v2.0's");
        if (count == 0) return 0;
        clika::plugin::validate_requests(reqs, results, count, {.n_vocab = m->n_vocab, .n_ctx = static_cast<size_t>(m->n_ctx)});
        for (size_t i = 0; i < count; ++i) reset(reqs[i], results[i]);
        uint64_t tokens = 0, reuses = 0;
        if (options->share_prefix != 0 && m->io.uses_past()) score_shared(*m, reqs, results, count, tokens, reuses);
        else score_sequences(*m, reqs, results, count, options->share_prefix != 0, tokens);
        if (options->tokens_evaluated != nullptr) *options->tokens_evaluated += tokens;
        if (options->prefix_reuses != nullptr) *options->prefix_reuses += reuses;
        return 0;
    });
}

const char* plugin_last_error(clika_model* m) { return clika::plugin::last_error(m); }

#define CLIKA_STR2(x) #x
#define CLIKA_STR(x) CLIKA_STR2(x)

const clika_plugin_api_v2 api{
    CLIKA_PLUGIN_ABI_VERSION,
    sizeof(clika_plugin_api_v2),
    "onnx",
    "0.1.0 (ONNX Runtime C API " CLIKA_STR(ORT_API_VERSION) ")",
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
};

}  // namespace

extern "C" CLIKA_PLUGIN_EXPORT const clika_plugin_api_v2* clika_plugin_v2(void) { return &api; }
