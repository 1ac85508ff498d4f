// The evaluation pipeline without a model: the planner's shared-prefix rule and packing, the resumable runner over
// item sources (chunks, torn tails, errors), and a multiple-choice run on an in-process fake backend.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/eval/multiple_choice.hpp"
#include "clika/eval/planner.hpp"
#include "clika/eval/runner.hpp"
#include "fake_backend.hpp"
#include "test_support.hpp"

namespace {

using namespace clika;
using Catch::Matchers::Contains;

// Bytes as tokens (id = byte + 1, BOS = 0); log p(token | n tokens before) = -(token % 5 + 1) / (n + 1); greedy
// decoding always starts with "A".
test::FakeBackend byte_backend() {
    return test::FakeBackend(test::FakeModel{
        .logprob = [](std::size_t n, Token t) { return -static_cast<double>(t % 5 + 1) / static_cast<double>(n + 1); },
        .greedy = [](std::size_t) { return static_cast<Token>('A' + 1); },
    });
}

std::vector<Question> questions(std::size_t n) {
    std::vector<Question> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i].task = Task::x_geo;
        out[i].lang = Lang::en;
        out[i].uuid = fmt::format("q{}", i);
        out[i].stem = fmt::format("Question number {}?", i);
        out[i].options = {"north", "south", "east", "west"};
        out[i].label = static_cast<int>(i % 4);
    }
    return out;
}

// A source whose answers are "line <uuid>"; records which chunks it was asked for.
ItemSource counting_source(const std::filesystem::path& path, std::size_t n, std::vector<std::pair<std::size_t, std::size_t>>& asked) {
    ItemSource s;
    s.label = "test";
    s.path = path;
    for (std::size_t i = 0; i < n; ++i) s.uuids.push_back(fmt::format("u{}", i));
    s.answer = [&asked, uuids = s.uuids](std::size_t start, std::size_t end) {
        asked.emplace_back(start, end);
        std::string lines;
        for (std::size_t i = start; i < end; ++i) lines += fmt::format(R"({{"uuid": "{}"}})", uuids[i]) + "\n";
        return lines;
    };
    return s;
}

}  // namespace

TEST_CASE("the shared prefix is the common prefix, leaving every sequence one token of its own") {
    const std::vector<Tokens> contexts{{1, 2, 3, 4}, {1, 2, 3, 5, 6}, {1, 2, 3, 4, 7}};
    CHECK(shared_prefix_length(contexts) == 3);
    // One sequence is the common prefix itself: it keeps its last token.
    const std::vector<Tokens> prefix_of_others{{1, 2, 3}, {1, 2, 3, 4}};
    CHECK(shared_prefix_length(prefix_of_others) == 2);
    const std::vector<Tokens> with_empty{{1, 2}, {}};
    CHECK(shared_prefix_length(with_empty) == 0);
    CHECK(shared_prefix_length(std::vector<Tokens>{}) == 0);

    std::vector<ScoreRequest> requests(2);
    requests[0].context = {9, 8, 7};
    requests[1].context = {9, 8, 7, 6};
    set_shared_prefix(requests);
    CHECK(requests[0].shared_prefix == 2);
    CHECK(requests[1].shared_prefix == 2);
}

TEST_CASE("a choice folds the continuations' common start into the context") {
    const Choice c = fold_common_start({1, 2}, {{5, 6, 7}, {5, 6, 8, 9}, {5, 6, 7, 1}});
    CHECK(c.context == Tokens{1, 2, 5, 6});
    CHECK(c.continuations == std::vector<Tokens>{{7}, {8, 9}, {7, 1}});
    const Choice same = fold_common_start({1}, {{4}, {4, 5}});
    CHECK(same.context == Tokens{1});  // {4} keeps its only token
}

TEST_CASE("packing spreads one context's continuations over requests that fit the pass") {
    const std::vector<Tokens> contexts{{1, 2, 3, 4}, {1, 2, 3, 9, 9, 9}};
    const std::vector<std::vector<Tokens>> continuations{{{5, 5}, {6, 6, 6}, {7}}, {{8}}};
    const PackedRequests packed = pack_continuations(contexts, continuations, /*pass_tokens=*/4);
    // Context 0 has 1 own token: {5,5} makes 3; {6,6,6} would make 6, so it opens a request (4); {7} would make 5.
    REQUIRE(packed.requests.size() == 4);
    CHECK(packed.origin == std::vector<std::pair<std::size_t, std::size_t>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}});
    for (const ScoreRequest& r : packed.requests) CHECK(r.shared_prefix == 3);
    CHECK(packed.requests[1].continuations == std::vector<Tokens>{{6, 6, 6}});
    const PackedRequests roomy = pack_continuations(contexts, continuations, 100);
    CHECK(roomy.requests.size() == 2);
}

TEST_CASE("the runner answers in chunks, resumes after whole chunks and drops a torn tail") {
    const auto dir = test::scratch_dir("eval-runner");
    std::vector<std::pair<std::size_t, std::size_t>> asked;
    RunObserver quiet;
    std::vector<ItemSource> sources{counting_source(dir / "a.jsonl", 10, asked)};
    CHECK(run_sources(sources, 4, quiet) == 10);
    CHECK(asked == std::vector<std::pair<std::size_t, std::size_t>>{{0, 4}, {4, 8}, {8, 10}});
    const std::string whole = test::read_file(dir / "a.jsonl");

    // Killed after 6 lines and a half: the first chunk stays, the rest is asked again.
    std::string partial;
    std::size_t lines = 0, at = 0;
    while (lines < 6) if (whole[at++] == '\n') ++lines;
    test::write_file(dir / "a.jsonl", whole.substr(0, at) + R"({"uu)");
    asked.clear();
    CHECK(run_sources(sources, 4, quiet) == 6);
    CHECK(asked == std::vector<std::pair<std::size_t, std::size_t>>{{4, 8}, {8, 10}});
    CHECK(test::read_file(dir / "a.jsonl") == whole);

    // A finished file asks nothing.
    asked.clear();
    CHECK(run_sources(sources, 4, quiet) == 0);
    CHECK(asked.empty());
}

