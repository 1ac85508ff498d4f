#pragma once
// The CPU reference of the fused log-probability kernel (logprob_kernel.cuh): plain C++, no CUDA, usable anywhere.
//
// For each row of logits [rows x vocab] (FP32, BF16 or FP16, rows `ld` elements apart) and a list of target token ids
// per row (CSR: targets[offsets[r] .. offsets[r+1])), computes
//     log p(target) = (x[target] - max) - log(sum_i exp(x[i] - max))        in double precision
// and the row's argmax: the FIRST index holding the largest value (NaNs are ignored; a row of -inf or NaN only gives
// index 0). -inf logits are allowed (p = 0, log p = -inf); +inf and NaN logits make the row's numbers NaN.
// A target outside [0, vocab) gives NaN.

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "clika/half.hpp"
#include "logit_type.hpp"

namespace clika::cuda_native {

// Element i of a row stored as `type`.
[[nodiscard]] inline float load_logit(const void* row, LogitType type, std::size_t i) noexcept {
    switch (type) {
        case LogitType::f32: return static_cast<const float*>(row)[i];
        case LogitType::bf16: return clika::half::bf16_to_f32(static_cast<const std::uint16_t*>(row)[i]);
        case LogitType::f16: return clika::half::f16_to_f32(static_cast<const std::uint16_t*>(row)[i]);
    }
    return std::numeric_limits<float>::quiet_NaN();
}

struct RowSummary {
    std::int32_t argmax = 0;
    double max = -std::numeric_limits<double>::infinity();  // the largest logit
    double log_sum = 0;                                      // log sum_i exp(x[i] - max)
    [[nodiscard]] double log_normalizer() const noexcept { return max + log_sum; }
};

// One row: writes log p of each target to out[k] and returns the row's summary.
template <class Out>
RowSummary logprob_row_reference(const void* row, LogitType type, std::size_t vocab, std::span<const std::int32_t> targets, Out* out) {
    RowSummary s;
    bool have_best = false;
    double best = 0;
    for (std::size_t i = 0; i < vocab; ++i) {
        const double x = load_logit(row, type, i);
        if (std::isnan(x)) continue;
        if (!have_best || x > best) {
            best = x;
            s.argmax = static_cast<std::int32_t>(i);
            have_best = true;
        }
    }
    s.max = have_best ? best : std::numeric_limits<double>::quiet_NaN();
    double sum = 0;
    for (std::size_t i = 0; i < vocab; ++i) {
        const double x = load_logit(row, type, i);
        sum += std::isinf(x) && x < 0 ? 0.0 : std::exp(x - s.max);
    }
    s.log_sum = std::log(sum);
    for (std::size_t k = 0; k < targets.size(); ++k) {
        const std::int32_t t = targets[k];
        if (t < 0 || static_cast<std::size_t>(t) >= vocab) {
            out[k] = static_cast<Out>(std::numeric_limits<double>::quiet_NaN());
            continue;
        }
        const double x = load_logit(row, type, static_cast<std::size_t>(t));
        out[k] = static_cast<Out>((x - s.max) - s.log_sum);
    }
    return s;
}

// Every row: target_logprob[offsets[r] + k] = log p(targets[offsets[r] + k] | row r); row_argmax[r] (may be null).
template <class Out>
void logprob_rows_reference(const void* logits, LogitType type, std::size_t rows, std::size_t vocab, std::size_t ld,
                            const std::int32_t* offsets, const std::int32_t* targets, Out* target_logprob, std::int32_t* row_argmax) {
    const auto* base = static_cast<const unsigned char*>(logits);
    for (std::size_t r = 0; r < rows; ++r) {
        const void* row = base + r * ld * logit_bytes(type);
        const auto first = static_cast<std::size_t>(offsets[r]);
        const auto count = static_cast<std::size_t>(offsets[r + 1] - offsets[r]);
        const RowSummary s = logprob_row_reference(row, type, vocab, std::span<const std::int32_t>(targets + first, count), target_logprob + first);
        if (row_argmax != nullptr) row_argmax[r] = s.argmax;
    }
}

}  // namespace clika::cuda_native
