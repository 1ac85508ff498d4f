#include <cmath>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/json.hpp"
#include "clika/report/tables.hpp"
#include "test_support.hpp"

using namespace clika;

namespace {

double round_to(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

const Scorecard& llama_card() {
    static const Scorecard card = score(load_published(test::data_dir(), "llama_13b"));
    return card;
}

}  // namespace

TEST_CASE("LLaMA-13B's published predictions reproduce the paper's Tables 5-7") {
    const Scorecard& card = llama_card();
    const std::size_t en = index(Lang::en), zh = index(Lang::zh);
    CHECK(round_to(card.point.level_ra(Level::basic, en), 2) == 50.36);
    CHECK(round_to(card.point.level_ra(Level::basic, zh), 2) == 15.98);
    CHECK(round_to(card.point.level_ra(Level::basic, others_column), 2) == 17.95);
    CHECK(round_to(card.point.level_ra(Level::factual, en), 2) == 79.28);
    CHECK(round_to(card.point.level_ra(Level::factual, zh), 2) == 7.49);
    CHECK(round_to(card.point.level_ra(Level::factual, others_column), 2) == 42.19);
    CHECK(round_to(card.point.level_en_co(Level::factual, zh), 4) == 0.8327);
    CHECK(round_to(card.point.level_en_co(Level::factual, others_column), 4) == 0.8975);
}

TEST_CASE("the exact x_name reference 92.22 moves LLaMA-13B's Factual RA en to 79.27, as the data README says") {
    const ResultSet chatgpt = load_published(test::data_dir(), "chatgpt", multiple_choice_tasks, std::array{Lang::en});
    ScoreSettings settings;
    settings.reference_percent = references_from(chatgpt);
    settings.bootstrap_resamples = 0;
    CHECK(settings.reference_percent[static_cast<std::size_t>(Task::x_name)] == Approx(92.2222).epsilon(1e-5));
    const Scorecard card = score(load_published(test::data_dir(), "llama_13b"), settings);
    CHECK(round_to(card.point.level_ra(Level::factual, index(Lang::en)), 2) == 79.27);
}

TEST_CASE("every published model loads and scores with finite numbers in every cell") {
    const std::string model = GENERATE("llama_13b", "bloomz_7b1_mt", "vicuna_13b_v1.5", "chatgpt");
    CAPTURE(model);
    ScoreSettings settings;
    settings.bootstrap_resamples = 50;
    const Scorecard card = score(load_published(test::data_dir(), model), settings);
    for (Level level : scored_levels)
        for (std::size_t c = 0; c < column_count; ++c) CHECK(std::isfinite(card.point.level_ra(level, c)));
    for (Task task : multiple_choice_tasks)
        for (Lang lang : all_langs) CHECK(card.count(task, lang).questions == spec(task).questions_per_lang);
}

TEST_CASE("the JSON report has the documented keys on the documented scales") {
    const report::Json json = report::to_json(llama_card());
    CHECK(round_to(json["levels"]["basic"]["ra"]["en"].get<double>(), 2) == 50.36);
    CHECK(round_to(json["levels"]["factual"]["ra"]["others"].get<double>(), 2) == 42.19);
    CHECK(round_to(json["consistency"]["en_co"]["zh"].get<double>(), 4) == 0.8327);
    CHECK(round_to(json["consistency"]["en_co"]["others"].get<double>(), 4) == 0.8975);
    CHECK(json["tasks"]["x_copa"]["en"]["accuracy"].get<double>() == Approx(0.658));
    CHECK(json["tasks"]["x_copa"]["en"]["questions"].get<int>() == 500);
    const auto ci = json["levels"]["basic"]["ra_ci"]["en"];
    REQUIRE(ci.is_array());
    CHECK(ci[0].get<double>() < 50.36);
    CHECK(ci[1].get<double>() > 50.36);
}

TEST_CASE("the table report matches its golden file") {
    const std::string expected = test::read_file(fs::path(CLIKA_GOLDEN_DIR) / "llama_13b_table.txt");
    CHECK(report::to_table(llama_card()) == expected);
}

TEST_CASE("the CSV and Markdown reports carry the same numbers as the table") {
    const std::string csv = report::to_csv(llama_card());
    CHECK(csv.starts_with("metric,scope,lang,value,ci_low,ci_high\n"));
    CHECK(csv.find(fmt::format("ra,basic,en,{},", llama_card().point.level_ra(Level::basic, index(Lang::en)))) != std::string::npos);
    const std::string md = report::to_markdown(llama_card());
    CHECK(md.find("| Basic RA | 50.36 | 15.98 | 17.95 |") != std::string::npos);
    CHECK(md.find("| en-CO (Factual) | - | 0.8327 | 0.8975 |") != std::string::npos);
}