TEST_CASE("the runner refuses a file holding other items, and a zero chunk") {
    const auto dir = test::scratch_dir("eval-runner-errors");
    std::vector<std::pair<std::size_t, std::size_t>> asked;
    RunObserver quiet;
    test::write_file(dir / "b.jsonl", "{\"uuid\": \"u0\"}\n{\"uuid\": \"other\"}\n");
    std::vector<ItemSource> sources{counting_source(dir / "b.jsonl", 4, asked)};
    REQUIRE_THROWS_WITH(run_sources(sources, 1, quiet), Contains("b.jsonl:2") && Contains("\"other\" is not question 2"));
    REQUIRE_THROWS_WITH(run_sources(sources, 0, quiet), Contains("--chunk must be at least 1"));
}

TEST_CASE("a multiple-choice run on a fake backend writes the scores the backend gives, resumably") {
    const auto dir = test::scratch_dir("eval-mc");
    test::FakeBackend backend = byte_backend();
    TaskQuestions tq{Task::x_geo, {Lang::en}, {questions(7)}};
    MultipleChoiceRun run(backend, {.mode = ScoringMode::letter, .limit = 5, .chunk = 2}, {tq});
    const nlohmann::ordered_json manifest = run.manifest({.plugin_name = "fake", .plugin_version = "1", .model = __FILE__});
    CHECK(manifest["limit"] == 5);
    CHECK(manifest["letter_continuations"]["x_geo"][0]["letters"][1]["text"] == "B");
    RunObserver quiet;
    CHECK(run.answer_all(dir, quiet) == 5);
    CHECK(backend.calls == 3);  // chunks of 2, 2, 1

    const std::string text = test::read_file(run_predictions_path(dir, Task::x_geo, Lang::en));
    std::vector<nlohmann::json> lines;
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    REQUIRE(lines.size() == 5);
    const std::vector<Question> qs = questions(5);
    for (std::size_t i = 0; i < 5; ++i) {
        const std::size_t context = backend.tokenize(build_prompt(qs[i], Shots::one), true).size();
        const std::vector<double> scores = lines[i]["scores"];
        REQUIRE(scores.size() == 4);
        for (std::size_t k = 0; k < 4; ++k) CHECK(scores[k] == backend.logprob(context, static_cast<Token>('A' + k) + 1));
        CHECK(lines[i]["uuid"] == qs[i].uuid);
        CHECK(lines[i]["greedy"] == "A");
        CHECK(lines[i]["greedy_is_option"] == true);
    }
}

TEST_CASE("loglik acc_norm divides by the option's code points and acc_bytes by its UTF-8 bytes, as lm-evaluation-harness") {
    const auto dir = test::scratch_dir("eval-norms");
    test::FakeBackend backend = byte_backend();
    std::vector<Question> qs = questions(3);
    qs[0].options = {"Москва", "Paris", "東京", "Ñu"};
    qs[1].options = {"日本語の文", "abc", "ab", "α"};
    qs[2].options = {"x", "yy", "zzz", "wwww"};
    TaskQuestions tq{Task::x_geo, {Lang::en}, {qs}};
    MultipleChoiceRun run(backend, {.mode = ScoringMode::loglik, .chunk = 2}, {tq});
    const nlohmann::ordered_json manifest = run.manifest({.plugin_name = "fake", .plugin_version = "1", .model = __FILE__});
    CHECK(manifest["res_norm"] == std::string(norm_rule_lm_eval));
    CHECK(manifest["res_bytes"] == std::string(bytes_rule_lm_eval));
    RunObserver quiet;
    REQUIRE(run.answer_all(dir, quiet) == 3);

    const std::string text = test::read_file(run_predictions_path(dir, Task::x_geo, Lang::en));
    std::size_t start = 0;
    for (const Question& q : qs) {
        const std::size_t end = text.find('\n', start);
        const nlohmann::json line = nlohmann::json::parse(text.substr(start, end - start));
        start = end + 1;
        const std::vector<double> scores = line["scores"], norm = line["scores_norm"], bytes = line["scores_bytes"];
        REQUIRE(norm.size() == q.options.size());
        std::size_t best_norm = 0, best_bytes = 0;
        for (std::size_t k = 0; k < q.options.size(); ++k) {
            // Python: len("Москва") == 6 and len("Москва".encode("utf-8")) == 12; the " " delimiter is not counted.
            CHECK(norm[k] == scores[k] / static_cast<double>(code_point_count(q.options[k])));
            CHECK(bytes[k] == scores[k] / static_cast<double>(q.options[k].size()));
            if (norm[k] > norm[best_norm]) best_norm = k;
            if (bytes[k] > bytes[best_bytes]) best_bytes = k;
        }
        CHECK(line["res_norm"] == std::string(1, option_letters[best_norm]));
        CHECK(line["res_bytes"] == std::string(1, option_letters[best_bytes]));
    }
    CHECK(code_point_count("Москва") == 6);
    CHECK(code_point_count("東京") == 2);
    CHECK(code_point_count("") == 0);
}
