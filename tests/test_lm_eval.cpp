#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/lm_eval_score.hpp"
#include "clika/report/families.hpp"
#include "lm_eval_samples.hpp"
#include "test_support.hpp"

using namespace clika;
using test::Leaves;
using test::SampleDoc;

namespace {

LmEvalSettings quick(std::vector<std::string> pivots = {"en"}, std::size_t resamples = 200) {
    LmEvalSettings s;
    s.scoring.pivots = std::move(pivots);
    s.scoring.bootstrap_resamples = resamples;
    return s;
}

// xcopa has no English. Italian: docs 0 and 3 right, 1 and 2 wrong; Chinese (older numeric leaves, written in reverse
// order) all right. Italian ranks doc 1 and 2 the other way round from Chinese.
void write_xcopa(const std::filesystem::path& dir, bool string_leaves_zh = false) {
    const std::vector<std::string> choices{"because it rained", "so it rained"};
    test::write_samples(dir, "xcopa_it",
                        {test::choice_doc(0, "premise 0", choices, 0, {-1.0, -2.0}), test::choice_doc(1, "premise 1", choices, 1, {-1.0, -3.0}),
                         test::choice_doc(2, "premise 2", choices, 0, {-2.0, -1.0}), test::choice_doc(3, "premise 3", choices, 1, {-3.0, -1.0})});
    test::write_samples(dir, "xcopa_zh",
                        {test::choice_doc(3, "前提 3", choices, 1, {-2.0, -0.25}), test::choice_doc(2, "前提 2", choices, 0, {-0.5, -4.0}),
                         test::choice_doc(1, "前提 1", choices, 1, {-2.0, -1.0}), test::choice_doc(0, "前提 0", choices, 0, {-1.5, -2.5})},
                        string_leaves_zh ? Leaves::strings : Leaves::numbers);
}

}  // namespace

TEST_CASE("lm-eval task names map to families and ISO 639-1 languages") {
    using P = FamilyAndLang;
    CHECK(lm_eval_family("xcopa_it") == P{"xcopa", "it"});
    CHECK(lm_eval_family("xstorycloze_en") == P{"xstorycloze", "en"});
    CHECK(lm_eval_family("xwinograd_jp") == P{"xwinograd", "ja"});
    CHECK(lm_eval_family("belebele_eng_Latn") == P{"belebele", "en"});
    CHECK(lm_eval_family("belebele_zho_Hans") == P{"belebele", "zh"});
    CHECK(lm_eval_family("belebele_zho_Hant") == P{"belebele", "zh-Hant"});
    CHECK(lm_eval_family("belebele_arb_Arab") == P{"belebele", "ar"});
    CHECK(lm_eval_family("belebele_acm_Arab") == P{"belebele", "acm_Arab"});
    CHECK(lm_eval_family("global_mmlu_de") == P{"global_mmlu", "de"});
    CHECK(lm_eval_family("global_mmlu_full_de_anatomy") == P{"global_mmlu_full_anatomy", "de"});
    CHECK(lm_eval_family("clika_x_geo_de") == P{"x_geo", "de"});
    CHECK(lm_eval_family("clika_x_copa_zh") == P{"x_copa", "zh"});
    CHECK_FALSE(lm_eval_family("hellaswag"));
    CHECK_FALSE(lm_eval_family("clika_fictional_de"));
    const LmEvalTaskMap map{{"my_task_de", {"my_family", "de"}}};
    CHECK(lm_eval_family("my_task_de", map) == P{"my_family", "de"});
    CHECK(samples_task_name("samples_xcopa_it_2024-05-13T12-34-56.123456.jsonl") == std::string("xcopa_it"));
    CHECK_FALSE(samples_task_name("results_2024-05-13T12-34-56.123456.json"));
}

