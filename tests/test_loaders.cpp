#include <string>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "clika/dataset.hpp"
#include "clika/fictional.hpp"
#include "clika/predictions.hpp"
#include "clika/results.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;

namespace {

const std::string good_geo =
    R"({"id": 0, "questions": "Q0?", "answers": ["a", "b", "c", "d"], "label": 1})" "\n"
    R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": 3})" "\n";

// A data folder holding x_geo for English and German only.
fs::path geo_folder(std::string_view name, const std::string& english, const std::string& german) {
    fs::path root = test::scratch_dir(name);
    test::write_file(root / "x_geo" / "en" / "en_geo_data.jsonl", english);
    test::write_file(root / "x_geo" / "de" / "de_geo_data.jsonl", german);
    return root;
}


}  // namespace

TEST_CASE("loaders reject bad lines with file, line and what was wrong") {
    struct Case {
        const char* what;
        std::string second_line;
        const char* message;
    };
    const Case c = GENERATE(values<Case>({
        {"malformed JSON", R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": 3)", "malformed JSON"},
        {"missing field", R"({"id": 1, "answers": ["a", "b", "c", "d"], "label": 3})", "field \"questions\": missing field"},
        {"label out of range", R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": 4})", "label 4 is out of range (expected 0..3)"},
        {"negative label", R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": -1})", "label -1 is out of range"},
        {"wrong type", R"({"id": 1, "questions": 7, "answers": ["a", "b", "c", "d"], "label": 3})", "is an integer (expected a string)"},
        {"too few options", R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c"], "label": 0})", "has 3 options (expected 4)"},
        {"invalid UTF-8", "{\"id\": 1, \"questions\": \"Q\xC3\x28?\", \"answers\": [\"a\", \"b\", \"c\", \"d\"], \"label\": 3}", "invalid UTF-8"},
        {"duplicate uuid", R"({"id": 0, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": 3})", "duplicate id \"0\" (first seen on line 1)"},
        {"not an object", R"(["id", 1])", "is an array (expected a JSON object)"},
        {"duplicate key", R"({"id": 1, "questions": "Q1?", "questions": "Q2?", "answers": ["a", "b", "c", "d"], "label": 3})",
         "field \"questions\": appears twice in one object (expected every key once per object)"},
        {"nested duplicate key", R"({"id": 1, "questions": "Q1?", "answers": ["a", "b", "c", "d"], "label": 3, "x": [{"k": 1, "k": 2}]})",
         "field \"k\": appears twice"},
    }));
    CAPTURE(c.what);
    const std::string english = R"({"id": 0, "questions": "Q0?", "answers": ["a", "b", "c", "d"], "label": 1})" "\n" + c.second_line + "\n";
    fs::path root = geo_folder("bad-lines", english, good_geo);
    const std::string message = test::bad_input_message([&] { (void)load_questions(root, Task::x_geo, Lang::en); });
    CHECK_THAT(message, Contains("en_geo_data.jsonl:2"));
    CHECK_THAT(message, Contains(c.message));
}

TEST_CASE("a language with a different question count than English is refused") {
    fs::path root = geo_folder("count", good_geo, R"({"id": 0, "questions": "Q0?", "answers": ["a", "b", "c", "d"], "label": 1})" "\n");
    const std::string message = test::bad_input_message([&] { (void)load_task(root, Task::x_geo, {Lang::en, Lang::de}); });
    CHECK_THAT(message, Contains("de_geo_data.jsonl"));
    CHECK_THAT(message, Contains("has 1 questions but English"));
}

TEST_CASE("a language whose questions differ from English's is refused") {
    std::string german = good_geo;
    german.replace(german.find("\"id\": 1"), 7, "\"id\": 9");
    fs::path root = geo_folder("ids", good_geo, german);
    const std::string message = test::bad_input_message([&] { (void)load_task(root, Task::x_geo, {Lang::en, Lang::de}); });
    CHECK_THAT(message, Contains("de_geo_data.jsonl:2"));
    CHECK_THAT(message, Contains("has id \"9\" but English has \"1\""));
}

TEST_CASE("a missing file is named") {
    fs::path root = test::scratch_dir("missing");
    const std::string message = test::bad_input_message([&] { (void)load_questions(root, Task::x_name, Lang::ja); });
    CHECK_THAT(message, Contains("x_name/ja/ja_name_data_generate.jsonl: file not found"));
}

