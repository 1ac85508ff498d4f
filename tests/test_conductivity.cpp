// The Conductivity level: training-set checks, generated worlds, answer grading, XRR and the gate from hand-made
// outcomes (exact values), the report, and LoRA adapters (file layout and merge arithmetic).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/case_fold.hpp"
#include "clika/fictional/alpaca.hpp"
#include "clika/fictional/grading.hpp"
#include "clika/fictional/results.hpp"
#include "clika/fictional/test_set.hpp"
#include "clika/run/fictional_lines.hpp"
#include "clika/run/paths.hpp"
#include "clika/tools/fictional_train.hpp"
#include "clika/tools/fictional_world.hpp"
#include "clika/tools/lora.hpp"
#include "clika/metrics/conductivity.hpp"
#include "clika/tools/model_maker.hpp"
#include "clika/report/conductivity.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line + "\n");
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l;
    return out;
}

// A small generated world's German training file, edited by `edit`, checked; returns the error.
std::string train_error(const std::function<void(std::vector<std::string>&)>& edit) {
    const world::World w = world::generate(3, 3, 4);
    std::vector<std::string> lines = lines_of(world::train_file(w, Lang::de));
    edit(lines);
    const fs::path dir = test::scratch_dir("conductivity-train-errors");
    test::write_file(fictional_train_path(dir, Lang::de), joined(lines));
    return test::bad_input_message([&] { (void)analyze_fictional_train(fictional_train_path(dir, Lang::de)); });
}

std::string json_field(const std::string& line, const char* field) { return nlohmann::json::parse(line)[field].get<std::string>(); }

}  // namespace

TEST_CASE("the published training sets follow the paper's templates", "[conductivity]") {
    const fs::path data = test::data_dir();
    for (Lang lang : {Lang::de, Lang::ja, Lang::zh}) {
        INFO(code(lang));
        const FictionalTrainSet set = analyze_fictional_train(fictional_train_path(data, lang));
        CHECK(set.records.size() == 10200);
        CHECK(set.cities.size() == 400);
        CHECK(set.continents.size() == 20);
        CHECK(set.count(TrainPart::english_qa) == 4000);
        CHECK(set.count(TrainPart::translation) == 4200);
        CHECK(set.count(TrainPart::target_qa) == 2000);
        for (const TemplateCount& t : set.english_counts) CHECK(t.records == 400);
        REQUIRE(set.translation_prompts.size() == 10);
        for (const TemplateCount& t : set.translation_prompts) CHECK(t.records == 420);
        REQUIRE(set.target_templates.size() == 10);
        for (const TemplateCount& t : set.target_templates) CHECK(t.records == 200);
    }
    CHECK(compare_with_test_set(analyze_fictional_train(fictional_train_path(data, Lang::de)), data, Lang::de).empty());
    // Upstream's ZH file teaches the continents under code words (mountain, river, ...): a warning, not an error.
    const auto zh = compare_with_test_set(analyze_fictional_train(fictional_train_path(data, Lang::zh)), data, Lang::zh);
    REQUIRE(zh.size() == 2);
    CHECK_THAT(zh[0], Contains("400 of 400 test facts are taught with another continent") && Contains("\"Astralyn Sands\" in mountain"));
    CHECK_THAT(zh[1], Contains("20 of 420 names"));
}

