#pragma once
// The element types of logits the log-probability kernel and its CPU reference read (C++17: included by .cu files).

#include <cstddef>

namespace clika::cuda_native {

enum class LogitType : int { f32 = 0, bf16 = 1, f16 = 2 };

[[nodiscard]] constexpr std::size_t logit_bytes(LogitType t) noexcept { return t == LogitType::f32 ? 4 : 2; }

}  // namespace clika::cuda_native
