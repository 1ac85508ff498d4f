#pragma once
// IEEE 754 binary16 and bfloat16 conversions, by hand, rounding to nearest even: one copy for every plugin and tool
// (GGUF weights, cuda_native's logits and GEMM inputs). Depends on nothing but the standard library.

#include <bit>
#include <cstdint>

namespace clika::half {

[[nodiscard]] constexpr std::uint16_t f32_to_f16(float value) noexcept {
    const auto x = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t exponent = (x >> 23) & 0xffu;
    std::uint32_t mantissa = x & 0x7fffffu;
    if (exponent == 0xff) {  // inf stays inf; NaN stays a (quiet) NaN keeping the top payload bits
        return static_cast<std::uint16_t>(sign | 0x7c00u | (mantissa != 0 ? 0x200u | (mantissa >> 13) : 0u));
    }
    const int e = static_cast<int>(exponent) - 127 + 15;
    if (e >= 0x1f) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow: inf
    if (e <= 0) {                                                       // subnormal half (or zero)
        if (e < -10) return sign;                                      // below half the smallest subnormal
        mantissa |= 0x800000u;                                         // the implicit bit
        const auto shift = static_cast<std::uint32_t>(14 - e);         // 14..24
        std::uint32_t half = mantissa >> shift;
        const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
        const std::uint32_t halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (half & 1u) != 0)) ++half;  // may carry into the smallest normal
        return static_cast<std::uint16_t>(sign | half);
    }
    std::uint32_t half = (static_cast<std::uint32_t>(e) << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u) != 0)) ++half;  // a carry may round up to inf, as it should
    return static_cast<std::uint16_t>(sign | half);
}

[[nodiscard]] constexpr float f16_to_f32(std::uint16_t h) noexcept {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits = 0;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {  // subnormal half: normalise
        std::uint32_t e = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
    return std::bit_cast<float>(bits);
}

[[nodiscard]] constexpr std::uint16_t f32_to_bf16(float value) noexcept {
    const auto x = std::bit_cast<std::uint32_t>(value);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);  // quiet NaN
    return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

[[nodiscard]] constexpr float bf16_to_f32(std::uint16_t b) noexcept { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

}  // namespace clika::half
