#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/metrics/consistency.hpp"
#include "clika/metrics/consistency_matrix.hpp"
#include "clika/metrics/cross_consistency.hpp"
#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "test_support.hpp"

using namespace clika;

namespace {

using Outcomes = std::vector<std::uint8_t>;

LangResults lang_results(const std::vector<std::string>& uuids, const Outcomes& correct) {
    LangResults r;
    r.uuids = uuids;
    r.correct = correct;
    r.predicted.assign(correct.size(), 'A');
    r.gold.assign(correct.size(), 'A');
    return r;
}

}  // namespace

// X = 1 1 1 0 0 1, Y = 1 0 1 1 0 0: right in X 4, in Y 3, in both 2, of 6 questions.
TEST_CASE("CO(X to Y), overall success and transfer score on a hand-worked pair") {
    const Outcomes x{1, 1, 1, 0, 0, 1}, y{1, 0, 1, 1, 0, 0};
    const PairOutcomes p = pair_outcomes(x, y);
    CHECK(p.questions == 6);
    CHECK(p.right_x == 4);
    CHECK(p.right_y == 3);
    CHECK(p.right_both == 2);
    CHECK(directional_consistency(x, y) == 0.5);            // 2 of X's 4
    CHECK(directional_consistency(y, x) == Approx(2.0 / 3)); // 2 of Y's 3: the direction matters
    CHECK(overall_success(x, y) == Approx(2.0 / 6));
    CHECK(overall_success(y, x) == overall_success(x, y));  // symmetric
    CHECK(transfer_score(x, y) == directional_consistency(x, y));
}

TEST_CASE("CO from a language with no right answer is undefined, and overall success without questions is too") {
    CHECK(std::isnan(directional_consistency(Outcomes{0, 0, 0}, Outcomes{1, 1, 0})));
    CHECK(overall_success(Outcomes{0, 0, 0}, Outcomes{1, 1, 0}) == 0.0);
    CHECK(std::isnan(overall_success(Outcomes{}, Outcomes{})));
}

TEST_CASE("en-CO is CO towards English") {
    const Outcomes english{1, 0, 1, 1, 0, 1, 0}, other{1, 1, 0, 1, 0, 1, 1};
    CHECK(en_consistency(english, other) == directional_consistency(other, english));
    CHECK(directional_consistency(other, english) == 0.6);  // 3 of other's 5
}

TEST_CASE("the consistency matrix of a hand-worked task averages its level's two tasks") {
    // xGeo: en 1 1 0 0, de 1 0 1 0, fr 0 0 0 0.  xPeo (the other factual task): en 1 1, de 1 1.
    ResultSet results;
    const std::vector<std::string> geo{"g1", "g2", "g3", "g4"}, peo{"p1", "p2"};
    results.put(Task::x_geo, Lang::en, lang_results(geo, {1, 1, 0, 0}));
    results.put(Task::x_geo, Lang::de, lang_results(geo, {1, 0, 1, 0}));
    results.put(Task::x_geo, Lang::fr, lang_results(geo, {0, 0, 0, 0}));
    results.put(Task::x_name, Lang::en, lang_results(peo, {1, 1}));
    results.put(Task::x_name, Lang::de, lang_results(peo, {1, 1}));
    ScoreSettings settings;
    settings.bootstrap_resamples = 0;
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    const auto geo_t = static_cast<std::size_t>(Task::x_geo);
    CHECK(m.task_co[geo_t][index(Lang::de)][index(Lang::en)].value == 0.5);   // de right on g1, g3; en on g1 only
    CHECK(m.task_co[geo_t][index(Lang::en)][index(Lang::de)].value == 0.5);
    CHECK(m.task_success[geo_t][index(Lang::de)][index(Lang::en)].value == 0.25);
    CHECK(m.task_co[geo_t][index(Lang::de)][index(Lang::de)].value == 1.0);
    CHECK(std::isnan(m.task_co[geo_t][index(Lang::fr)][index(Lang::en)].value));  // fr has nothing right
    CHECK(m.task_co[geo_t][index(Lang::en)][index(Lang::fr)].value == 0.0);
    CHECK(std::isnan(m.task_co[geo_t][index(Lang::it)][index(Lang::en)].value));  // absent
    CHECK(m.co(Level::factual, Lang::de, Lang::en).value == 0.75);                 // (0.5 + 1) / 2
    CHECK(m.success(Level::factual, Lang::de, Lang::en).value == 0.625);           // (0.25 + 1) / 2
    CHECK(std::isnan(m.co(Level::factual, Lang::fr, Lang::en).value));              // xPeo has no fr
    CHECK(m.questions[geo_t][index(Lang::de)] == 4);
}

TEST_CASE("a language with answers decided between bounds only has no consistency row or column") {
    ResultSet results;
    const std::vector<std::string> ids{"a", "b"};
    results.put(Task::x_geo, Lang::en, lang_results(ids, {1, 1}));
    LangResults de = lang_results(ids, {1, 0});
    de.bounded = 1;
    results.put(Task::x_geo, Lang::de, de);
    results.put(Task::x_geo, Lang::fr, lang_results(ids, {1, 0}));
    ScoreSettings settings;
    settings.bootstrap_resamples = 0;
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    const auto t = static_cast<std::size_t>(Task::x_geo);
    CHECK(std::isnan(m.task_co[t][index(Lang::de)][index(Lang::en)].value));
    CHECK(std::isnan(m.task_co[t][index(Lang::en)][index(Lang::de)].value));
    CHECK(m.task_co[t][index(Lang::fr)][index(Lang::en)].value == 1.0);
}

