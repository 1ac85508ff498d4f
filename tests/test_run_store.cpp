#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/eval/runner.hpp"
#include "clika/run/prediction_line.hpp"
#include "clika/run/writer.hpp"
#include "clika/scoring.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;

namespace {

std::vector<Question> questions(std::size_t n) {
    std::vector<Question> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back({.task = Task::x_geo, .lang = Lang::de, .uuid = std::to_string(i), .uuid_is_integer = true,
                       .stem = "Q" + std::to_string(i), .options = {"a", "b", "c", "d"}, .label = static_cast<int>(i % 4)});
    return out;
}

std::string lines_for(const std::vector<Question>& qs, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        QuestionOutcome o;
        o.scores = {-1.0, -2.0, -0.5, -3.0};
        o.predicted = 2;
        out += prediction_line(i, qs[i], "prompt", ScoringMode::letter, o, "C");
    }
    return out;
}

}  // namespace

TEST_CASE("prediction lines are upstream records plus scores, and keep integer uuids as integers") {
    const auto qs = questions(2);
    QuestionOutcome o;
    o.scores = {-1.5, -0.25, -3.0, -2.0};
    o.predicted = 1;
    o.greedy_next = 42;
    const auto line = nlohmann::json::parse(prediction_line(7, qs[1], "P", ScoringMode::letter, o, "\xAD"));
    CHECK(line["id"] == 7);
    CHECK(line["input"] == "P");
    CHECK(line["res"] == "B");
    CHECK(line["label"] == "B");
    CHECK(line["uuid"] == 1);
    CHECK(line["scores"] == std::vector<double>{-1.5, -0.25, -3.0, -2.0});
    CHECK(line["greedy"] == "\xEF\xBF\xBD");  // a lone byte token becomes U+FFFD instead of invalid JSON
    CHECK(line["greedy_token"] == 42);
}

TEST_CASE("a resumed prediction file keeps whole chunks and drops a torn tail") {
    const auto qs = questions(20);
    const fs::path file = test::scratch_dir("resume") / "predictions.jsonl";
    test::write_file(file, lines_for(qs, 0, 13) + R"({"id": 13, "inp)");
    PredictionWriter writer(file, uuids_of(qs), 4);
    CHECK(writer.done() == 12);
    CHECK(test::read_file(file) == lines_for(qs, 0, 12));
    writer.append(lines_for(qs, 12, 16), 4);
    CHECK(writer.done() == 16);
}

TEST_CASE("a finished prediction file is kept whole even when its last chunk is short") {
    const auto qs = questions(10);
    const fs::path file = test::scratch_dir("finished") / "predictions.jsonl";
    test::write_file(file, lines_for(qs, 0, 10));
    PredictionWriter writer(file, uuids_of(qs), 4);
    CHECK(writer.done() == 10);
}

TEST_CASE("resuming onto different questions is refused with the line") {
    auto qs = questions(8);
    const fs::path file = test::scratch_dir("mismatch") / "predictions.jsonl";
    test::write_file(file, lines_for(qs, 0, 8));
    qs[5].uuid = "other";
    try {
        PredictionWriter writer(file, uuids_of(qs), 4);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("predictions.jsonl:6: field \"uuid\": answered question \"5\" is not question 6 of this run"));
    }
}

TEST_CASE("a run directory made by another command is refused, naming what differs") {
    const fs::path dir = test::scratch_dir("manifest");
    OrderedJson a{{"mode", "letter"}, {"shots", 1}};
    (void)open_run_dir(dir, a);
    (void)open_run_dir(dir, a);  // the same command resumes
    (void)open_run_dir(dir, OrderedJson{{"shots", 1}, {"mode", "letter"}});  // the same manifest, keys in another order
    OrderedJson b{{"mode", "loglik"}, {"shots", 1}};
    try {
        (void)open_run_dir(dir, b);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("mode: \"loglik\" here, \"letter\" in the run"));
    }
    try {
        (void)open_run_dir(dir, OrderedJson{{"mode", "letter"}});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("shots: absent here, 1 in the run"));
    }
}

TEST_CASE("a run.json with a key twice is refused with file:line and the key, not read as whichever value wins") {
    const fs::path dir = test::scratch_dir("manifest-duplicate");
    const OrderedJson wanted{{"mode", "letter"}, {"shots", 1}};
    // nlohmann keeps the last "mode" (this command's), simdjson and Python-based tools disagree on which one counts.
    const std::string text = "{\n  \"mode\": \"loglik\",\n  \"shots\": 1,\n  \"mode\": \"letter\"\n}\n";
    test::write_file(dir / "run.json", text);
    try {
        (void)open_run_dir(dir, wanted);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        CHECK(e.where().line == 4);
        CHECK(e.where().field == "mode");
        CHECK_THAT(e.what(), Contains("run.json:4: field \"mode\": appears twice in one object"));
    }
    CHECK(test::read_file(dir / "run.json") == text);  // refused before anything is changed
    // score --run reads the same manifest the same way.
    const auto qs = questions(4);
    test::write_file(run_predictions_path(dir, Task::x_geo, Lang::de), lines_for(qs, 0, 4));
    CHECK_THROWS_WITH(score_run(dir), Contains("run.json:4: field \"mode\": appears twice"));
}

