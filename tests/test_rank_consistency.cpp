#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/metrics/rank_consistency.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/json.hpp"
#include "clika/report/tables.hpp"
#include "test_support.hpp"

using namespace clika;

TEST_CASE("rank weights are softmax of N..1") {
    const std::vector<double> w = rank_weights(3);
    const double e = std::exp(1.0), total = e * e + e + 1.0;
    CHECK(w[0] == Approx(e * e / total));
    CHECK(w[1] == Approx(e / total));
    CHECK(w[2] == Approx(1.0 / total));
}

TEST_CASE("rankc of a hand-computed fixture") {
    // Question 1, N = 3: pivot ranks options 0 > 1 > 2, X ranks 1 > 0 > 2.
    //   w = softmax(3, 2, 1) = (e^2, e, 1) / (e^2 + e + 1)
    //   P@1 = |{1} ∩ {0}| / 1 = 0, P@2 = |{1,0} ∩ {0,1}| / 2 = 1, P@3 = 1
    //   RankC_1 = (e + 1) / (e^2 + e + 1) = 3.718282 / 11.107338 = 0.3347590
    // Question 2: the same ranking in both: RankC_2 = 1.
    // RankC = (0.3347590 + 1) / 2 = 0.6673795.
    const std::vector<std::vector<double>> pivot{{-1.0, -2.0, -3.0}, {-0.5, -0.1, -9.0}};
    const std::vector<std::vector<double>> other{{-2.0, -1.0, -3.0}, {-1.5, -1.0, -7.0}};
    CHECK(question_rank_consistency(other[0], pivot[0]) == Approx(0.3347590442));
    CHECK(question_rank_consistency(other[1], pivot[1]) == Approx(1.0));
    CHECK(rank_consistency(other, pivot) == Approx(0.6673795221));
    CHECK(rank_consistency(pivot, other) == Approx(0.6673795221));  // symmetric
}

TEST_CASE("rankc of reversed rankings over four options counts only the overlap of the lower places") {
    // Pivot 0 > 1 > 2 > 3, X 3 > 2 > 1 > 0: P@1 = 0, P@2 = 0, P@3 = |{3,2,1} ∩ {0,1,2}| / 3 = 2/3, P@4 = 1;
    // w = (e^3, e^2, e, 1) / 31.192868, so RankC = (2/3 e + 1) / 31.192868 = 0.0901548.
    const std::vector<double> pivot{-1.0, -2.0, -3.0, -4.0}, other{-4.0, -3.0, -2.0, -1.0};
    CHECK(question_rank_consistency(other, pivot) == Approx(0.0901548158));
}

TEST_CASE("rankc ranks equal scores in option order, as argmax does") {
    CHECK(option_ranking(std::vector<double>{-1.0, -1.0, -0.5}) == std::vector<std::size_t>{2, 0, 1});
    CHECK(std::isnan(question_rank_consistency(std::vector<double>{-1.0}, std::vector<double>{-1.0, -2.0})));
}

namespace {

LangResults run_lang(std::vector<std::string> uuids, std::vector<std::uint8_t> correct, std::vector<std::vector<double>> scores) {
    LangResults r;
    r.uuids = std::move(uuids);
    r.correct = std::move(correct);
    r.option_scores = std::move(scores);
    r.predicted.assign(r.uuids.size(), 'A');
    r.gold.assign(r.uuids.size(), 'A');
    return r;
}

}  // namespace

TEST_CASE("clika score reports rankc against English per task and language for runs with option scores") {
    // x_geo, two questions; German lists them in the other order, so alignment by uuid matters.
    //   q1: en -1 > -2 > -3 > -4, de the same ranking: RankC 1.
    //   q2: en ranks 1 > 2 > 3 > 0, de ranks 3 > 2 > 1 > 0: P@1 0, P@2 1/2, P@3 1, P@4 1;
    //       RankC = (e^2 / 2 + e + 1) / (e^3 + e^2 + e + 1) = 0.2376443.
    //   RankC(de) = (1 + 0.2376443) / 2 = 0.6188222.
    ResultSet results;
    results.model = "fixture";
    results.put(Task::x_geo, Lang::en, run_lang({"q1", "q2"}, {1, 1}, {{-1, -2, -3, -4}, {-4, -1, -2, -3}}));
    results.put(Task::x_geo, Lang::de, run_lang({"q2", "q1"}, {0, 1}, {{-4, -3, -2, -1}, {-1, -2, -3, -4}}));
    ScoreSettings settings;
    settings.bootstrap_resamples = 200;
    const Scorecard card = score(results, settings);
    CHECK(card.point.rank_c(Task::x_geo, Lang::de) == Approx(0.6188221655));
    CHECK(std::isnan(card.point.rank_c(Task::x_geo, Lang::en)));
    CHECK(card.low.rank_c(Task::x_geo, Lang::de) >= 0.2376443 - 1e-9);
    CHECK(card.high.rank_c(Task::x_geo, Lang::de) <= 1.0 + 1e-9);
    CHECK(card.low.rank_c(Task::x_geo, Lang::de) < card.high.rank_c(Task::x_geo, Lang::de));

    const report::Json json = report::to_json(card);
    CHECK(json["tasks"]["x_geo"]["de"]["rank_c"].get<double>() == Approx(0.6188221655));
    CHECK(json["tasks"]["x_geo"]["de"]["rank_c_ci"].is_array());
    CHECK(report::to_csv(card).find("rank_c,x_geo,de,0.618822") != std::string::npos);
    CHECK(report::to_table(card).find("RankC against en") != std::string::npos);
    CHECK(report::to_markdown(card).find("RankC against en") != std::string::npos);
}

