#include <cmath>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/json.hpp"
#include "clika/report/tables.hpp"
#include "clika/run/reader.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

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
    CHECK(round_to(card.point.level_ra(Level::basic, en), 4) == 0.5036);
    CHECK(round_to(card.point.level_ra(Level::basic, zh), 4) == 0.1598);
    CHECK(round_to(card.point.level_ra(Level::basic, others_column), 4) == 0.1795);
    CHECK(round_to(card.point.level_ra(Level::factual, en), 4) == 0.7928);
    CHECK(round_to(card.point.level_ra(Level::factual, zh), 4) == 0.0749);
    CHECK(round_to(card.point.level_ra(Level::factual, others_column), 4) == 0.4219);
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
    CHECK(round_to(card.point.level_ra(Level::factual, index(Lang::en)), 4) == 0.7927);
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

TEST_CASE("the JSON report has the documented keys, every number a fraction") {
    const report::Json json = report::to_json(llama_card());
    CHECK(round_to(json["levels"]["basic"]["ra"]["en"].get<double>(), 4) == 0.5036);
    CHECK(round_to(json["levels"]["factual"]["ra"]["others"].get<double>(), 4) == 0.4219);
    CHECK(json["tasks"]["x_geo"]["en"]["ra"].get<double>() == llama_card().point.rescaled(Task::x_geo, Lang::en));
    CHECK(json["tasks"]["x_geo"]["en"]["ra"].get<double>() < 1.0);
    CHECK(round_to(json["consistency"]["en_co"]["zh"].get<double>(), 4) == 0.8327);
    CHECK(round_to(json["consistency"]["en_co"]["others"].get<double>(), 4) == 0.8975);
    CHECK(json["tasks"]["x_copa"]["en"]["accuracy"].get<double>() == Approx(0.658));
    CHECK(json["tasks"]["x_copa"]["en"]["questions"].get<int>() == 500);
    const auto ci = json["levels"]["basic"]["ra_ci"]["en"];
    REQUIRE(ci.is_array());
    CHECK(ci[0].get<double>() < 0.5036);
    CHECK(ci[1].get<double>() > 0.5036);
}

TEST_CASE("the table report matches its golden file") {
    const fs::path golden = fs::path(CLIKA_GOLDEN_DIR) / "llama_13b_table.txt";
    const std::string table = report::to_table(llama_card());
    if (test::regenerating_golden()) {
        test::write_file(golden, table);
        WARN("CLIKA_REGENERATE_GOLDEN=1: rewrote " << golden);
    }
    CHECK(table == test::read_file(golden));
}

TEST_CASE("the CSV and Markdown reports carry the same numbers as the table: fractions in CSV, percent in Markdown") {
    const std::string csv = report::to_csv(llama_card());
    CHECK(csv.starts_with("metric,scope,lang,value,ci_low,ci_high\n"));
    CHECK_THAT(csv, Contains("ra,basic,en,0.50359"));  // 50.36 in the table
    CHECK_THAT(csv, Contains(fmt::format("ra,x_geo,en,{},", llama_card().point.rescaled(Task::x_geo, Lang::en))));
    const std::string md = report::to_markdown(llama_card());
    CHECK(md.find("| Basic RA | 50.36 | 15.98 | 17.95 |") != std::string::npos);
    CHECK(md.find("| en-CO (Factual) | - | 0.8327 | 0.8975 |") != std::string::npos);
}

namespace {

// A letter-mode run of x_geo and x_name in en, de and fr, four questions each, every answer exact except: x_geo de's
// first answer is decided between bounds only (every letter outside the server's top K, chosen "A"), and x_geo fr's first
// answer has two letters outside the top K but its chosen letter inside.
// `english_too`: x_geo en's first answer is decided between bounds only as well.
Scorecard bounded_run_card(std::size_t resamples, bool english_too = false) {
    // One folder per variant: CTest runs the test cases that use them at the same time.
    const fs::path dir = test::scratch_dir(english_too ? "score-bounded-en" : "score-bounded");
    for (Task task : {Task::x_geo, Task::x_name})
        for (Lang lang : {Lang::en, Lang::de, Lang::fr}) {
            std::string lines;
            for (int i = 0; i < 4; ++i) {
                std::string scores = "[-1.0,-2.0,-3.0,-4.0]", bounded;
                if (task == Task::x_geo && (lang == Lang::de || (english_too && lang == Lang::en)) && i == 0)
                    scores = "[-9.5,-9.5,-9.5,-9.5]", bounded = R"(,"bounded":["A","B","C","D"])";
                if (task == Task::x_geo && lang == Lang::fr && i == 0) scores = "[-1.0,-2.0,-9.5,-9.5]", bounded = R"(,"bounded":["C","D"])";
                lines += fmt::format(R"({{"id":{},"input":"p","res":"A","label":"{}","uuid":"q{}","scores":{},"mode":"letter","greedy":"A",)"
                                     R"("greedy_token":1,"greedy_is_option":true{}}})"
                                     "\n",
                                     i, i % 2 == 0 ? "A" : "B", i, scores, bounded);
            }
            test::write_file(run_predictions_path(dir, task, lang), lines);
        }
    ScoreSettings settings;
    settings.bootstrap_resamples = resamples;
    return score(load_run(dir), settings);
}

}  // namespace