TEST_CASE("a family without English is consistent against --pivot, matched by doc_id") {
    const auto dir = test::scratch_dir("lm_eval_xcopa");
    write_xcopa(dir);
    const FamilyScorecard card = score_lm_eval(dir, quick({"en", "it"}));
    CHECK(card.model == "org__tiny-model");
    const FamilyScore* xcopa = card.find("xcopa");
    REQUIRE(xcopa != nullptr);
    CHECK(xcopa->parallel);
    CHECK(xcopa->pivot == "it");
    CHECK(xcopa->option_count == 2);
    const FamilyLangScore* it = xcopa->find("it");
    const FamilyLangScore* zh = xcopa->find("zh");
    REQUIRE((it != nullptr && zh != nullptr));
    CHECK(it->accuracy.value == Approx(0.5));
    CHECK(it->ra.value == Approx(0.0));  // (0.5 - chance 0.5) / (1 - 0.5), floored at 0
    CHECK(std::isnan(it->en_co.value));  // the pivot itself
    CHECK(zh->questions == 4);
    CHECK(zh->accuracy.value == Approx(1.0));
    CHECK(zh->ra.value == Approx(1.0));
    // Of zh's 4 right answers, docs 0 and 3 are right in Italian too.
    CHECK(zh->en_co.value == Approx(0.5));
    // Docs 0, 3 rank alike (RankC_q 1), docs 1, 2 oppositely: RankC_q = w_2 * 2/2 = 1 / (e + 1) = 0.2689414.
    // RankC = (2 + 2 * 0.2689414) / 4 = 0.6344707.
    CHECK(zh->rank_c.value == Approx(0.6344707107));
    CHECK(zh->rank_c.ci.low <= zh->rank_c.value);
    CHECK(zh->rank_c.ci.high >= zh->rank_c.value);
    CHECK(zh->rank_c.ci.low >= 0.2689414 - 1e-9);

    const report::Json json = report::to_json(card);
    CHECK(json["tasks"]["xcopa"]["zh"]["rank_c"].get<double>() == Approx(0.6344707107));
    CHECK(json["tasks"]["xcopa"]["zh"]["en_co_ci"].is_array());
    CHECK(json["tasks"]["xcopa"]["zh"]["lm_eval_task"] == "xcopa_zh");
    CHECK(json["families"]["xcopa"]["pivot"] == "it");
    CHECK(report::to_csv(card).find("rank_c,xcopa,zh,0.63447") != std::string::npos);
    CHECK(report::to_table(card).find("en-CO and RankC against it") != std::string::npos);
}

TEST_CASE("without its pivot a family gets accuracy and RA and the report says why consistency is missing") {
    const auto dir = test::scratch_dir("lm_eval_xcopa_no_pivot");
    write_xcopa(dir, true);
    const FamilyScorecard card = score_lm_eval(dir, quick());
    const FamilyScore* xcopa = card.find("xcopa");
    REQUIRE(xcopa != nullptr);
    CHECK(xcopa->pivot.empty());
    CHECK(xcopa->consistency_note.find("no pivot language (en)") != std::string::npos);
    CHECK(xcopa->find("zh")->accuracy.value == Approx(1.0));
    CHECK(std::isnan(xcopa->find("zh")->rank_c.value));
    CHECK(report::to_table(card).find("xcopa: no en-CO or RankC: no pivot language (en)") != std::string::npos);
    CHECK(report::to_json(card)["tasks"]["xcopa"]["zh"]["rank_c"].is_null());
}

