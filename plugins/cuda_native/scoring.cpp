// Packing score requests into batches and adding their results up (see scoring.hpp).

#include "scoring.hpp"

#include "clika/plugin/requests.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace clika::cuda_native {

namespace {

// Tokens evaluated together as one question: context tokens [from, count), then the listed continuations.
struct Unit {
    std::size_t request = 0;
    std::size_t from = 0;
    bool want_next = false;  // next-token ids and the greedy next token come from this unit's context row
    std::vector<std::size_t> continuations;

    [[nodiscard]] std::size_t tokens(const clika_score_request& r) const {
        std::size_t n = r.context.count - from;
        for (std::size_t j : continuations) n += r.continuations[j].count;
        return n;
    }
};

struct TargetSink {
    std::size_t request;
    bool next;          // true: next_logprob[index]; false: continuation `index`
    std::size_t index;
    std::int32_t token;
    std::size_t row;    // scored row it belongs to
};

struct RowSink {
    std::size_t request;
    bool greedy_next;
};

class Packer {
public:
    [[nodiscard]] int size() const noexcept { return batch_.size(); }
    [[nodiscard]] const Batch& batch() const noexcept { return batch_; }

    void add(const Unit& u, const clika_score_request& r) {
        const int ctx_begin = batch_.size();
        for (std::size_t p = u.from; p < r.context.count; ++p) push(r.context.tokens[p], static_cast<std::int32_t>(p), ctx_begin, batch_.size() + 1, 0, 0);
        const int ctx_end = batch_.size();
        open_row(ctx_end - 1, {u.request, u.want_next});
        if (u.want_next)
            for (std::size_t k = 0; k < r.n_next_ids; ++k) target(r.next_ids[k], {u.request, true, k, r.next_ids[k], 0});
        for (std::size_t j : u.continuations) target(r.continuations[j].tokens[0], {u.request, false, j, r.continuations[j].tokens[0], 0});
        for (std::size_t j : u.continuations) {
            const clika_token_span& c = r.continuations[j];
            const int cont_begin = batch_.size();
            for (std::size_t t = 0; t < c.count; ++t) {
                const int row = batch_.size();
                push(c.tokens[t], static_cast<std::int32_t>(r.context.count + t), ctx_begin, ctx_end, cont_begin, row + 1);
                if (t + 1 < c.count) {
                    open_row(row, {u.request, false});
                    target(c.tokens[t + 1], {u.request, false, j, c.tokens[t + 1], 0});
                }
            }
        }
    }

    // Writes a run batch's results into the caller's arrays.
    void apply(const BatchScores& s, clika_score_result* results) const {
        for (std::size_t k = 0; k < sinks_.size(); ++k) {
            const TargetSink& t = sinks_[k];
            clika_score_result& res = results[t.request];
            const double lp = s.target_logprob[k];
            if (t.next) {
                res.next_logprob[t.index] = lp;
            } else {
                res.continuation_logprob[t.index] += lp;
                if (s.argmax[t.row] != t.token) res.continuation_greedy[t.index] = 0;
            }
        }
        for (std::size_t r = 0; r < rows_.size(); ++r)
            if (rows_[r].greedy_next) results[rows_[r].request].greedy_next = s.argmax[r];
    }

    void clear() {
        batch_.clear();
        sinks_.clear();
        rows_.clear();
    }

private:
    void push(std::int32_t token, std::int32_t pos, int b0, int e0, int b1, int e1) {
        batch_.tokens.push_back(token);
        batch_.positions.push_back(pos);
        batch_.ranges.insert(batch_.ranges.end(), {b0, e0, b1, e1});
    }
    // Rows are opened in order; each target goes to the last opened row.
    void open_row(int token_index, RowSink sink) {
        batch_.score_rows.push_back(token_index);
        batch_.target_offsets.push_back(static_cast<std::int32_t>(batch_.targets.size()));
        rows_.push_back(sink);
    }
    void target(std::int32_t token, TargetSink sink) {
        sink.row = rows_.size() - 1;
        batch_.targets.push_back(token);
        ++batch_.target_offsets.back();
        sinks_.push_back(sink);
    }

