// The CPU reference of the fused log-probability kernel (plugins/cuda_native/logprob_reference.hpp) against a naive
// double-precision log-softmax. Runs everywhere (no CUDA needed).

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "logprob_reference.hpp"

using namespace clika::cuda_native;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// The textbook formula, written independently: log_softmax(x)_i = x_i - log(sum_j exp(x_j)), via the max for range.
std::vector<double> naive_log_softmax(const std::vector<double>& x) {
    double m = -inf;
    for (double v : x) m = v > m ? v : m;
    double sum = 0;
    for (double v : x) sum += std::exp(v - m);
    std::vector<double> out;
    for (double v : x) out.push_back(v - m - std::log(sum));
    return out;
}

std::int32_t naive_argmax(const std::vector<double>& x) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        if (x[i] > x[best]) best = i;
    return static_cast<std::int32_t>(best);
}

struct Row {
    std::vector<double> logprob;
    RowSummary summary;
};

Row run(const std::vector<float>& x, const std::vector<std::int32_t>& targets) {
    Row r;
    r.logprob.resize(targets.size());
    r.summary = logprob_row_reference(x.data(), LogitType::f32, x.size(), targets, r.logprob.data());
    return r;
}

}  // namespace

TEST_CASE("logprob reference: hand-computed rows", "[cuda_native][logprob]") {
    SECTION("uniform row: every token has log p = -log V") {
        const Row r = run({0.5f, 0.5f, 0.5f, 0.5f}, {0, 3});
        CHECK(r.logprob[0] == Approx(-std::log(4.0)).margin(1e-15));
        CHECK(r.logprob[1] == Approx(-std::log(4.0)).margin(1e-15));
        CHECK(r.summary.argmax == 0);  // a tie: the first index
        CHECK(r.summary.log_normalizer() == Approx(0.5 + std::log(4.0)));
    }
    SECTION("two tokens: log p = -log(1 + e^-d)") {
        const Row r = run({2.0f, 0.0f}, {0, 1});
        CHECK(r.logprob[0] == Approx(-std::log1p(std::exp(-2.0))).margin(1e-15));
        CHECK(r.logprob[1] == Approx(-2.0 - std::log1p(std::exp(-2.0))).margin(1e-15));
        CHECK(r.summary.argmax == 0);
    }
    SECTION("the same target twice, and a target list in any order") {
        const Row r = run({1.0f, 3.0f, 2.0f}, {2, 1, 2});
        const double z = std::log(std::exp(1.0) + std::exp(3.0) + std::exp(2.0));
        CHECK(r.logprob[0] == Approx(2.0 - z).margin(1e-15));
        CHECK(r.logprob[1] == Approx(3.0 - z).margin(1e-15));
        CHECK(r.logprob[2] == r.logprob[0]);
        CHECK(r.summary.argmax == 1);
    }
    SECTION("no targets still gives the argmax") {
        const Row r = run({-1.0f, 7.0f, 7.0f, 6.5f}, {});
        CHECK(r.summary.argmax == 1);
    }
}

TEST_CASE("logprob reference: argmax ties go to the first index", "[cuda_native][logprob]") {
    std::vector<float> x(1000, -3.0f);
    x[999] = 5.0f;
    x[500] = 5.0f;
    x[17] = 5.0f;
    CHECK(run(x, {}).summary.argmax == 17);
    x[3] = 5.0f;
    CHECK(run(x, {}).summary.argmax == 3);
    std::vector<float> all_equal(32000, 1.25f);
    CHECK(run(all_equal, {}).summary.argmax == 0);
}

TEST_CASE("logprob reference: large and small magnitudes stay exact", "[cuda_native][logprob]") {
    SECTION("large logits (a naive exp would overflow)") {
        const Row r = run({1000.0f, 999.0f, 998.0f}, {0, 1, 2});
        const double z = std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
        CHECK(r.logprob[0] == Approx(-z).margin(1e-12));
        CHECK(r.logprob[1] == Approx(-1.0 - z).margin(1e-12));
        CHECK(r.logprob[2] == Approx(-2.0 - z).margin(1e-12));
    }
    SECTION("very negative logits (a naive exp would underflow to 0)") {
        const Row r = run({-1000.0f, -1001.0f}, {0, 1});
        CHECK(r.logprob[0] == Approx(-std::log1p(std::exp(-1.0))).margin(1e-12));
        CHECK(r.logprob[1] == Approx(-1.0 - std::log1p(std::exp(-1.0))).margin(1e-12));
    }
    SECTION("tiny differences survive") {
        const Row r = run({1e-6f, 0.0f}, {0, 1});
        CHECK(r.logprob[0] - r.logprob[1] == Approx(static_cast<double>(1e-6f)).epsilon(1e-9));
    }
    SECTION("a dominant token has log p close to 0, the rest far below") {
        std::vector<float> x(50000, 0.0f);
        x[123] = 80.0f;
        const Row r = run(x, {123, 0});
        CHECK(r.logprob[0] == Approx(-49999.0 * std::exp(-80.0)).margin(1e-25));
        CHECK(r.logprob[1] == Approx(-80.0).margin(1e-12));
        CHECK(r.summary.argmax == 123);
    }
}