TEST_CASE("a non-parallel family (xwinograd) gets accuracy and RA only") {
    const auto dir = test::scratch_dir("lm_eval_xwinograd");
    // Multiple input: the options fill the blank in the context, the continuation is shared, gold is doc.answer.
    test::write_samples(dir, "xwinograd_en",
                        {test::winograd_doc(0, {"The trophy did not fit because the trophy", "The trophy did not fit because the suitcase"},
                                            "was too big.", 0, {-1.0, -2.0}),
                         test::winograd_doc(1, {"Anna thanked Mary because Anna", "Anna thanked Mary because Mary"}, "had helped her.", 1,
                                            {-1.0, -2.0}),
                         test::winograd_doc(2, {"The cat chased the mouse, so the cat", "The cat chased the mouse, so the mouse"}, "ran away.",
                                            1, {-5.0, -4.0})});
    test::write_samples(dir, "xwinograd_jp",
                        {test::winograd_doc(0, {"トロフィーが", "スーツケースが"}, "大きすぎた。", 1, {-3.0, -2.0}),
                         test::winograd_doc(1, {"アンナが", "メアリーが"}, "助けた。", 0, {-3.0, -2.0})});
    const FamilyScorecard card = score_lm_eval(dir, quick());
    const FamilyScore* family = card.find("xwinograd");
    REQUIRE(family != nullptr);
    CHECK_FALSE(family->parallel);
    CHECK(family->consistency_note == "languages have different document counts (en 3, ja 2): not parallel");
    CHECK(family->find("en")->accuracy.value == Approx(2.0 / 3.0));
    CHECK(family->find("ja")->accuracy.value == Approx(0.5));
    CHECK(family->find("ja")->ra.value == Approx(0.0));
    CHECK(std::isnan(family->find("ja")->en_co.value));
    CHECK(std::isnan(family->find("ja")->rank_c.value));
    CHECK(family->find("en")->accuracy.ci.low <= family->find("en")->accuracy.ci.high);
}

TEST_CASE("clika tasks from lm-eval keep clika's task names and the paper's RA reference") {
    const auto dir = test::scratch_dir("lm_eval_clika");
    const std::vector<std::string> continents{"Europe", "Asia", "Africa", "Oceania"};
    test::write_samples(dir, "clika_x_geo_en",
                        {test::choice_doc(0, "q0", continents, 0, {-1, -2, -3, -4}), test::choice_doc(1, "q1", continents, 1, {-4, -1, -2, -3})});
    test::write_samples(dir, "clika_x_geo_de",
                        {test::choice_doc(0, "f0", continents, 0, {-1, -2, -3, -4}), test::choice_doc(1, "f1", continents, 1, {-4, -3, -2, -1})});
    const FamilyScorecard card = score_lm_eval(dir, quick());
    const FamilyScore* geo = card.find("x_geo");
    REQUIRE(geo != nullptr);
    CHECK(geo->reference_percent == Approx(97.0));
    const FamilyLangScore* de = geo->find("de");
    // RA = (0.5 - 0.25) / (0.97 - 0.25) = 0.3472, a fraction as every number the engine gives; the table prints 34.72.
    CHECK(de->ra.value == Approx(0.347222222));
    CHECK(de->en_co.value == Approx(1.0));
    // doc 1: en 1 > 2 > 3 > 0, de 3 > 2 > 1 > 0: (e^2 / 2 + e + 1) / (e^3 + e^2 + e + 1) = 0.2376443; mean with doc 0's 1.
    CHECK(de->rank_c.value == Approx(0.6188221655));
    CHECK(report::to_json(card)["tasks"]["x_geo"]["de"]["ra"].get<double>() == Approx(0.347222222));
    CHECK(report::to_csv(card).find("ra,x_geo,de,0.3472") != std::string::npos);
    CHECK(report::to_table(card).find("34.72") != std::string::npos);
}

TEST_CASE("a target that is an option's text names the gold option (global_mmlu's letters)") {
    const auto dir = test::scratch_dir("lm_eval_mmlu");
    SampleDoc d = test::choice_doc(0, "Q\nA. x\nB. y\nC. z\nD. w\nAnswer:", {"A", "B", "C", "D"}, 1, {-3, -1, -2, -4});
    d.target = "B";
    test::write_samples(dir, "global_mmlu_de", {d});
    const FamilyScorecard card = score_lm_eval(dir, quick({"en"}, 0));
    CHECK(card.find("global_mmlu")->find("de")->correct == 1);
}

