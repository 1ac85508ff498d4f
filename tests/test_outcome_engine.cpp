// The one scoring engine (metrics/outcome_engine.hpp) and the resampling streams each scorecard documents: the
// intervals below are recomputed here from the documented stream rule, independently of the engine's code.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "clika/metrics/conductivity.hpp"
#include "clika/metrics/family_scorecard.hpp"
#include "clika/metrics/outcome_engine.hpp"
#include "clika/metrics/scorecard.hpp"

using namespace clika;

namespace {

std::vector<std::uint8_t> outcomes(std::size_t n, std::uint64_t seed, std::size_t percent_right) {
    SplitMix64 rng(seed);
    std::vector<std::uint8_t> out(n);
    for (auto& o : out) o = rng.below(100) < percent_right ? 1 : 0;
    return out;
}

// The documented rule, written out: resample b counts how often each of n positions is drawn from `stream`.
std::vector<std::uint32_t> documented_draws(std::uint64_t seed, std::size_t b, std::uint64_t stream, std::size_t n) {
    SplitMix64 rng(resample_seed(seed, b, stream));
    std::vector<std::uint32_t> counts(n, 0);
    for (std::size_t i = 0; i < n; ++i) ++counts[rng.below(n)];
    return counts;
}

// The interval of accuracy of `correct`, each resample drawn from `stream`.
Interval documented_accuracy_interval(const std::vector<std::uint8_t>& correct, std::uint64_t stream, const ScoringSettings& s) {
    std::vector<double> samples;
    for (std::size_t b = 0; b < s.bootstrap_resamples; ++b) {
        const std::vector<std::uint32_t> k = documented_draws(s.seed, b, stream, correct.size());
        double right = 0, n = 0;
        for (std::size_t i = 0; i < correct.size(); ++i) {
            right += k[i] * correct[i];
            n += k[i];
        }
        samples.push_back(right / n);
    }
    return percentile_interval(samples, s.confidence);
}

LangResults lang_results(const std::vector<std::uint8_t>& correct) {
    LangResults r;
    r.source = "synthetic";
    for (std::size_t i = 0; i < correct.size(); ++i) r.uuids.push_back(fmt::format("q{}", i));
    r.correct = correct;
    return r;
}

}  // namespace

TEST_CASE("CLiKA's scorecard resamples task t from stream t, the same questions for every language") {
    ScoreSettings settings;
    settings.bootstrap_resamples = 200;
    ResultSet results;
    results.model = "synthetic";
    const auto geo_de = outcomes(150, 3, 60), name_ja = outcomes(120, 4, 40);
    results.put(Task::x_geo, Lang::en, lang_results(outcomes(150, 1, 80)));
    results.put(Task::x_geo, Lang::de, lang_results(geo_de));
    results.put(Task::x_name, Lang::en, lang_results(outcomes(120, 2, 70)));
    results.put(Task::x_name, Lang::ja, lang_results(name_ja));
    const Scorecard card = score(results, settings);
    const Interval geo = documented_accuracy_interval(geo_de, static_cast<std::uint64_t>(Task::x_geo), settings);
    const Interval name = documented_accuracy_interval(name_ja, static_cast<std::uint64_t>(Task::x_name), settings);
    CHECK(card.low.accuracy(Task::x_geo, Lang::de) == geo.low);
    CHECK(card.high.accuracy(Task::x_geo, Lang::de) == geo.high);
    CHECK(card.low.accuracy(Task::x_name, Lang::ja) == name.low);
    CHECK(card.high.accuracy(Task::x_name, Lang::ja) == name.high);
}

