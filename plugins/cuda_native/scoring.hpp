#pragma once
// score() of the plugin ABI on a LlamaModel: packs questions into batches, runs them, and adds the results up.
//
// Shared path (share_prefix = 1): the prefix every request of the call shares is evaluated once into KV rows
// [0, prefix) (in n_batch-sized pieces). Then whole questions fill batches: a question's own context tokens once, each
// continuation after them; context tokens attend to the prefix and to their context so far, continuation tokens also
// to their own continuation so far. Only scored rows get logits: the last context token (next-token ids, first tokens
// of the continuations, the greedy next token) and every continuation token but the last.
// Reference path (share_prefix = 0): per request the context alone, then context + continuation alone for each
// continuation, each from an empty cache, no reuse (as llama.cpp's plugin does): both paths give the same numbers.

#include <cstddef>
#include <cstdint>

#include "clika/plugin_abi.h"
#include "llama_model.hpp"

namespace clika::cuda_native {

struct ScoreCounters {
    std::uint64_t tokens_evaluated = 0;
    std::uint64_t prefix_reuses = 0;
};

// Checks every request (token ids, lengths against n_ctx and n_batch, the shared-prefix promise) before any work;
// throws std::runtime_error naming the request. Writes every result array.
void score_requests(LlamaModel& model, const clika_score_request* requests, clika_score_result* results, std::size_t count,
                    bool share_prefix, ScoreCounters& counters);

}  // namespace clika::cuda_native
