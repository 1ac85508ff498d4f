#pragma once
// What a CPU plugin needs of one row of logits to turn it into log-probabilities: the log of the softmax normaliser,
// summed in double for a stable result, and the argmax (the first one on ties, as greedy decoding reads it).

#include <cmath>
#include <cstdint>

namespace clika::plugin {

struct RowStats {
    double log_normalizer;  // max + log(sum exp(logit - max))
    std::int32_t argmax;
};

// The first index of the largest logit: what greedy decoding picks.
[[nodiscard]] inline std::int32_t argmax(const float* logits, int n_vocab) {
    std::int32_t best = 0;
    for (int i = 1; i < n_vocab; ++i)
        if (logits[i] > logits[best]) best = i;
    return best;
}

[[nodiscard]] inline RowStats row_stats(const float* logits, int n_vocab) {
    const std::int32_t best = argmax(logits, n_vocab);
    const float max = logits[best];
    double sum = 0.0;
    for (int i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - max);
    return {static_cast<double>(max) + std::log(sum), best};
}

}  // namespace clika::plugin