TEST_CASE("the metric acc_norm takes the sample's acc_norm, checked with lengths in code points") {
    const auto dir = test::scratch_dir("lm_eval_acc_norm");
    // été: 3 code points (5 bytes). -3/3 = -1 < -5/7 = -0.714, so acc_norm picks option 1 (gold) and acc picks 0;
    // by bytes (-3/5 = -0.6) acc_norm would pick 0.
    test::write_samples(dir, "xcopa_it", {test::choice_doc(0, "p", {"été", "abcdefg"}, 1, {-3.0, -5.0})});
    LmEvalSettings settings = quick({"it"}, 0);
    CHECK(score_lm_eval(dir, settings).find("xcopa")->find("it")->correct == 0);
    settings.metric = LmEvalMetric::acc_norm;
    const FamilyScorecard card = score_lm_eval(dir, settings);
    CHECK(card.metric == "acc_norm");
    CHECK(card.find("xcopa")->find("it")->correct == 1);
}

namespace {

// The bad-input message scoring the samples in `dir` ends with.
std::string error_of(const std::filesystem::path& dir, const LmEvalSettings& settings = quick({"en"}, 0)) {
    return test::bad_input_message([&] { (void)score_lm_eval(dir, settings); });
}

std::vector<SampleDoc> two_docs() {
    const std::vector<std::string> choices{"a", "b"};
    return {test::choice_doc(0, "p0", choices, 0, {-1, -2}), test::choice_doc(1, "p1", choices, 1, {-2, -1})};
}

// One sample line with a key removed, in the harness's serialisation.
std::string without(const SampleDoc& d, const std::string& key) {
    test::PyJson line = test::PyJson::parse(test::sample_line(d, Leaves::strings));
    line.erase(key);
    return test::python_dumps(line) + "\n";
}

const std::string samples_name = std::string("samples_xcopa_it_") + test::sample_date + ".jsonl";

}  // namespace

TEST_CASE("lm-eval samples with mixed filters are refused naming file, line and key") {
    const auto dir = test::scratch_dir("lm_eval_bad_filter");
    std::vector<SampleDoc> docs = two_docs();
    docs[1].filter = "strict-match";
    test::write_samples(dir, "xcopa_it", docs);
    const std::string e = error_of(dir);
    CHECK_THAT(e, Catch::Contains(samples_name + ":2: field \"filter\": is \"strict-match\" but line 1 has \"none\""));
}

TEST_CASE("lm-eval samples with a missing key are refused naming file, line and key") {
    const auto dir = test::scratch_dir("lm_eval_bad_missing");
    for (const std::string key : {"filtered_resps", "doc_id", "target", "acc", "resps"}) {
        CAPTURE(key);
        const std::vector<SampleDoc> docs = two_docs();
        test::write_file(dir / "m" / samples_name, test::sample_line(docs[0], Leaves::strings) + without(docs[1], key));
        CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":2: field \"" + key + "\": missing field"));
    }
}

TEST_CASE("lm-eval samples with a duplicate doc_id are refused") {
    const auto dir = test::scratch_dir("lm_eval_bad_duplicate");
    std::vector<SampleDoc> docs = two_docs();
    docs[1].doc_id = 0;
    test::write_samples(dir, "xcopa_it", docs);
    CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":2: field \"doc_id\": 0 appears twice (first on line 1)"));
}