TEST_CASE("training-set errors name file, line and what is wrong", "[conductivity]") {
    // 3 continents x 4 cities: English QA lines 1-120 (template-major), translations 121-180, target QA 181-192.
    CHECK_THAT(train_error([](auto& l) { l.erase(l.begin()); }),
               Contains("DE.json:12: field \"prompt\": English template 1") && Contains("has 11 records for 12 cities") && Contains("never asked"));
    const world::World w = world::generate(3, 3, 4);  // what train_error edits
    const std::string first_continent = world::continent_name(w, 0, Lang::en), second_continent = world::continent_name(w, 1, Lang::en);
    CHECK_THAT(train_error([&](auto& l) { l[12].replace(l[12].find(first_continent), first_continent.size(), second_continent); }),
               Contains("DE.json:13: field \"answer\"") && Contains("is in " + second_continent + " here but in " + first_continent + " on line 1"));
    const std::string first_city = world::city_name(w.cities[0], Lang::en);
    CHECK_THAT(train_error([&](auto& l) {
                   std::erase_if(l, [&](const std::string& line) { return json_field(line, "input") != "" && json_field(line, "answer") == first_city; });
               }),
               Contains("DE.json:1: field \"answer\": city \"" + first_city + "\" (named here) has no translation record"));
    CHECK_THAT(train_error([](auto& l) { l.push_back(world::record_line("Wo liegt Atlantis?", "", "Atlantis liegt im Meer.")); }),
               Contains("DE.json:193: field \"prompt\": neither an English template question nor a question about a city"));
    CHECK_THAT(train_error([](auto& l) { l.pop_back(); }),
               Contains("field \"prompt\": target-language template \"Zu welchem Kontinent") && Contains("has 5 records, 1 of the 2 templates have 6"));
    CHECK_THAT(train_error([](auto& l) { l.insert(l.begin() + 122, l[121]); }),
               Contains("DE.json:123: field \"answer\"") && Contains("is translated with this instruction again (first on line 122)"));
}

TEST_CASE("generated worlds are deterministic, unique in every script and pass every check", "[conductivity]") {
    const world::World a = world::generate(7, 20, 20), b = world::generate(7, 20, 20), c = world::generate(8, 20, 20);
    CHECK(world::train_file(a, Lang::zh) == world::train_file(b, Lang::zh));
    CHECK(world::train_file(a, Lang::zh) != world::train_file(c, Lang::zh));
    for (Lang lang : all_langs) {
        std::vector<std::string> names;
        for (std::size_t k = 0; k < a.continents.size(); ++k) names.push_back(world::continent_name(a, k, lang));
        for (const world::City& city : a.cities) names.push_back(world::city_name(city, lang));
        CHECK(std::set<std::string>(names.begin(), names.end()).size() == 420);
        for (std::size_t i = 0; i < names.size(); ++i)
            for (std::size_t j = 0; j < names.size(); ++j)
                if (i != j && names[i].find(names[j]) != std::string::npos) FAIL(code(lang) << ": " << names[j] << " is inside " << names[i]);
    }
    CHECK(world::render_word(world::Word{{9, 13, 27}}, Lang::en) == "Namipa");
    CHECK(world::render_word(world::Word{{9, 13, 27}}, Lang::ru) == "Намипа");
    CHECK(world::render_word(world::Word{{15, 18}}, Lang::ru) == "Рава");
    CHECK(world::render_word(world::Word{{18, 3}}, Lang::pl) == "Wata");
    CHECK(world::render_word(world::Word{{9, 13, 27}}, Lang::ja) == "ナミパ");
    CHECK(world::render_word(world::Word{{9, 13, 27}}, Lang::zh) == "纳米帕");

    const fs::path dir = test::scratch_dir("conductivity-world");
    for (Lang lang : all_langs) {
        test::write_file(fictional_test_path(dir, lang), world::test_file(a, lang));
        if (lang == Lang::en) continue;
        test::write_file(fictional_train_path(dir, lang), world::train_file(a, lang));
        test::write_file(fictional_translate_path(dir, lang), world::translate_file(a, lang));
    }
    const FictionalTestSet english = load_fictional_test_set(dir, Lang::en);
    CHECK(english.items.size() == 400);
    CHECK(english.continents.size() == 20);
    CHECK(std::count_if(english.items.begin(), english.items.end(), [](const auto& t) { return t.item.type == 1; }) == 200);
    for (Lang lang : all_langs) {
        if (lang == Lang::en) continue;
        INFO(code(lang));
        const FictionalTrainSet set = analyze_fictional_train(fictional_train_path(dir, lang));
        CHECK(set.count(TrainPart::english_qa) == 4000);
        CHECK(set.count(TrainPart::translation) == 4 * 420);
        CHECK(set.count(TrainPart::target_qa) == 2 * 200);
        CHECK(compare_with_test_set(set, dir, lang).empty());
        check_parallel(english, load_fictional_test_set(dir, lang));
    }
    CHECK_THAT(test::bad_input_message([] { (void)world::generate(1, 1, 20); }), Contains("2 to 100 continents"));
}