TEST_CASE("answers decided between bounds only are counted from the chosen letter and unranked ones from two bounded letters") {
    const fs::path file = test::scratch_dir("score-bounded-lines") / "predictions.jsonl";
    test::write_file(file,
                     R"({"id":0,"input":"p","res":"A","label":"A","uuid":"a","scores":[-9,-9,-9,-9],"bounded":["A","B","C","D"]})" "\n"
                     R"({"id":1,"input":"p","res":"A","label":"A","uuid":"b","scores":[-1,-2,-9,-9],"bounded":["C","D"]})" "\n"
                     R"({"id":2,"input":"p","res":"A","label":"A","uuid":"c","scores":[-9,-9,-9.5,-9.5],"bounded":["A","C","D"]})" "\n"
                     R"({"id":3,"input":"p","res":"B","label":"A","uuid":"d","scores":[-9,-1,-9,-9],"bounded":["D"]})" "\n");
    const LangResults r = load_predictions(file, Task::x_geo);
    CHECK(r.bounded == 2);   // lines 1 and 3: the chosen A is a bound (on line 3 tied with B's exact score)
    CHECK(r.unranked == 3);  // lines 1-3
    test::write_file(file, R"({"id":0,"input":"p","res":"A","label":"A","uuid":"a","scores":[-9,-9,-9,-9],"bounded":["E"]})" "\n");
    CHECK_THROWS_WITH(load_predictions(file, Task::x_geo), Contains("bounded[0]") && Contains("an option letter A..D"));
}

TEST_CASE("cells drawing on answers decided between bounds only are null with the count beside them in every format") {
    const Scorecard card = bounded_run_card(50);
    CHECK(std::isnan(card.point.accuracy(Task::x_geo, Lang::de)));
    CHECK(std::isnan(card.point.rescaled(Task::x_geo, Lang::de)));
    CHECK(std::isnan(card.point.en_co(Task::x_geo, Lang::de)));
    CHECK(std::isnan(card.low.accuracy(Task::x_geo, Lang::de)));
    CHECK(card.point.accuracy(Task::x_geo, Lang::fr) == 0.5);
    CHECK(card.point.en_co(Task::x_geo, Lang::fr) == 1.0);
    CHECK(std::isnan(card.point.rank_c(Task::x_geo, Lang::fr)));  // two bounded letters: the ranking is unknown
    CHECK(std::isfinite(card.point.rank_c(Task::x_name, Lang::fr)));
    CHECK(std::isnan(card.point.level_ra(Level::factual, index(Lang::de))));
    CHECK(std::isfinite(card.point.level_ra(Level::factual, index(Lang::fr))));
    CHECK(std::isnan(card.point.level_ra(Level::factual, others_column)));  // never the mean of fr alone
    CHECK(std::isnan(card.point.level_en_co(Level::factual, others_column)));
    CHECK(card.bounded(Level::factual, others_column, false) == 1);

    const report::Json json = report::to_json(card);
    const report::Json& de = json["tasks"]["x_geo"]["de"];
    CHECK(de["accuracy"].is_null());
    CHECK(de["ra"].is_null());
    CHECK(de["en_co"].is_null());
    CHECK(de["bounded"] == 1);
    CHECK(de["en_co_bounded"] == 1);
    CHECK(json["tasks"]["x_geo"]["fr"]["rank_c"].is_null());
    CHECK(json["tasks"]["x_geo"]["fr"]["unranked"] == 1);
    CHECK(json["levels"]["factual"]["ra"]["de"].is_null());
    CHECK(json["levels"]["factual"]["ra_bounded"] == report::Json{{"de", 1}, {"others", 1}});
    CHECK(json["consistency"]["en_co"]["others"].is_null());
    CHECK(json["consistency"]["en_co_bounded"]["others"] == 1);

    const std::string table = report::to_table(card);
    const std::size_t row = table.find("\nx_geo acc");
    REQUIRE(row != std::string::npos);
    CHECK_THAT(table.substr(row, table.find('\n', row + 1) - row), Contains(" 50.0  - (1 bounded)  "));
    CHECK_THAT(table, Contains("- (1 unranked)"));
    CHECK_THAT(table.substr(table.rfind('\n', table.size() - 2)), Contains("raise --top-logprobs"));  // the last line
    const std::string md = report::to_markdown(card);
    CHECK_THAT(md, Contains("| - (1 bounded) |"));
    const std::string csv = report::to_csv(card);
    CHECK_THAT(csv, Contains("\naccuracy,x_geo,de,,,\naccuracy_bounded,x_geo,de,1,,\n"));
    CHECK_THAT(csv, Contains("\nra,factual,others,,,\nra_bounded,factual,others,1,,\n"));
    CHECK_THAT(csv, Contains("\nrank_c,x_geo,fr,,,\nrank_c_bounded,x_geo,fr,1,,\n"));
}

TEST_CASE("languages absent from a report get no bounded count, even when English has bounded answers") {
    const Scorecard card = bounded_run_card(0, true);
    CHECK(card.bounded(Level::factual, index(Lang::zh), true) == 0);
    CHECK(card.bounded(Level::factual, index(Lang::fr), true) == 1);  // English's answer, which en-CO of fr reads
    CHECK(card.bounded(Level::factual, others_column, true) == 2);    // de's and English's, English counted once
    CHECK(std::isnan(card.point.en_co(Task::x_geo, Lang::fr)));
    const report::Json json = report::to_json(card);
    CHECK(json["consistency"]["en_co_bounded"] == report::Json{{"de", 2}, {"fr", 1}, {"others", 2}});
    const std::string table = report::to_table(card);
    const std::size_t at = table.find("\nen-CO (Factual)");
    REQUIRE(at != std::string::npos);
    const std::string summary_row = table.substr(at + 1, table.find('\n', at + 1) - at - 1);
    CHECK_THAT(summary_row, EndsWith("  -  - (2 bounded)"));  // zh is absent: a plain "-"
}