TEST_CASE("lm-eval samples whose choice count changes within a family are refused") {
    const auto dir = test::scratch_dir("lm_eval_bad_choices");
    std::vector<SampleDoc> docs = two_docs();
    docs[1] = test::choice_doc(1, "p1", {"a", "b", "c"}, 1, {-2, -1, -3});
    test::write_samples(dir, "xcopa_it", docs);
    CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":2: field \"arguments\": has 3 choices but line 1 has 2"));

    const auto across = test::scratch_dir("lm_eval_bad_choices_across");
    test::write_samples(across, "xcopa_it", two_docs());
    test::write_samples(across, "xcopa_zh", {test::choice_doc(0, "p0", {"a", "b", "c"}, 0, {-1, -2, -3})});
    CHECK_THAT(error_of(across), Catch::Contains("samples_xcopa_zh_" + std::string(test::sample_date) +
                                                 ".jsonl:1: field \"arguments\": has 3 choices per sample but"));
}

TEST_CASE("an lm-eval acc that disagrees with the sample's own log-likelihoods is refused") {
    const auto dir = test::scratch_dir("lm_eval_bad_acc");
    std::vector<SampleDoc> docs = two_docs();
    docs[0].acc = 0.0;
    test::write_samples(dir, "xcopa_it", docs);
    CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":1: field \"acc\": is 0 but filtered_resps and target give 1"));
    docs = two_docs();
    docs[1].target = "7";
    test::write_samples(dir, "xcopa_it", docs);
    CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":2: field \"target\": is option index 7 but the sample has 2 choices"));
}

TEST_CASE("generate_until samples are skipped with a warning, and refused inside a multiple-choice file") {
    const auto dir = test::scratch_dir("lm_eval_generate");
    test::write_samples(dir, "xcopa_it", two_docs());
    // A generate_until record: arg_1 holds the generation kwargs, resps the generated text.
    const std::string generate =
        R"({"doc_id": 0, "doc": {"question": "q"}, "target": "Paris", "arguments": {"gen_args_0": {"arg_0": "Q: capital?\nA:", )"
        R"("arg_1": {"until": ["\n"], "do_sample": false}}}, "resps": [["Paris"]], "filtered_resps": ["Paris"], "filter": "none", )"
        R"("metrics": ["exact_match"], "doc_hash": "0", "prompt_hash": "0", "target_hash": "0", "exact_match": 1.0})"
        "\n";
    test::write_file(dir / "org__tiny-model" / (std::string("samples_xstorycloze_en_") + test::sample_date + ".jsonl"), generate);
    const FamilyScorecard card = score_lm_eval(dir, quick({"en"}, 0));
    REQUIRE(card.warnings.size() == 1);
    CHECK_THAT(card.warnings[0], Catch::Contains(":1: skipped, not a multiple-choice task: arguments.gen_args_0.arg_1 is an object"));
    CHECK(card.find("xstorycloze") == nullptr);
    CHECK(report::to_json(card)["warnings"].size() == 1);

    const std::vector<SampleDoc> docs = two_docs();
    test::write_file(dir / "org__tiny-model" / samples_name, test::sample_line(docs[0], Leaves::strings) + generate);
    CHECK_THAT(error_of(dir), Catch::Contains(samples_name + ":2: field \"arguments\": arguments.gen_args_0.arg_1 is an object"));
}

TEST_CASE("two sample files of one task are refused rather than merged") {
    const auto dir = test::scratch_dir("lm_eval_twice");
    test::write_samples(dir, "xcopa_it", two_docs(), Leaves::strings, "run1");
    test::write_samples(dir, "xcopa_it", two_docs(), Leaves::strings, "run2");
    CHECK_THAT(error_of(dir), Catch::Contains("holds the samples of 2 models: run1, run2"));
    // Within one folder: two task names for one family and language.
    const auto one = test::scratch_dir("lm_eval_twice_one_folder");
    test::write_samples(one, "xcopa_it", two_docs());
    test::write_samples(one, "my_copa_it", two_docs());
    test::write_file(one / "map.json", R"({"my_copa_it": ["xcopa", "it"]})");
    LmEvalSettings settings = quick({"it"}, 0);
    settings.task_map = one / "map.json";
    CHECK_THAT(error_of(one, settings), Catch::Contains("is xcopa in language it, already read from"));
}