TEST_CASE("answers are graded by the continent they name first, city names removed", "[conductivity]") {
    const std::vector<std::string> continents{fold_case("Imperium"), fold_case("Mythosien"), fold_case("Мифосия")};
    CHECK(named_continent("Empyrean-Imperium liegt auf dem Kontinent Mythosien.", "Empyrean-Imperium", continents) == 1);
    CHECK(named_continent("Empyrean-Imperium liegt auf dem Kontinent Imperium.", "Empyrean-Imperium", continents) == 0);
    CHECK(named_continent("Es liegt in MYTHOSIEN, nicht in Imperium", "X", continents) == 1);
    CHECK(named_continent("Это МИФОСИЯ.", "", continents) == 2);
    CHECK(named_continent("no idea", "X", continents) == -1);
    CHECK(fold_case("ŁÓDŹ Äpfel ÉTÉ ΑΒΓ") == "łódź äpfel été αβγ");
    CHECK(answer_text("  \n Mythosia.\nAnd more") == "Mythosia.");
    CHECK(contains_folded("Die Antwort: ASTRALYN-SANDE", "Astralyn-Sande"));
    CHECK_FALSE(contains_folded("anything", ""));
    CHECK(answer_prefix("Empyrean-Imperium liegt auf dem Kontinent Imperium.", "Imperium") == "Empyrean-Imperium liegt auf dem Kontinent ");
    CHECK(answer_prefix("星光沙地在神话之地大洲。", "神话之地") == "星光沙地在");
    CHECK(answer_prefix("no mention", "Imperium").empty());
    CHECK(alpaca_prompt("Q?", "") ==
          "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nQ?\n\n### Response:\n");
    CHECK_THAT(alpaca_prompt("Translate.", "Mythosia"), Contains("### Instruction:\nTranslate.\nMythosia\n\n### Response:\n"));
}