TEST_CASE("run.json is read strictly: nested duplicates, trailing bytes, numbers out of range and a BOM name file:line") {
    const fs::path dir = test::scratch_dir("manifest-strict");
    const fs::path file = dir / "run.json";
    auto refused = [&](const std::string& text) -> std::string {
        test::write_file(file, text);
        try {
            (void)read_run_manifest(file);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_input);
            return e.what();
        }
        return "accepted";
    };
    CHECK_THAT(refused("{\n  \"backend\": {\n    \"batch\": 512,\n    \"batch\": 8\n  }\n}\n"),
               Contains("run.json:4: field \"backend.batch\": appears twice in one object"));
    CHECK_THAT(refused("{\"letter_continuations\": [{\"x\": 1, \"x\": 1}]}"), Contains("run.json:1: field \"letter_continuations.x\": appears twice"));
    CHECK_THAT(refused("{\n  \"mode\": \"letter\"\n}\n\n{}\n"), Contains("run.json:5: unreadable run manifest"));
    CHECK_THAT(refused("{\n  \"chunk\": 8,\n  \"limit\": 1e999\n}\n"), Contains("run.json:3: unreadable run manifest"));
    CHECK_THAT(refused("{\"limit\": NaN}"), Contains("run.json:1: unreadable run manifest"));
    CHECK_THAT(refused("\xEF\xBB\xBF{\"mode\": \"letter\"}"), Contains("run.json:1: the file starts with a UTF-8 byte-order mark"));
    // Equal keys in different objects are fine.
    test::write_file(file, R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})");
    const nlohmann::json read = read_run_manifest(file);
    CHECK(read["b"]["x"] == 2);
    CHECK(read["c"][1]["x"] == 2);
}

TEST_CASE("a run directory being written is locked against a second run") {
    const fs::path dir = test::scratch_dir("manifest-lock");
    const OrderedJson m{{"mode", "letter"}};
    {
        const RunLock held = open_run_dir(dir, m);
        try {
            (void)open_run_dir(dir, m);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_input);
            CHECK_THAT(e.what(), Contains("being written by another clika run"));
        }
    }
    CHECK_NOTHROW((void)open_run_dir(dir, m));  // released with its holder
}

TEST_CASE("answers in a run directory whose run.json is gone are never adopted") {
    const fs::path dir = test::scratch_dir("manifest-lost");
    test::write_file(dir / "x_geo" / "EN" / "predictions.jsonl", "{\"uuid\": \"1\"}\n");
    try {
        (void)open_run_dir(dir, OrderedJson{{"mode", "letter"}});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("predictions.jsonl: answers in a run directory without run.json"));
    }
    CHECK_FALSE(fs::exists(dir / "run.json"));
}

TEST_CASE("a refused resume leaves the prediction file untouched") {
    const auto qs = questions(8);
    const fs::path file = test::scratch_dir("resume-refused") / "predictions.jsonl";
    const std::string text = lines_for(qs, 0, 6) + R"({"id": 6, "inp)";
    test::write_file(file, text);
    auto other = qs;
    other[1].uuid = "changed";
    CHECK_THROWS_WITH(PredictionWriter(file, uuids_of(other), 4), Contains("is not question 2 of this run"));
    CHECK(test::read_file(file) == text);
}

TEST_CASE("an exact -inf score is written as \"-inf\" (JSON has no infinities) and read back as -inf") {
    const auto qs = questions(1);
    QuestionOutcome o;
    o.scores = {-1.0, -std::numeric_limits<double>::infinity(), -0.5, -3.0};
    o.predicted = 2;
    const std::string line = prediction_line(0, qs[0], "P", ScoringMode::letter, o, "C");
    CHECK_THAT(line, Contains(R"("scores":[-1.0,"-inf",-0.5,-3.0])"));
    const fs::path file = test::scratch_dir("minus-inf-line") / "predictions.jsonl";
    test::write_file(file, line);
    const LangResults r = load_predictions(file, Task::x_geo);
    REQUIRE(r.option_scores.size() == 1);
    CHECK(r.option_scores[0][1] == -std::numeric_limits<double>::infinity());
    CHECK(r.predicted[0] == 'C');
    // null stays refused: it is what a NaN became before NaN scores were refused at the plugin boundary.
    std::string nan_line = line;
    nan_line.replace(nan_line.find("\"-inf\""), 6, "null");
    test::write_file(file, nan_line);
    CHECK_THROWS_WITH(load_predictions(file, Task::x_geo), Contains("scores[1]") && Contains("is null"));
}