TEST_CASE("the consistency matrix's column en is clika score's en-CO, bootstrap interval included") {
    const ResultSet results = load_published(test::data_dir(), "llama_13b");
    ScoreSettings settings;
    settings.bootstrap_resamples = 200;
    const Scorecard card = score(results, settings);
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    for (Lang lang : all_langs) {
        if (lang == Lang::en) continue;
        INFO(code(lang));
        for (Task task : multiple_choice_tasks) {
            const PairEstimate& e = m.task_co[static_cast<std::size_t>(task)][index(lang)][index(Lang::en)];
            CHECK(e.value == card.point.en_co(task, lang));
            CHECK(e.ci.low == card.low.en_co(task, lang));
            CHECK(e.ci.high == card.high.en_co(task, lang));
        }
        for (Level level : scored_levels) {
            const PairEstimate& e = m.co(level, lang, Lang::en);
            CHECK(e.value == card.point.level_en_co(level, index(lang)));
            CHECK(e.ci.low == card.low.level_en_co(level, index(lang)));
            CHECK(e.ci.high == card.high.level_en_co(level, index(lang)));
        }
    }
    // And the matrix says something en-CO does not: consistency towards another language.
    CHECK(m.co(Level::factual, Lang::de, Lang::zh).value != m.co(Level::factual, Lang::de, Lang::en).value);
}

TEST_CASE("towards English, the consistency matrices' others is clika score's en-CO others, bootstrap interval included") {
    const ResultSet results = load_published(test::data_dir(), "llama_13b");
    ScoreSettings settings;
    settings.bootstrap_resamples = 200;
    const Scorecard card = score(results, settings);
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    for (Level level : scored_levels) {
        const PairEstimate& e = m.others_co(level, Lang::en);
        CHECK(e.value == card.point.level_en_co(level, others_column));
        CHECK(e.ci.low == card.low.level_en_co(level, others_column));
        CHECK(e.ci.high == card.high.level_en_co(level, others_column));
    }
}

// With zh's answers in English's place and English's in zh's, clika score's en-CO "others" is CO(X→zh) over the same
// eight languages, drawn over the same questions.
TEST_CASE("towards zh, others is clika score's en-CO others of the predictions with en and zh swapped, interval included") {
    const ResultSet results = load_published(test::data_dir(), "llama_13b");
    ResultSet swapped = results;
    for (Task task : multiple_choice_tasks) {
        swapped.put(task, Lang::en, *results.get(task, Lang::zh));
        swapped.put(task, Lang::zh, *results.get(task, Lang::en));
    }
    ScoreSettings settings;
    settings.bootstrap_resamples = 200;
    const Scorecard card = score(swapped, settings);
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    for (Level level : scored_levels) {
        const PairEstimate& e = m.others_co(level, Lang::zh);
        CHECK(e.value == Approx(card.point.level_en_co(level, others_column)).epsilon(1e-12));
        CHECK(e.ci.low == Approx(card.low.level_en_co(level, others_column)).epsilon(1e-12));
        CHECK(e.ci.high == Approx(card.high.level_en_co(level, others_column)).epsilon(1e-12));
        CHECK(e.ci.low < e.value);
        CHECK(e.value < e.ci.high);
    }
}

TEST_CASE("towards a pivot among the others, others leaves out en, zh and the pivot, and is null where one has bounded answers") {
    // xGeo: de 1 1 0 0, fr 1 0 1 0, it 1 1 1 1, en 0 0 1 1.  xPeo: de 1 1, fr 1 1, it 0 1, en 1 1.
    ResultSet results;
    const std::vector<std::string> geo{"g1", "g2", "g3", "g4"}, peo{"p1", "p2"};
    results.put(Task::x_geo, Lang::de, lang_results(geo, {1, 1, 0, 0}));
    results.put(Task::x_geo, Lang::fr, lang_results(geo, {1, 0, 1, 0}));
    results.put(Task::x_geo, Lang::it, lang_results(geo, {1, 1, 1, 1}));
    results.put(Task::x_geo, Lang::en, lang_results(geo, {0, 0, 1, 1}));
    results.put(Task::x_name, Lang::de, lang_results(peo, {1, 1}));
    results.put(Task::x_name, Lang::fr, lang_results(peo, {1, 1}));
    results.put(Task::x_name, Lang::it, lang_results(peo, {0, 1}));
    results.put(Task::x_name, Lang::en, lang_results(peo, {1, 1}));
    ScoreSettings settings;
    settings.bootstrap_resamples = 0;
    const ConsistencyMatrices m = consistency_matrices(results, settings);
    // Towards de: CO(fr→de) = (1/2 + 1) / 2 and CO(it→de) = (2/4 + 1) / 2; CO(en→de) = (0/2 + 1) / 2 is not among them.
    CHECK(m.co(Level::factual, Lang::en, Lang::de).value == 0.5);
    CHECK(m.others_co(Level::factual, Lang::de).value == 0.75);
    // Towards en, de is one of the others: CO(de→en) = (0 + 1) / 2, CO(fr→en) = CO(it→en) = (1/2 + 1) / 2.
    CHECK(m.others_co(Level::factual, Lang::en).value == Approx(2.0 / 3));
    CHECK(std::isnan(m.others_co(Level::basic, Lang::de).value));  // no Basic task
    LangResults fr = *results.get(Task::x_name, Lang::fr);
    fr.bounded = 1;
    results.put(Task::x_name, Lang::fr, fr);
    const ConsistencyMatrices bounded = consistency_matrices(results, settings);
    CHECK(std::isnan(bounded.others_co(Level::factual, Lang::de).value));
    CHECK(std::isnan(bounded.others_co(Level::factual, Lang::en).value));
    CHECK(std::isnan(bounded.others_co(Level::factual, Lang::fr).value));  // the pivot itself bounded
}