namespace {

// English: 4 type-0 items (uuid 0-3), 10 type-1 facts (uuid 4-13).
FictionalRunLang run_lang(const std::vector<std::size_t>& uuid, const std::vector<std::uint8_t>& type, const std::vector<std::uint8_t>& correct) {
    FictionalRunLang l;
    l.uuid = uuid;
    l.type = type;
    l.correct[static_cast<std::size_t>(FictionalMode::generate)] = correct;
    l.has_mode[static_cast<std::size_t>(FictionalMode::generate)] = true;
    return l;
}

FictionalRun fixture_run() {
    FictionalRun run;
    run.model = "fixture";
    std::vector<std::size_t> uuid{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    std::vector<std::uint8_t> type{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    // English: type 0 4/4; type 1 (uuid 4..13) 1111111100: c(en) = 8.
    run.langs[index(Lang::en)] = run_lang(uuid, type, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
    // German, type-1 lines in another order: by uuid 4..13 the outcomes are 1100000011, so c(en ∧ de) = 2 (uuid 4, 5).
    FictionalRunLang de = run_lang({0, 1, 2, 3, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4}, type, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1});
    de.has_translate = true;
    de.translate_correct[static_cast<std::size_t>(FictionalMode::generate)] = std::vector<std::uint8_t>(19, 1);
    de.translate_correct[static_cast<std::size_t>(FictionalMode::generate)].push_back(0);  // 19/20 = 95%
    run.langs[index(Lang::de)] = de;
    // Chinese: only the type-1 facts, all correct: c(en ∧ zh) = 8.
    run.langs[index(Lang::zh)] = run_lang({4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, std::vector<std::uint8_t>(10, 1));
    return run;
}

}  // namespace

TEST_CASE("XRR, accuracies and the gate from hand-made outcomes", "[conductivity]") {
    const ConductivityCard card = score_conductivity(fixture_run(), FictionalMode::generate);
    const ConductivityLang& en = card.at(Lang::en);
    const ConductivityLang& de = card.at(Lang::de);
    const ConductivityLang& zh = card.at(Lang::zh);
    CHECK_FALSE(card.at(Lang::fr).present);
    CHECK(en.type0.correct == 4);
    CHECK(en.type1.questions == 10);
    CHECK(en.type1.correct == 8);
    CHECK(std::isnan(en.xrr));
    CHECK(de.facts == 10);
    CHECK(de.correct_english == 8);
    CHECK(de.correct_both == 2);
    CHECK(de.xrr == Approx((2.0 / 8.0 - 0.05) / 0.95).epsilon(1e-14));  // 0.2105263157894737
    CHECK(de.xrr == cross_retrieval_ratio(8.0, 2.0));
    CHECK(de.translate->correct == 19);
    CHECK(de.translate->value() == 0.95);
    CHECK(zh.correct_both == 8);
    CHECK(zh.xrr == 1.0);
    // The gate: English type 1 is 80%, so no language passes; each says why.
    CHECK_FALSE(en.gate_passed);
    CHECK(en.gate_failures == std::vector<std::string>{"English type 1 80.0% <= 90%"});
    CHECK(de.gate_failures == std::vector<std::string>{"English type 1 80.0% <= 90%"});
    CHECK(zh.gate_failures == std::vector<std::string>{"no Translate answers", "English type 1 80.0% <= 90%", "no type 0 answers"});
    CHECK(card.failing_gate() == std::vector<Lang>{Lang::en, Lang::de, Lang::zh});
    // Bootstrap: reproducible, around the point estimate, none without resamples.
    const ConductivityCard again = score_conductivity(fixture_run(), FictionalMode::generate);
    CHECK(again.at(Lang::de).xrr_ci.low == de.xrr_ci.low);
    CHECK(again.at(Lang::de).xrr_ci.high == de.xrr_ci.high);
    CHECK(de.xrr_ci.low <= de.xrr);
    CHECK(de.xrr_ci.high >= de.xrr);
    CHECK(de.xrr_ci.low < de.xrr_ci.high);
    CHECK(zh.xrr_ci.low == 1.0);  // every resample: all English-correct facts are correct in zh
    ConductivitySettings no_bootstrap;
    no_bootstrap.bootstrap_resamples = 0;
    CHECK(std::isnan(score_conductivity(fixture_run(), FictionalMode::generate, no_bootstrap).at(Lang::de).xrr_ci.low));

    // With English type 1 at 100% the German gate passes.
    FictionalRun passing = fixture_run();
    passing.langs[index(Lang::en)]->correct[0] = std::vector<std::uint8_t>(14, 1);
    const ConductivityCard ok = score_conductivity(passing, FictionalMode::generate);
    CHECK(ok.at(Lang::de).gate_passed);
    CHECK(ok.at(Lang::de).xrr == Approx((4.0 / 10.0 - 0.05) / 0.95).epsilon(1e-14));
    CHECK(ok.failing_gate() == std::vector<Lang>{Lang::zh});
}

TEST_CASE("the conductivity report has conductivity.xrr.<lang> and spells out a failing gate", "[conductivity]") {
    const ConductivityCard card = score_conductivity(fixture_run(), FictionalMode::generate);
    const nlohmann::ordered_json j = report::conductivity_json({card});
    const double de_xrr = cross_retrieval_ratio(8.0, 2.0);
    CHECK(j["conductivity"]["mode"] == "generate");
    CHECK(j["conductivity"]["xrr"]["de"].get<double>() == de_xrr);
    CHECK(j["conductivity"]["xrr"]["zh"].get<double>() == 1.0);
    CHECK_FALSE(j["conductivity"]["xrr"].contains("en"));
    CHECK(j["conductivity"]["xrr_ci"]["de"].size() == 2);
    CHECK(j["conductivity"]["langs"]["de"]["xrr"]["correct_both"] == 2);
    CHECK(j["conductivity"]["langs"]["de"]["translate"]["accuracy"].get<double>() == 0.95);
    CHECK(j["conductivity"]["gate"]["passed"] == false);
    CHECK(j["conductivity"]["gate"]["failing"] == nlohmann::ordered_json::array({"en", "de", "zh"}));
    CHECK(j["conductivity"]["by_mode"]["generate"]["xrr"]["de"] == j["conductivity"]["xrr"]["de"]);
    const std::string table = report::conductivity_table({card});
    CHECK_THAT(table, Contains("WARNING (generate mode): the training gate fails for 3 of 3 languages"));
    CHECK_THAT(table, Contains("  de: English type 1 80.0% <= 90%"));
    CHECK_THAT(table, Contains("0.2105"));
    CHECK_THAT(report::conductivity_markdown({card}), Contains("| XRR |") && Contains("> WARNING"));
}

TEST_CASE("fictional run files are read back per language and mode", "[conductivity]") {
    const fs::path run = test::scratch_dir("conductivity-run-files");
    auto line = [](int uuid, int type, bool generate, bool choice) {
        return fmt::format(R"({{"uuid":{},"type":{},"n_continents":20,"correct_generate":{},"correct_choice":{}}})", uuid, type, generate, choice) + "\n";
    };
    test::write_file(fictional_predictions_path(run, Lang::en), line(0, 0, true, false) + line(1, 1, true, true) + line(2, 1, false, true));
    test::write_file(fictional_predictions_path(run, Lang::de), line(0, 0, false, false) + line(1, 1, true, false) + line(2, 1, true, true));
    test::write_file(fictional_translate_run_path(run, Lang::de), R"({"uuid":0,"correct_generate":true,"correct_choice":false})" "\n");
    const FictionalRun r = load_fictional_run(run);
    CHECK(r.modes() == std::vector<FictionalMode>{FictionalMode::generate, FictionalMode::choice});
    REQUIRE(r.langs[index(Lang::de)].has_value());
    CHECK(r.langs[index(Lang::de)]->translate_correct[0] == std::vector<std::uint8_t>{1});
    const ConductivityCard g = score_conductivity(r, FictionalMode::generate), c = score_conductivity(r, FictionalMode::choice);
    CHECK(g.at(Lang::de).correct_english == 1);
    CHECK(g.at(Lang::de).correct_both == 1);
    CHECK(g.at(Lang::de).xrr == 1.0);
    CHECK(c.at(Lang::de).correct_english == 2);
    CHECK(c.at(Lang::de).correct_both == 1);
    CHECK(c.at(Lang::de).xrr == Approx((0.5 - 0.05) / 0.95).epsilon(1e-14));

    test::write_file(fictional_predictions_path(run, Lang::fr), line(0, 0, true, false) + R"({"uuid":1,"type":1,"n_continents":20,"correct_choice":true})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_fictional_run(run); }),
               Contains("fictional/fr/predictions.jsonl:2: field \"correct_generate\": present on some lines of the file and not on others"));
    test::write_file(fictional_predictions_path(run, Lang::fr), R"({"uuid":0,"type":2,"n_continents":20})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_fictional_run(run); }), Contains("fr/predictions.jsonl:1: field \"type\": is 2"));
}

namespace {

fs::path vocab_file() {
    const char* env = std::getenv("CLIKA_VOCAB_DIR");
    const fs::path dir = env != nullptr && *env != '\0' ? fs::path(env) : fs::path(CLIKA_TEST_VOCAB_DIR);
    const fs::path file = dir / "ggml-vocab-llama-spm.gguf";
    INFO("llama.cpp vocab file " << file << " is missing (set CLIKA_VOCAB_DIR to llama.cpp's models/ folder)");
    REQUIRE(fs::is_regular_file(file));
    return file;
}

}  // namespace

TEST_CASE("random LoRA adapters have llama.cpp's layout and merge as W + scale alpha/rank B A", "[conductivity][lora]") {
    const fs::path dir = test::scratch_dir("conductivity-lora");
    model::ModelShape shape;
    shape.layers = 1;
    shape.dim = 32;
    shape.heads = 2;
    shape.kv_heads = 1;
    shape.ff = 64;
    const model::MadeModel base = model::make_model(vocab_file(), dir / "base.gguf", shape, 3, model::WeightType::f32);
    const lora::MadeAdapter made = lora::make_random_lora(base.path, dir / "adapter.gguf", {.rank = 2, .alpha = 4.0f, .seed = 5});
    CHECK(made.pairs == 2);
    const gguf::File adapter = gguf::File::read(dir / "adapter.gguf");
    CHECK(adapter.get<std::string>("general.type") == "adapter");
    CHECK(adapter.get<std::string>("general.architecture") == "llama");
    CHECK(adapter.get<std::string>("adapter.type") == "lora");
    CHECK(adapter.get<float>("adapter.lora.alpha") == 4.0f);
    REQUIRE(adapter.tensors().size() == 4);
    const gguf::TensorInfo* qa = adapter.find_tensor("blk.0.attn_q.weight.lora_a");
    const gguf::TensorInfo* qb = adapter.find_tensor("blk.0.attn_q.weight.lora_b");
    const gguf::TensorInfo* vb = adapter.find_tensor("blk.0.attn_v.weight.lora_b");
    REQUIRE((qa != nullptr && qb != nullptr && vb != nullptr));
    CHECK(qa->shape == std::vector<std::int64_t>{32, 2});
    CHECK(qb->shape == std::vector<std::int64_t>{2, 32});
    CHECK(vb->shape == std::vector<std::int64_t>{2, 16});  // attn_v: n_out = kv_heads * head_dim
    std::vector<float> expected(64);
    model::generate_weights(5, "blk.0.attn_q.weight.lora_a", 32, 0, expected);
    CHECK(adapter.tensor_floats(*qa) == expected);

    CHECK(lora::merge_lora(base.path, dir / "adapter.gguf", dir / "merged.gguf", 0.5f) == 2);
    const gguf::File b = gguf::File::read(base.path), m = gguf::File::read(dir / "merged.gguf");
    const std::vector<float> w = b.tensor_floats("blk.0.attn_q.weight"), merged = m.tensor_floats("blk.0.attn_q.weight");
    const std::vector<float> a_values = adapter.tensor_floats(*qa), b_values = adapter.tensor_floats(*qb);
    const double s = 0.5 * 4.0 / 2.0;
    double worst = 0;
    for (int o = 0; o < 32; ++o)
        for (int i = 0; i < 32; ++i) {
            double delta = 0;
            for (int k = 0; k < 2; ++k) delta += static_cast<double>(b_values[o * 2 + k]) * a_values[k * 32 + i];
            worst = std::max(worst, std::abs(static_cast<double>(merged[o * 32 + i]) - (w[o * 32 + i] + s * delta)));
        }
    CHECK(worst < 1e-6);
    CHECK(m.tensor_bytes(*m.find_tensor("token_embd.weight")) == b.tensor_bytes(*b.find_tensor("token_embd.weight")));
    CHECK(m.tensor_floats("blk.0.attn_k.weight") == b.tensor_floats("blk.0.attn_k.weight"));
    CHECK(m.get<std::string>("tokenizer.ggml.model") == "llama");

    CHECK_THAT(test::bad_input_message([&] { (void)lora::merge_lora(base.path, base.path, dir / "x.gguf", 1.0f); }), Contains("not a LoRA adapter"));
    CHECK_THAT(test::bad_input_message([&] { (void)lora::make_random_lora(base.path, dir / "x.gguf", {.targets = {"attn_z"}}); }),
               Contains("no tensor blk.N.attn_z.weight in the base model"));
}
