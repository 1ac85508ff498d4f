// Letter mode's one rule (clika/eval/letter_split.hpp) and the engine's use of it, on an in-process fake backend whose
// tokenizer is written out in each test: SentencePiece-like (the bare letter follows ":"), BPE-like (":A" merges),
// a tokenizer whose continuation is two tokens, one that rewrites the tail, and one that appends a separator.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/eval/engine.hpp"
#include "clika/eval/letter_split.hpp"

namespace {

using clika::Token;
using clika::Tokens;
using Catch::Matchers::Contains;

// Pieces are interned strings: a token's id is its piece's index. Log-probabilities are a deterministic function of
// (context length, token), so the test can recompute every score the engine should get.
class FakeBackend {
public:
    using Segmenter = std::function<std::vector<std::string>(std::string_view text)>;

    FakeBackend(Segmenter segment, bool appends_separator = false) : segment_(std::move(segment)), appends_separator_(appends_separator) {
        intern("<s>");
        intern("[SEP]");
    }

    Tokens tokenize(std::string_view text, bool add_special) {
        Tokens out;
        if (add_special) out.push_back(0);
        for (const std::string& piece : segment_(text)) out.push_back(intern(piece));
        if (add_special && appends_separator_) out.push_back(1);
        return out;
    }
    std::string piece(Token t) const { return pieces_.at(static_cast<std::size_t>(t)); }
    clika::ModelInfo info() const { return {}; }

    static double logprob(std::size_t position, Token t) { return -0.1 * static_cast<double>((static_cast<std::size_t>(t) * 7 + position) % 13 + 1); }
    static Token greedy(std::size_t position) { return static_cast<Token>(position % 5); }

    std::vector<clika::OptionScores> score(std::span<const clika::ScoreRequest> requests, const clika::ScoreOptions&, clika::ScoreStats&) {
        std::vector<clika::OptionScores> out;
        for (const clika::ScoreRequest& r : requests) {
            clika::OptionScores s;
            const std::size_t n = r.context.size();
            for (Token id : r.next_ids) s.next_logprob.push_back(logprob(n, id));
            for (const Tokens& c : r.continuations) {
                double sum = 0.0;
                bool all_greedy = true;
                for (std::size_t i = 0; i < c.size(); ++i) {
                    sum += logprob(n + i, c[i]);
                    all_greedy = all_greedy && c[i] == greedy(n + i);
                }
                s.logprob.push_back(sum);
                s.n_tokens.push_back(static_cast<int>(c.size()));
                s.all_greedy.push_back(all_greedy);
            }
            s.greedy_next = greedy(n);
            out.push_back(std::move(s));
        }
        return out;
    }

private:
    Token intern(const std::string& piece) {
        auto [it, added] = ids_.try_emplace(piece, static_cast<Token>(pieces_.size()));
        if (added) pieces_.push_back(piece);
        return it->second;
    }

    Segmenter segment_;
    bool appends_separator_;
    std::map<std::string, Token> ids_;
    std::vector<std::string> pieces_;
};

static_assert(clika::Backend<FakeBackend>);

// One piece per byte, as a SentencePiece vocabulary spells "Answer:A" with a bare letter after ":".
std::vector<std::string> bytes(std::string_view text) {
    std::vector<std::string> out;
    for (char c : text) out.emplace_back(1, c);
    return out;
}

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
    if (at == std::string_view::npos) return bytes(text);
    std::vector<std::string> out = bytes(text.substr(0, at));
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
    FakeBackend backend(bytes);
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
    FakeBackend backend(merges_colon_letter);
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
    for (std::size_t i = 0; i < 4; ++i) CHECK(outcomes[0].scores[i] == FakeBackend::logprob(n, requests[0].next_ids[i]));
    CHECK(clika::scores_continuations_of(requests[0], split));
}

TEST_CASE("a letter continuation of several tokens is scored as the sum of their log-probabilities") {
    FakeBackend backend(two_token_letters);
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
    for (const Tokens& c : requests[0].continuations) expected.push_back(FakeBackend::logprob(n, c[0]) + FakeBackend::logprob(n + 1, c[1]));
    CHECK(outcomes[0].scores == expected);
    CHECK(outcomes[0].predicted == clika::first_argmax(expected));
    // Greedy decoding after the context starts with token greedy(n), never "Answer": off-format, as it would answer.
    CHECK_FALSE(outcomes[0].greedy_is_option);
    CHECK(clika::scores_continuations_of(requests[0], engine.letter_split(q)));
}

TEST_CASE("a tokenizer that rewrites the prompt's tail is refused instead of scoring other text") {
    // After ":" a letter comes out lower-case: the continuation spells ":a", not the dropped ":" plus "A".
    FakeBackend backend([](std::string_view text) {
        std::vector<std::string> out = merges_colon_letter(text);
        if (!out.empty() && out.back().size() == 2 && out.back()[0] == ':') out.back()[1] = static_cast<char>(out.back()[1] - 'A' + 'a');
        return out;
    });
    clika::Engine engine(backend, clika::ScoringMode::letter, clika::Shots::one);
    const std::vector<clika::Question> qs{question()};
    REQUIRE_THROWS_WITH(engine.requests(qs), Contains("option letter A") && Contains("spell \":a\"") && Contains("(\":A\")"));
}

TEST_CASE("a tokenizer that appends a separator to every text is refused before any question is planned") {
    FakeBackend backend(bytes, /*appends_separator=*/true);
    REQUIRE_THROWS_WITH(clika::Engine(backend, clika::ScoringMode::letter, clika::Shots::one),
                        Contains("appends token(s) after the text (1 \"[SEP]\")") && Contains("causal"));
    FakeBackend fine(bytes);
    CHECK_NOTHROW(clika::require_open_ended_tokenizer(fine));
}