TEST_CASE("a task map names families the built-in rules do not know") {
    const auto dir = test::scratch_dir("lm_eval_task_map");
    test::write_samples(dir, "my_task_de", two_docs());
    test::write_file(dir / "map.json", R"({"my_task_de": ["my_family", "de"]})");
    LmEvalSettings settings = quick({"en"}, 0);
    CHECK_THAT(error_of(dir, settings), Catch::Contains("no multiple-choice samples of a known family"));
    settings.task_map = dir / "map.json";
    CHECK(score_lm_eval(dir, settings).find("my_family")->find("de")->correct == 2);
    test::write_file(dir / "map.json", R"({"my_task_de": ["my_family"]})");
    CHECK_THAT(error_of(dir, settings), Catch::Contains("map.json: field \"my_task_de\": is not a [family, language] pair"));
}

namespace {

// x_geo docs 0..3 (four options), right where `right` says: the harness's acc from the log-likelihoods.
std::vector<SampleDoc> geo_docs(const std::vector<int>& right) {
    std::vector<SampleDoc> docs;
    for (std::size_t i = 0; i < right.size(); ++i) {
        const std::size_t gold = i % 4;
        std::vector<double> loglik{-4, -4, -4, -4};
        loglik[right[i] != 0 ? gold : (gold + 1) % 4] = -1;
        docs.push_back(test::choice_doc(static_cast<std::int64_t>(i), fmt::format("Q{}\nAnswer:", i), {"A", "B", "C", "D"}, gold, loglik));
    }
    return docs;
}

}  // namespace

TEST_CASE("samples of CLiKA's tasks give the paper's table, with the run's engine") {
    const auto dir = test::scratch_dir("lm_eval_clika_table");
    test::write_samples(dir, "clika_x_geo_en", geo_docs({1, 1, 0, 0}));
    test::write_samples(dir, "clika_x_geo_zh", geo_docs({1, 0, 1, 0}));
    test::write_samples(dir, "clika_x_geo_de", geo_docs({1, 1, 1, 1}));
    const LmEvalSettings settings = quick({"en"}, 50);
    const LmEvalSamples samples = load_lm_eval(dir, settings);
    const std::optional<Scorecard> card = score_lm_eval_clika(samples, settings);
    REQUIRE(card.has_value());
    CHECK(card->model == "org__tiny-model");
    CHECK(card->has(Task::x_geo, Lang::zh));
    CHECK_FALSE(card->has(Task::x_csqa, Lang::en));
    CHECK(card->count(Task::x_geo, Lang::en).correct == 2);
    Metrics point = card->point;
    CHECK(point.accuracy(Task::x_geo, Lang::zh) == Approx(0.5));
    // zh is right on docs 0 and 2, English on doc 0 of those: en-CO 1/2; German right everywhere: en-CO 2/4.
    CHECK(point.en_co(Task::x_geo, Lang::zh) == Approx(0.5));
    CHECK(point.en_co(Task::x_geo, Lang::de) == Approx(0.5));
    // The same numbers as a ResultSet scored directly (what `clika score --run` does with a run's files).
    ScoreSettings run_settings;
    run_settings.bootstrap_resamples = 50;
    const Scorecard direct = score(*clika_results(samples), run_settings);
    CHECK(report::to_table(direct) == report::to_table(*card));
    CHECK(report::to_table(*card).find("Factual RA") != std::string::npos);
}

TEST_CASE("samples of other families are not given the paper's table") {
    const auto dir = test::scratch_dir("lm_eval_clika_table_mixed");
    test::write_samples(dir, "clika_x_geo_en", geo_docs({1, 0}));
    write_xcopa(dir);
    CHECK_FALSE(score_lm_eval_clika(load_lm_eval(dir, quick({"en", "it"}, 0))).has_value());
}