    Batch batch_;
    std::vector<TargetSink> sinks_;
    std::vector<RowSink> rows_;
};

// Evaluates tokens [0, count) of one sequence into KV rows [0, count), n_batch tokens at a time; no logits.
void evaluate_prefix(LlamaModel& model, const std::int32_t* tokens, std::size_t count, ScoreCounters& counters) {
    Batch batch;
    BatchScores scores;
    const auto step = static_cast<std::size_t>(model.n_batch());
    for (std::size_t start = 0; start < count; start += step) {
        batch.clear();
        const std::size_t end = std::min(count, start + step);
        for (std::size_t p = start; p < end; ++p) {
            batch.tokens.push_back(tokens[p]);
            batch.positions.push_back(static_cast<std::int32_t>(p));
            batch.ranges.insert(batch.ranges.end(), {0, static_cast<std::int32_t>(p - start + 1), 0, 0});
        }
        model.forward(batch, static_cast<int>(start), scores);
        counters.tokens_evaluated += end - start;
    }
}

// Runs whole units, as many per batch as n_batch allows, seeing KV rows [0, n_pre).
void run_units(LlamaModel& model, const clika_score_request* requests, clika_score_result* results, const std::vector<Unit>& units, int n_pre,
               ScoreCounters& counters) {
    Packer packer;
    BatchScores scores;
    auto flush = [&] {
        if (packer.size() == 0) return;
        model.forward(packer.batch(), n_pre, scores);
        packer.apply(scores, results);
        counters.tokens_evaluated += static_cast<std::uint64_t>(packer.size());
        packer.clear();
    };
    for (const Unit& u : units) {
        const std::size_t n = u.tokens(requests[u.request]);
        if (static_cast<std::size_t>(packer.size()) + n > static_cast<std::size_t>(model.n_batch())) flush();
        packer.add(u, requests[u.request]);
    }
    flush();
}

// The common checks (clika/plugin/requests.hpp), then this plugin's own limit: what one forward pass holds.
void validate(const LlamaModel& model, const clika_score_request* reqs, const clika_score_result* results, std::size_t count, bool share) {
    clika::plugin::validate_requests(reqs, results, count, {.n_vocab = model.config().vocab, .n_ctx = static_cast<std::size_t>(model.n_ctx())});
    const auto n_batch = static_cast<std::size_t>(model.n_batch());
    const std::size_t prefix = share ? reqs[0].shared_prefix : 0;
    for (std::size_t i = 0; i < count; ++i) {
        const clika_score_request& r = reqs[i];
        std::size_t longest = 0, unit = r.context.count - prefix;
        for (std::size_t j = 0; j < r.n_continuations; ++j) {
            longest = std::max(longest, r.continuations[j].count);
            unit += r.continuations[j].count;
        }
        if (share && unit > n_batch) throw std::runtime_error(fmt::format("request {}: a question is longer than --batch ({} tokens)", i, n_batch));
        if (!share && r.context.count + longest > n_batch)
            throw std::runtime_error(fmt::format("request {}: context + continuation is longer than --batch ({} tokens)", i, n_batch));
    }
}

}  // namespace

void score_requests(LlamaModel& model, const clika_score_request* requests, clika_score_result* results, std::size_t count, bool share_prefix,
                    ScoreCounters& counters) {
    if (count == 0) return;
    if (requests == nullptr || results == nullptr) throw std::runtime_error("no requests or results");
    validate(model, requests, results, count, share_prefix);
    for (std::size_t i = 0; i < count; ++i) {
        clika_score_result& res = results[i];
        for (std::size_t j = 0; j < requests[i].n_continuations; ++j) {
            res.continuation_logprob[j] = 0.0;
            res.continuation_greedy[j] = 1;
        }
        for (std::size_t k = 0; k < requests[i].n_next_ids; ++k) res.next_logprob[k] = 0.0;
        res.greedy_next = -1;
    }

    if (share_prefix) {
        const std::size_t prefix = requests[0].shared_prefix;
        evaluate_prefix(model, requests[0].context.tokens, prefix, counters);
        std::vector<Unit> units(count);
        for (std::size_t i = 0; i < count; ++i) {
            units[i].request = i;
            units[i].from = prefix;
            units[i].want_next = true;
            for (std::size_t j = 0; j < requests[i].n_continuations; ++j) units[i].continuations.push_back(j);
        }
        run_units(model, requests, results, units, static_cast<int>(prefix), counters);
        if (prefix > 0) counters.prefix_reuses += count;
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        Unit alone;
        alone.request = i;
        alone.want_next = true;
        run_units(model, requests, results, {alone}, 0, counters);
        for (std::size_t j = 0; j < requests[i].n_continuations; ++j) {
            Unit with_option;
            with_option.request = i;
            with_option.continuations = {j};
            run_units(model, requests, results, {with_option}, 0, counters);
        }
    }
}

}  // namespace clika::cuda_native
