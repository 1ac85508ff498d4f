#pragma once
// The project's one random generator: the bootstrap resamples with it, and the tools draw test-model weights and
// fictional worlds from it, so that a seed means the same numbers on every platform.

#include <cstddef>
#include <cstdint>

namespace clika {

// splitmix64: tiny, fast, and fully specified, unlike std::*_distribution whose output varies by library.
class SplitMix64 {
public:
    explicit constexpr SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}

    constexpr std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, n) by multiply-shift; the bias is below 2^-32 for the sizes resampled here.
    constexpr std::size_t below(std::size_t n) noexcept {
        return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }

private:
    std::uint64_t state_;
};

}  // namespace clika