TEST_CASE("of a task run twice the newest samples file is read and the older one named") {
    const auto dir = test::scratch_dir("lm_eval_reruns");
    const auto older = test::write_samples(dir, "clika_x_geo_en", geo_docs({0, 0}), Leaves::strings, "org__tiny-model", "2024-05-13T12-34-56.123456");
    const auto newer = test::write_samples(dir, "clika_x_geo_en", geo_docs({1, 1}), Leaves::strings, "org__tiny-model", "2024-06-01T08-00-00.000001");
    const LmEvalSamples samples = load_lm_eval(dir, quick({"en"}, 0));
    REQUIRE(samples.files.size() == 1);
    CHECK(samples.files.front() == newer);
    REQUIRE(samples.warnings.size() == 1);
    CHECK(samples.warnings.front().find(older.string()) != std::string::npos);
    CHECK(samples.warnings.front().find("older run") != std::string::npos);
    const std::optional<Scorecard> card = score_lm_eval_clika(samples);
    REQUIRE(card.has_value());
    CHECK(card->count(Task::x_geo, Lang::en).correct == 2);
    CHECK(std::find(card->warnings.begin(), card->warnings.end(), samples.warnings.front()) != card->warnings.end());
}

TEST_CASE("a folder holding two models is refused naming both, and --lm-eval-model picks one") {
    const auto dir = test::scratch_dir("lm_eval_two_models");
    test::write_samples(dir, "clika_x_geo_en", geo_docs({1, 0}), Leaves::strings, "org__model-a");
    test::write_samples(dir, "clika_x_geo_en", geo_docs({1, 1}), Leaves::strings, "org__model-b");
    const std::string refused = error_of(dir);
    CHECK(refused.find("org__model-a") != std::string::npos);
    CHECK(refused.find("org__model-b") != std::string::npos);
    CHECK(refused.find("--lm-eval-model") != std::string::npos);
    LmEvalSettings settings = quick({"en"}, 0);
    settings.model = "org__model-b";
    const LmEvalSamples samples = load_lm_eval(dir, settings);
    CHECK(samples.model == "org__model-b");
    CHECK(score_lm_eval_clika(samples)->count(Task::x_geo, Lang::en).correct == 2);
    settings.model = "org__model-c";
    CHECK(error_of(dir, settings).find("has no samples of model org__model-c") != std::string::npos);
}

TEST_CASE("a samples file without a date is read and a compressed one refused, never skipped") {
    const auto dir = test::scratch_dir("lm_eval_undated");
    const auto dated = test::write_samples(dir, "xcopa_it", two_docs());
    const auto undated = dated.parent_path() / "samples_xcopa_de.jsonl";
    std::filesystem::copy_file(dated, undated);
    const LmEvalSamples samples = load_lm_eval(dir, quick({"it"}, 0));
    CHECK(std::find(samples.files.begin(), samples.files.end(), undated) != samples.files.end());
    CHECK(score_lm_eval(dir, quick({"it"}, 0)).find("xcopa")->find("de") != nullptr);
    test::write_file(dated.parent_path() / "samples_xcopa_fr_2024-05-13T12-34-56.123456.jsonl.gz", "not really gzip");
    const std::string refused = error_of(dir, quick({"it"}, 0));
    CHECK(refused.find("compressed samples file") != std::string::npos);
    CHECK(refused.find("gunzip") != std::string::npos);
}

TEST_CASE("a NaN log-likelihood decides as the harness's numpy argmax does") {
    const auto dir = test::scratch_dir("lm_eval_nan");
    // numpy.argmax([nan, -1.0]) is 0: the harness counts gold 0 as right, and so must clika.
    SampleDoc d = test::choice_doc(0, "p", {"a", "b"}, 0, {std::nan(""), -1.0});
    d.acc = 1.0;
    d.acc_norm = 1.0;
    test::write_samples(dir, "xcopa_it", {d});
    CHECK(score_lm_eval(dir, quick({"it"}, 0)).find("xcopa")->find("it")->correct == 1);
}
