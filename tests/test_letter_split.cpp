// Letter mode's one rule (clika/eval/letter_split.hpp) and the engine's use of it, on an in-process fake backend whose
// tokenizer is written out in each test: SentencePiece-like (the bare letter follows ":"), BPE-like (":A" merges),
// a tokenizer whose continuation is two tokens, one that rewrites the tail, and one that appends a separator.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/eval/engine.hpp"
#include "clika/eval/letter_split.hpp"
#include "fake_backend.hpp"

namespace {

using clika::Token;
using clika::Tokens;
using Catch::Matchers::Contains;

using clika::test::byte_pieces;
using clika::test::FakeBackend;

// Bytes, but ":" merges with a following capital letter, as Llama 3's and Qwen 2's BPE merge ":A".
std::vector<std::string> merges_colon_letter(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ':' && i + 1 < text.size() && text[i + 1] >= 'A' && text[i + 1] <= 'Z') {
            out.push_back(std::string(text.substr(i, 2)));
            ++i;
        } else {
            out.emplace_back(1, text[i]);
        }
    }
    return out;
}

// "Answer:" at the end is one token; followed by a letter it splits into "Answer" + ":A": a two-token continuation.
std::vector<std::string> two_token_letters(std::string_view text) {
    const std::string_view cue = "Answer:";
    std::size_t at = text.rfind(cue);
    if (at == std::string_view::npos) return byte_pieces(text);
    std::vector<std::string> out = byte_pieces(text.substr(0, at));
    const std::string_view rest = text.substr(at + cue.size());
    if (rest.empty()) {
        out.emplace_back(cue);
    } else {
        out.emplace_back("Answer");
        out.push_back(":" + std::string(rest));
    }
    return out;
}

clika::Question question() {
    clika::Question q;
    q.task = clika::Task::x_geo;
    q.lang = clika::Lang::en;
    q.uuid = "q1";
    q.stem = "Where is Paris?";
    q.options = {"Europe", "Asia", "Africa", "America"};
    return q;
}

std::string prompt_of(const clika::Question& q) { return clika::build_prompt(q, clika::Shots::one); }

}  // namespace

TEST_CASE("letters on a byte-level (SentencePiece-like) tokenizer follow the whole prompt as one token each") {
    FakeBackend backend;  // one piece per byte
    const clika::Question q = question();
    const Tokens prompt = backend.tokenize(prompt_of(q), true);
    const clika::LetterSplit split = clika::split_letters(backend, prompt_of(q), prompt, q.options.size());
    CHECK(split.context_length == prompt.size());
    CHECK(split.dropped_tail.empty());
    REQUIRE(split.letters.size() == 4);
    CHECK(split.single_tokens());
    CHECK(split.letters[2].text == "C");

    clika::Engine engine(backend, clika::ScoringMode::letter, clika::Shots::one);
    const std::vector<clika::Question> qs{q};
    const auto requests = engine.requests(qs);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].context == prompt);
    CHECK(requests[0].continuations.empty());
    REQUIRE(requests[0].next_ids.size() == 4);
    CHECK(backend.piece(requests[0].next_ids[3]) == "D");
}

TEST_CASE("letters on a tokenizer that merges \":A\" are scored as \":A\" after a context ending at \"Answer\"") {
    FakeBackend backend({.segment = merges_colon_letter});
    const clika::Question q = question();
    const Tokens prompt = backend.tokenize(prompt_of(q), true);
    const clika::LetterSplit split = clika::split_letters(backend, prompt_of(q), prompt, q.options.size());
    CHECK(split.context_length == prompt.size() - 1);
    CHECK(split.dropped_tail == ":");
    CHECK(split.letters[0].text == ":A");
    CHECK(split.letters[3].text == ":D");
    CHECK(split.single_tokens());

    clika::Engine engine(backend, clika::ScoringMode::letter, clika::Shots::one);
    const std::vector<clika::Question> qs{q};
    const auto requests = engine.requests(qs);
    CHECK(backend.piece(requests[0].context.back()) == "r");  // ... "Answe" "r": the context stops before ":"
    clika::ScoreStats stats;
    const auto outcomes = engine.score(qs, requests, {}, stats);
    const std::size_t n = requests[0].context.size();
    REQUIRE(outcomes[0].scores.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK(outcomes[0].scores[i] == backend.logprob(n, requests[0].next_ids[i]));
    CHECK(clika::scores_continuations_of(requests[0], split));
}

TEST_CASE("a letter continuation of several tokens is scored as the sum of their log-probabilities") {
    FakeBackend backend({.segment = two_token_letters});
    const clika::Question q = question();
    clika::Engine engine(backend, clika::ScoringMode::letter, clika::Shots::one);
    const std::vector<clika::Question> qs{q};
    const auto requests = engine.requests(qs);
    const Tokens prompt = backend.tokenize(prompt_of(q), true);
    REQUIRE(requests[0].context.size() == prompt.size() - 1);
    CHECK(requests[0].next_ids.empty());
    REQUIRE(requests[0].continuations.size() == 4);
    CHECK(backend.piece(requests[0].continuations[1][0]) == "Answer");
    CHECK(backend.piece(requests[0].continuations[1][1]) == ":B");

    clika::ScoreStats stats;
    const auto outcomes = engine.score(qs, requests, {}, stats);
    const std::size_t n = requests[0].context.size();
    std::vector<double> expected;
    for (const Tokens& c : requests[0].continuations) expected.push_back(backend.logprob(n, c[0]) + backend.logprob(n + 1, c[1]));
    CHECK(outcomes[0].scores == expected);
    CHECK(outcomes[0].predicted == clika::first_argmax(expected));
    // Greedy decoding after the context starts with token greedy(n), never "Answer": off-format, as it would answer.
    CHECK_FALSE(outcomes[0].greedy_is_option);
    CHECK(clika::scores_continuations_of(requests[0], engine.letter_split(q)));
}

TEST_CASE("a tokenizer that rewrites the prompt's tail is refused instead of scoring other text") {
    // After ":" a letter comes out lower-case: the continuation spells ":a", not the dropped ":" plus "A".
    FakeBackend backend({.segment = [](std::string_view text) {
        std::vector<std::string> out = merges_colon_letter(text);
        if (!out.empty() && out.back().size() == 2 && out.back()[0] == ':') out.back()[1] = static_cast<char>(out.back()[1] - 'A' + 'a');
        return out;
    }});
    clika::Engine engine(backend, clika::ScoringMode::letter, clika::Shots::one);
    const std::vector<clika::Question> qs{question()};
    REQUIRE_THROWS_WITH(engine.requests(qs), Contains("option letter A") && Contains("spell \":a\"") && Contains("(\":A\")"));
}

TEST_CASE("a tokenizer that appends a separator to every text is refused before any question is planned") {
    FakeBackend backend({.appends_separator = true});
    REQUIRE_THROWS_WITH(clika::Engine(backend, clika::ScoringMode::letter, clika::Shots::one),
                        Contains("appends token(s) after the text (1 \"[SEP]\")") && Contains("causal"));
    FakeBackend fine;
    CHECK_NOTHROW(clika::require_open_ended_tokenizer(fine));
}