TEST_CASE("blank lines are not questions, and an empty file is an error") {
    fs::path root = geo_folder("blank", "\n" + good_geo + "\n\n", "");
    CHECK(load_questions(root, Task::x_geo, Lang::en).size() == 2);
    CHECK_THAT(test::bad_input_message([&] { (void)load_questions(root, Task::x_geo, Lang::de); }), Contains("no questions"));
}

TEST_CASE("x_csqa options must be labelled A to E in order") {
    fs::path root = test::scratch_dir("csqa");
    test::write_file(root / "x_csqa" / "en" / "validation.jsonl",
                     R"({"id": "q", "question": {"stem": "S", "choices": {"label": ["A", "C", "B", "D", "E"], "text": ["1", "2", "3", "4", "5"]}}, "answerKey": "B"})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_questions(root, Task::x_csqa, Lang::en); }), Contains("validation.jsonl:1: field \"question.choices.label\""));
}

TEST_CASE("prediction letters follow the paper: first character after stripping, empty is wrong") {
    CHECK(predicted_letter("B.", 4) == 'B');
    CHECK(predicted_letter("  \n D</s>", 4) == 'D');
    CHECK(predicted_letter("\xE3\x80\x80" "C", 4) == 'C');  // ideographic space, as Python's strip() removes it
    CHECK(predicted_letter("", 4) == 0);
    CHECK(predicted_letter("   ", 4) == 0);
    CHECK(predicted_letter("E.", 4) == 0);  // not an option of a 4-way task
    CHECK(predicted_letter("The answer is A", 4) == 0);
}

TEST_CASE("prediction files reject labels that are not option letters") {
    fs::path file = test::scratch_dir("pred") / "p.jsonl";
    test::write_file(file, R"({"id": 0, "input": "x", "res": "A.", "label": "F", "uuid": 5})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_predictions(file, Task::x_geo); }), Contains("p.jsonl:1: field \"label\": label \"F\" is not an option letter (expected one of ABCD)"));
}

TEST_CASE("a run's prediction whose res contradicts its own scores is refused, naming the line") {
    fs::path file = test::scratch_dir("pred-scores") / "p.jsonl";
    test::write_file(file, R"({"id": 0, "input": "x", "res": "B", "label": "A", "uuid": 5, "scores": [-1.0, -2.0, -0.5, -3.0]})" "\n"
                           R"({"id": 1, "input": "x", "res": "B", "label": "A", "uuid": 6, "scores": [-1.0, -0.5, -2.0, -3.0]})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_predictions(file, Task::x_geo); }),
               Contains("p.jsonl:1: field \"res\": \"B\" contradicts the line's scores, whose first maximum is option C"));
    test::write_file(file, R"({"id": 1, "input": "x", "res": "B", "label": "A", "uuid": 6, "scores": [-1.0, -0.5, -0.5, -3.0]})" "\n");
    CHECK(load_predictions(file, Task::x_geo).predicted == std::vector<char>{'B'});  // ties: the first maximum
}

TEST_CASE("results align other languages to English by uuid, not by line order") {
    ResultSet set;
    set.put(Task::x_geo, Lang::en, LangResults{"en", {"a", "b", "c"}, {1, 0, 1}, {'A', 'B', 'A'}, {'A', 'A', 'A'}});
    set.put(Task::x_geo, Lang::de, LangResults{"de", {"c", "a", "b"}, {0, 1, 1}, {'B', 'A', 'A'}, {'A', 'A', 'A'}});
    AlignedTask aligned = align(set, Task::x_geo);
    REQUIRE(aligned.correct[index(Lang::de)].has_value());
    CHECK(*aligned.correct[index(Lang::de)] == std::vector<std::uint8_t>{1, 1, 0});

    set.put(Task::x_geo, Lang::fr, LangResults{"fr.jsonl", {"a", "b", "z"}, {0, 1, 1}, {'B', 'A', 'A'}, {'A', 'A', 'A'}});
    CHECK_THAT(test::bad_input_message([&] { (void)align(set, Task::x_geo); }), Contains("fr.jsonl:3: field \"uuid\": question \"z\" is not among English's questions"));
}

TEST_CASE("fictional tags split into sentence, continent, city and type") {
    auto tags = parse_fictional_tags("星光沙地在神话之地大洲。[[continent:神话之地]][[city:星光沙地]][[type:1]]");
    REQUIRE(tags.has_value());
    CHECK(tags->text == "星光沙地在神话之地大洲。");
    CHECK(tags->continent == "神话之地");
    CHECK(tags->city == "星光沙地");
    CHECK(tags->type == 1);
    CHECK_FALSE(parse_fictional_tags("no tags").has_value());
    CHECK_FALSE(parse_fictional_tags("x[[continent:A]][[city:B]][[type:2]]").has_value());
    CHECK_FALSE(parse_fictional_tags("x[[continent:A]][[type:0]]").has_value());
}