TEST_CASE("rankc intervals come from the same resamples as accuracy") {
    // Same draws: a question drawn more often moves accuracy and RankC together, so with both outcomes and RankC
    // perfectly tied to the question, the two intervals are the same function of the draws.
    ResultSet results;
    results.model = "fixture";
    // q1: de correct and ranks like en (RankC 1); q2: de wrong and ranks 3 > 2 > 1 > 0 against en 0 > 1 > 2 > 3.
    results.put(Task::x_geo, Lang::en, run_lang({"q1", "q2"}, {1, 1}, {{-1, -2, -3, -4}, {-1, -2, -3, -4}}));
    results.put(Task::x_geo, Lang::de, run_lang({"q1", "q2"}, {1, 0}, {{-1, -2, -3, -4}, {-4, -3, -2, -1}}));
    ScoreSettings settings;
    settings.bootstrap_resamples = 300;
    const Scorecard card = score(results, settings);
    // RankC = acc + (1 - acc) * 0.0901548 for every resample, so the bounds map onto each other.
    const double r = 0.0901548158;
    CHECK(card.low.rank_c(Task::x_geo, Lang::de) == Approx(card.low.accuracy(Task::x_geo, Lang::de) * (1 - r) + r));
    CHECK(card.high.rank_c(Task::x_geo, Lang::de) == Approx(card.high.accuracy(Task::x_geo, Lang::de) * (1 - r) + r));
}

TEST_CASE("run predictions keep their option scores and published ones report no rankc") {
    const fs::path dir = test::scratch_dir("rank_c_predictions");
    const fs::path file = dir / "predictions.jsonl";
    test::write_file(file, R"({"id": 0, "input": "x", "res": "B", "label": "A", "uuid": 5, "scores": [-1.0, -0.5, -2.0, -3.0]})" "\n");
    const LangResults r = load_predictions(file, Task::x_geo);
    REQUIRE(r.option_scores.size() == 1);
    CHECK(r.option_scores[0] == std::vector<double>{-1.0, -0.5, -2.0, -3.0});
    test::write_file(file, R"({"id": 0, "input": "x", "res": "B", "label": "A", "uuid": 5, "scores": [-1.0, -0.5]})" "\n");
    REQUIRE_THROWS_WITH(load_predictions(file, Task::x_geo), Catch::Contains(":1: field \"scores\": holds 2 scores for 4 options"));

    ScoreSettings settings;
    settings.bootstrap_resamples = 0;
    const Scorecard card = score(load_published(test::data_dir(), "llama_13b", std::array{Task::x_geo}), settings);
    CHECK(std::isnan(card.point.rank_c(Task::x_geo, Lang::de)));
    CHECK_FALSE(report::to_json(card)["tasks"]["x_geo"]["de"].contains("rank_c"));
}

TEST_CASE("option scores add rankc without moving any other estimate or interval") {
    auto results_with = [](bool scores) {
        ResultSet results;
        results.model = "fixture";
        const std::vector<std::string> ids{"a", "b", "c", "d", "e", "f"};
        std::vector<std::vector<double>> en_scores, de_scores;
        for (int i = 0; i < 6; ++i) {
            en_scores.push_back({-1.0 * i, -2.0, -3.0, -0.5 * i});
            de_scores.push_back({-2.0, -1.0 * i, -3.0, -4.0});
        }
        results.put(Task::x_name, Lang::en, run_lang(ids, {1, 1, 0, 1, 0, 1}, scores ? en_scores : std::vector<std::vector<double>>{}));
        results.put(Task::x_name, Lang::de, run_lang(ids, {1, 0, 0, 1, 1, 1}, scores ? de_scores : std::vector<std::vector<double>>{}));
        return results;
    };
    ScoreSettings settings;
    settings.bootstrap_resamples = 300;
    const Scorecard with = score(results_with(true), settings), without = score(results_with(false), settings);
    CHECK(std::isfinite(with.point.rank_c(Task::x_name, Lang::de)));
    CHECK(std::isnan(without.point.rank_c(Task::x_name, Lang::de)));
    for (Lang lang : {Lang::en, Lang::de}) {
        CHECK(with.low.accuracy(Task::x_name, lang) == without.low.accuracy(Task::x_name, lang));
        CHECK(with.high.accuracy(Task::x_name, lang) == without.high.accuracy(Task::x_name, lang));
    }
    CHECK(with.low.en_co(Task::x_name, Lang::de) == without.low.en_co(Task::x_name, Lang::de));
    CHECK(with.high.en_co(Task::x_name, Lang::de) == without.high.en_co(Task::x_name, Lang::de));
}