TEST_CASE("logprob reference: -inf logits have probability 0", "[cuda_native][logprob]") {
    const float ninf = -std::numeric_limits<float>::infinity();
    const Row r = run({ninf, 0.0f, ninf, 0.0f}, {0, 1, 3});
    CHECK(std::isinf(r.logprob[0]));
    CHECK(r.logprob[0] < 0);
    CHECK(r.logprob[1] == Approx(-std::log(2.0)).margin(1e-15));
    CHECK(r.logprob[2] == Approx(-std::log(2.0)).margin(1e-15));
    CHECK(r.summary.argmax == 1);
    const Row all = run({ninf, ninf, ninf}, {});
    CHECK(all.summary.argmax == 0);
}

TEST_CASE("logprob reference: targets outside the vocabulary give NaN", "[cuda_native][logprob]") {
    const Row r = run({0.0f, 1.0f}, {-1, 2, 1});
    CHECK(std::isnan(r.logprob[0]));
    CHECK(std::isnan(r.logprob[1]));
    CHECK_FALSE(std::isnan(r.logprob[2]));
}

TEST_CASE("logprob reference: random rows of every logit type match the naive log-softmax", "[cuda_native][logprob]") {
    std::mt19937_64 rng(20240404);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    for (LogitType type : {LogitType::f32, LogitType::bf16, LogitType::f16}) {
        for (std::size_t vocab : {std::size_t{1}, std::size_t{7}, std::size_t{32000}, std::size_t{32001}}) {
            CAPTURE(static_cast<int>(type), vocab);
            const std::size_t rows = 3, ld = vocab + 5;
            // Storage of the chosen type; `values` holds exactly what is stored, as doubles.
            std::vector<std::uint16_t> halves(rows * ld);
            std::vector<float> floats(rows * ld);
            std::vector<std::vector<double>> values(rows);
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t i = 0; i < vocab; ++i) {
                    float v = normal(rng);
                    if (i % 97 == 13) v = -std::numeric_limits<float>::infinity();
                    if (type == LogitType::f32) floats[r * ld + i] = v;
                    else {
                        halves[r * ld + i] = type == LogitType::bf16 ? clika::half::f32_to_bf16(v) : clika::half::f32_to_f16(v);
                        v = type == LogitType::bf16 ? clika::half::bf16_to_f32(halves[r * ld + i]) : clika::half::f16_to_f32(halves[r * ld + i]);
                    }
                    values[r].push_back(v);
                }
            // Row r asks for r + 1 targets (row 0: the argmax; others spread over the vocabulary).
            std::vector<std::int32_t> offsets{0}, targets;
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t k = 0; k <= r; ++k) targets.push_back(static_cast<std::int32_t>((k * 7919 + r * 104729) % vocab));
                offsets.push_back(static_cast<std::int32_t>(targets.size()));
            }
            std::vector<double> got(targets.size());
            std::vector<std::int32_t> argmax(rows);
            const void* data = type == LogitType::f32 ? static_cast<const void*>(floats.data()) : static_cast<const void*>(halves.data());
            logprob_rows_reference(data, type, rows, vocab, ld, offsets.data(), targets.data(), got.data(), argmax.data());
            for (std::size_t r = 0; r < rows; ++r) {
                const std::vector<double> expected = naive_log_softmax(values[r]);
                CHECK(argmax[r] == naive_argmax(values[r]));
                for (auto k = static_cast<std::size_t>(offsets[r]); k < static_cast<std::size_t>(offsets[r + 1]); ++k) {
                    const double e = expected[static_cast<std::size_t>(targets[k])];
                    if (std::isinf(e)) CHECK(got[k] == e);
                    else CHECK(got[k] == Approx(e).margin(1e-12));
                }
            }
        }
    }
}

TEST_CASE("logprob reference: half conversions round to nearest even", "[cuda_native][logprob]") {
    CHECK(clika::half::bf16_to_f32(clika::half::f32_to_bf16(1.0f)) == 1.0f);
    CHECK(clika::half::f32_to_bf16(1.00390625f) == 0x3f80);  // halfway between 1 and 1 + 2^-7: ties to even (down)
    CHECK(clika::half::f32_to_bf16(1.01171875f) == 0x3f82);  // halfway between 1 + 2^-7 and 1 + 2^-6: up to even
    CHECK(clika::half::f16_to_f32(clika::half::f32_to_f16(65504.0f)) == 65504.0f);
    CHECK(clika::half::f32_to_f16(1e6f) == 0x7c00);  // overflow to inf
    CHECK(clika::half::f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(std::isinf(clika::half::bf16_to_f32(clika::half::f32_to_bf16(-std::numeric_limits<float>::infinity()))));
}
