#include <cmath>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/metrics/accuracy.hpp"
#include "clika/metrics/bootstrap.hpp"
#include "clika/metrics/consistency.hpp"
#include "clika/metrics/rescaled_accuracy.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/metrics/xrr.hpp"

using namespace clika;
using Bits = std::vector<std::uint8_t>;

TEST_CASE("rescaled accuracy is zero at or below chance and one at the reference") {
    struct Row { double acc, chance, ref, expected; };
    const Row r = GENERATE(values<Row>({
        {0.50, 0.50, 0.964, 0.0},
        {0.40, 0.50, 0.964, 0.0},
        {0.964, 0.50, 0.964, 1.0},
        {0.60, 0.20, 0.746, (0.60 - 0.20) / (0.746 - 0.20)},
        {1.00, 0.25, 0.922, (1.00 - 0.25) / (0.922 - 0.25)},  // above the reference: more than 1, as in the paper
    }));
    CHECK(rescaled_accuracy(r.acc, r.chance, r.ref) == Approx(r.expected));
}

TEST_CASE("accuracy counts correct answers; no questions is NaN") {
    CHECK(accuracy(Bits{1, 0, 1, 1}) == Approx(0.75));
    CHECK(std::isnan(accuracy(Bits{})));
}

TEST_CASE("en-CO is the share of X's correct answers also correct in English") {
    CHECK(en_consistency(Bits{1, 1, 0, 0}, Bits{1, 0, 1, 0}) == Approx(0.5));
    CHECK(en_consistency(Bits{1, 1, 1, 1}, Bits{1, 0, 1, 0}) == Approx(1.0));
    CHECK(en_consistency(Bits{0, 0, 0, 0}, Bits{1, 1, 0, 0}) == Approx(0.0));
    CHECK(std::isnan(en_consistency(Bits{1, 1}, Bits{0, 0})));
}

TEST_CASE("xrr is zero at chance") {
    CHECK(cross_retrieval_ratio(100.0, 5.0) == Approx(0.0));
    CHECK(cross_retrieval_ratio(100.0, 2.0) == Approx(0.0));  // below chance is floored
}

TEST_CASE("xrr is one when everything retrieved in English is retrieved in X") {
    CHECK(cross_retrieval_ratio(Bits{1, 1, 0, 1}, Bits{1, 1, 1, 1}) == Approx(1.0));
    CHECK(cross_retrieval_ratio(Bits{1, 1, 0, 0}, Bits{1, 0, 1, 1}) == Approx((0.5 - 0.05) / 0.95));
    CHECK(cross_retrieval_ratio(200.0, 100.0, 0.25) == Approx((0.5 - 0.25) / 0.75));
    CHECK(std::isnan(cross_retrieval_ratio(Bits{0, 0}, Bits{1, 1})));
}

TEST_CASE("percentile intervals interpolate like numpy and ignore NaN") {
    Interval ci = percentile_interval({4, 1, 3, 2, 5, not_a_number}, 0.5);
    CHECK(ci.low == Approx(2.0));
    CHECK(ci.high == Approx(4.0));
    CHECK(std::isnan(percentile_interval({not_a_number}, 0.95).low));
}

TEST_CASE("splitmix64 is the published generator") {
    SplitMix64 rng(1234567);
    CHECK(rng.next() == 6457827717110365317ull);
    CHECK(rng.next() == 3203168211198807973ull);
}

namespace {

ResultSet synthetic_results(std::size_t n, std::uint64_t seed) {
    ResultSet set;
    set.model = "synthetic";
    SplitMix64 rng(seed);
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs) {
            LangResults r;
            for (std::size_t i = 0; i < n; ++i) {
                r.uuids.push_back(std::to_string(i));
                r.correct.push_back(rng.below(100) < 60 ? 1 : 0);
                r.predicted.push_back('A');
                r.gold.push_back('A');
            }
            set.put(task, lang, std::move(r));
        }
    return set;
}

}  // namespace

TEST_CASE("bootstrap intervals are reproducible from the seed and independent of the thread count") {
    const ResultSet results = synthetic_results(150, 7);
    ScoreSettings one_thread;
    one_thread.bootstrap_resamples = 300;
    one_thread.threads = 1;
    ScoreSettings three_threads = one_thread;
    three_threads.threads = 3;
    const Scorecard a = score(results, one_thread), b = score(results, three_threads);
    for (std::size_t k = 0; k < Metrics::size; ++k) {
        if (std::isnan(a.low[k])) { CHECK(std::isnan(b.low[k])); continue; }
        CHECK(a.low[k] == b.low[k]);
        CHECK(a.high[k] == b.high[k]);
    }
    ScoreSettings other_seed = one_thread;
    other_seed.seed += 1;
    const Scorecard c = score(results, other_seed);
    CHECK(c.low.level_ra(Level::basic, index(Lang::en)) != a.low.level_ra(Level::basic, index(Lang::en)));
}

TEST_CASE("bootstrap intervals contain the point estimate and narrow with more questions") {
    ScoreSettings settings;
    settings.bootstrap_resamples = 400;
    const Scorecard small = score(synthetic_results(60, 3), settings);
    const Scorecard large = score(synthetic_results(2000, 3), settings);
    for (const Scorecard* card : {&small, &large})
        for (Task task : multiple_choice_tasks)
            for (Lang lang : all_langs) {
                CHECK(card->low.accuracy(task, lang) <= card->point.accuracy(task, lang));
                CHECK(card->point.accuracy(task, lang) <= card->high.accuracy(task, lang));
            }
    const double small_width = small.high.accuracy(Task::x_geo, Lang::de) - small.low.accuracy(Task::x_geo, Lang::de);
    const double large_width = large.high.accuracy(Task::x_geo, Lang::de) - large.low.accuracy(Task::x_geo, Lang::de);
    CHECK(large_width < small_width / 3);
}

TEST_CASE("levels average their two tasks and others averages the eight middle languages") {
    ResultSet set;
    // x_geo: en all correct; de half; x_name: en all correct; de all correct.
    set.put(Task::x_geo, Lang::en, LangResults{"", {"1", "2", "3", "4"}, {1, 1, 1, 1}, {}, {}});
    set.put(Task::x_geo, Lang::de, LangResults{"", {"1", "2", "3", "4"}, {1, 0, 1, 0}, {}, {}});
    set.put(Task::x_name, Lang::en, LangResults{"", {"1", "2", "3", "4"}, {1, 1, 1, 1}, {}, {}});
    set.put(Task::x_name, Lang::de, LangResults{"", {"1", "2", "3", "4"}, {1, 1, 1, 1}, {}, {}});
    ScoreSettings settings;
    settings.bootstrap_resamples = 0;
    const Scorecard card = score(set, settings);
    const double geo_de = rescaled_accuracy(0.5, 0.25, 0.97), name_de = rescaled_accuracy(1.0, 0.25, 0.922);
    CHECK(card.point.level_ra(Level::factual, index(Lang::de)) == Approx((geo_de + name_de) / 2));
    CHECK(card.point.level_ra(Level::factual, others_column) == Approx((geo_de + name_de) / 2));  // only de present
    CHECK(card.point.level_en_co(Level::factual, index(Lang::de)) == Approx(1.0));
    CHECK(std::isnan(card.point.level_ra(Level::basic, index(Lang::en))));  // basic tasks absent: no number, not zero
}