TEST_CASE("a family resamples from stream f << 16 when parallel, (f << 16) + l + 1 per language when not") {
    FamilySettings settings;
    settings.bootstrap_resamples = 200;
    auto lang = [](std::string code, std::vector<std::uint8_t> correct) {
        FamilyLang l;
        l.lang = std::move(code);
        for (std::size_t i = 0; i < correct.size(); ++i) {
            l.doc_ids.push_back(fmt::format("{}", i));
            l.option_scores.push_back({-1.0, -2.0});
        }
        l.correct = std::move(correct);
        return l;
    };
    const auto de = outcomes(90, 5, 55), fr = outcomes(70, 6, 65);
    Family parallel{.name = "parallel", .option_count = 2, .langs = {lang("en", outcomes(90, 7, 75)), lang("de", de)}};
    Family not_parallel{.name = "uneven", .option_count = 2, .langs = {lang("en", outcomes(80, 8, 75)), lang("fr", fr)}};
    const std::vector<FamilyScore> scores = score_families({not_parallel, parallel}, settings);  // sorted: parallel is family 0
    const Interval de_ci = documented_accuracy_interval(de, 0, settings);
    const Interval fr_ci = documented_accuracy_interval(fr, (std::uint64_t{1} << 16) + 1 + 1, settings);  // "fr" sorts after "en"
    REQUIRE(scores[0].find("de") != nullptr);
    REQUIRE(scores[1].find("fr") != nullptr);
    CHECK(scores[0].find("de")->accuracy.ci.low == de_ci.low);
    CHECK(scores[0].find("de")->accuracy.ci.high == de_ci.high);
    CHECK(scores[1].find("fr")->accuracy.ci.low == fr_ci.low);
    CHECK(scores[1].find("fr")->accuracy.ci.high == fr_ci.high);
}

TEST_CASE("XRR resamples facts from stream 0xCD and is the chance-rescaled share of English's facts also right in X") {
    ConductivitySettings settings;
    settings.bootstrap_resamples = 300;
    const auto english = outcomes(60, 9, 85), other = outcomes(60, 10, 60);
    ConductivityLang out;
    xrr_with_interval(english, other, 0.05, settings, out);
    std::vector<double> samples;
    for (std::size_t b = 0; b < settings.bootstrap_resamples; ++b) {
        const std::vector<std::uint32_t> k = documented_draws(settings.seed, b, 0xCD, english.size());
        double e = 0, both = 0;
        for (std::size_t i = 0; i < english.size(); ++i) {
            e += k[i] * english[i];
            both += k[i] * (english[i] & other[i]);
        }
        samples.push_back(cross_retrieval_ratio(e, both, 0.05));
    }
    const Interval ci = percentile_interval(samples, settings.confidence);
    CHECK(out.xrr == cross_retrieval_ratio(std::span<const std::uint8_t>(english), std::span<const std::uint8_t>(other), 0.05));
    CHECK(out.xrr_ci.low == ci.low);
    CHECK(out.xrr_ci.high == ci.high);
}

TEST_CASE("cells of one stream and size draw the same questions; another stream draws others") {
    ScoringSettings settings;
    settings.bootstrap_resamples = 50;
    const auto same = outcomes(40, 11, 50);
    const std::vector<OutcomeCell> cells{{.correct = same, .chance = 0.5, .stream = 3}, {.correct = same, .chance = 0.5, .stream = 3},
                                         {.correct = same, .chance = 0.5, .stream = 4}};
    const Bootstrapped numbers = bootstrap_cells(cells, 3, settings, [](std::span<const CellEstimates> e, std::span<double> out) {
        for (std::size_t c = 0; c < 3; ++c) out[c] = e[c].accuracy;
    });
    CHECK(numbers.resampled(0) == numbers.resampled(1));
    CHECK(numbers.resampled(0) != numbers.resampled(2));
    CHECK(numbers.point[0] == numbers.point[2]);
}

TEST_CASE("a family's acc_norm is scored with its interval where its languages carry acc_norm outcomes, and absent where not") {
    FamilySettings settings;
    settings.bootstrap_resamples = 100;
    FamilyLang en{.lang = "en", .doc_ids = {"0", "1", "2", "3"}, .correct = {1, 0, 1, 0}, .option_scores = {{-1, -2}, {-1, -2}, {-1, -2}, {-1, -2}},
                  .correct_norm = {1, 1, 1, 0}};
    FamilyLang de = en;
    de.lang = "de";
    de.correct_norm.clear();
    const FamilyScore score = score_family(Family{.name = "f", .option_count = 2, .langs = {en, de}}, 0, settings);
    const FamilyLangScore& scored_en = *score.find("en");
    CHECK(scored_en.acc_norm.value == 0.75);
    CHECK(scored_en.acc_norm.ci.low <= 0.75);
    CHECK(scored_en.acc_norm.ci.high >= 0.75);
    CHECK(scored_en.accuracy.value == 0.5);
    CHECK(std::isnan(score.find("de")->acc_norm.value));
}