TEST_CASE("the shared fictional files load, half of each test set is type 1, and every name is translated") {
    const fs::path data = test::data_dir();
    for (Lang lang : all_langs) {
        CAPTURE(code(lang));
        const auto test_items = load_fictional_test(data, lang);
        CHECK(test_items.size() == 400);
        CHECK(std::count_if(test_items.begin(), test_items.end(), [](const FictionalItem& i) { return i.type == 1; }) == 200);
        if (lang == Lang::en) continue;
        CHECK(load_fictional_train(data, lang).size() > 1000);
        CHECK(load_fictional_translations(data, lang).size() == 420);
    }
}

TEST_CASE("a fictional test item without tags is refused with its line") {
    fs::path root = test::scratch_dir("fict-tags");
    test::write_file(root / "fictional" / "test" / "target" / "testDE.jsonl",
                     R"({"prompt": "p", "input": "", "answer": "a[[continent:A]][[city:B]][[type:0]]"})" "\n"
                     R"({"prompt": "p", "input": "", "answer": "untagged"})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_fictional_test(root, Lang::de); }), Contains("testDE.jsonl:2: field \"answer\": tags are missing or malformed"));
}

TEST_CASE("a file starting with a UTF-8 byte-order mark is named as such, not as malformed JSON") {
    fs::path root = geo_folder("bom", "\xEF\xBB\xBF" + good_geo, good_geo);
    const std::string message = test::bad_input_message([&] { (void)load_questions(root, Task::x_geo, Lang::en); });
    CHECK_THAT(message, Contains("en_geo_data.jsonl:1: the file starts with a UTF-8 byte-order mark (BOM)"));
    CHECK_THAT(message, !Contains("malformed"));
}

TEST_CASE("a nested field of the wrong type is named by its whole path") {
    struct Case {
        const char* what;
        std::string line;
        const char* message;
    };
    const Case c = GENERATE(values<Case>({
        {"option text", R"({"id": "q1", "question": {"stem": "S?", "choices": {"label": ["A","B","C","D","E"], "text": ["a","b",5,"d","e"]}}, "answerKey": "A"})",
         "field \"question.choices.text[2]\": is an integer (expected a string)"},
        {"stem", R"({"id": "q1", "question": {"stem": ["S?"], "choices": {"label": ["A","B","C","D","E"], "text": ["a","b","c","d","e"]}}, "answerKey": "A"})",
         "field \"question.stem\": is an array (expected a string)"},
        {"question not an object", R"({"id": "q1", "question": "S?", "answerKey": "A"})", "field \"question\": is a string (expected an object)"},
        {"choices not an object", R"({"id": "q1", "question": {"stem": "S?", "choices": [1]}, "answerKey": "A"})",
         "field \"question.choices\": is an array (expected an object)"},
        {"missing nested", R"({"id": "q1", "question": {"stem": "S?", "choices": {"label": ["A","B","C","D","E"]}}, "answerKey": "A"})",
         "field \"question.choices.text\": missing field"},
        {"option label", R"({"id": "q1", "question": {"stem": "S?", "choices": {"label": ["A","B",3,"D","E"], "text": ["a","b","c","d","e"]}}, "answerKey": "A"})",
         "field \"question.choices.label[2]\": is an integer"},
    }));
    CAPTURE(c.what);
    fs::path root = test::scratch_dir("nested-csqa");
    test::write_file(raw_questions_path(root, Task::x_csqa, Lang::en), c.line + "\n");
    const std::string message = test::bad_input_message([&] { (void)load_questions(root, Task::x_csqa, Lang::en); });
    CHECK_THAT(message, Contains(raw_questions_path(root, Task::x_csqa, Lang::en).filename().string() + ":1: " + std::string(c.message)));
}

TEST_CASE("a prediction's score that is not a number is named by its index") {
    fs::path file = test::scratch_dir("pred-score-type") / "p.jsonl";
    test::write_file(file, R"({"id": 0, "input": "x", "res": "A", "label": "A", "uuid": 5, "scores": [-1.0, "x", -0.5, -3.0]})" "\n");
    CHECK_THAT(test::bad_input_message([&] { (void)load_predictions(file, Task::x_geo); }), Contains("p.jsonl:1: field \"scores[1]\": is a string"));
}
