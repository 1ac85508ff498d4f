#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/eval/runner.hpp"
#include "clika/run_store.hpp"
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
