#pragma once

// The in-process backend of the pipeline unit tests: a tokenizer each test can write out and log-probabilities that
// are a deterministic function of (position, token), so that a test recomputes every score the pipeline should get.

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clika/request.hpp"

namespace clika::test {

// One piece per byte, as a SentencePiece vocabulary spells "Answer:A" with a bare letter after ":".
inline std::vector<std::string> byte_pieces(std::string_view text) {
    std::vector<std::string> out;
    for (char c : text) out.emplace_back(1, c);
    return out;
}

// What a FakeBackend does: how it splits text into pieces and what it scores.
struct FakeModel {
    std::function<std::vector<std::string>(std::string_view text)> segment = byte_pieces;
    bool appends_separator = false;  // tokenize(text, true) ends with "[SEP]", as encoder models' tokenizers do
    double (*logprob)(std::size_t position, Token token) = [](std::size_t position, Token token) {
        return -0.1 * static_cast<double>((static_cast<std::size_t>(token) * 7 + position) % 13 + 1);
    };
    Token (*greedy)(std::size_t position) = [](std::size_t position) { return static_cast<Token>(position % 5); };
};

// Token ids: "<s>" is 0, a one-byte piece is its byte + 1 (text holds no NUL byte, so its id 1 is the separator
// "[SEP]"), longer pieces get ids from 257 on in the order they are first seen.
class FakeBackend {
public:
    static constexpr Token bos = 0;
    static constexpr Token separator = 1;

    explicit FakeBackend(FakeModel model = {}) : model_(std::move(model)) {}

    Tokens tokenize(std::string_view text, bool add_special) {
        Tokens out;
        if (add_special) out.push_back(bos);
        for (const std::string& piece : model_.segment(text)) out.push_back(id_of(piece));
        if (add_special && model_.appends_separator) out.push_back(separator);
        return out;
    }
    std::string piece(Token t) const {
        if (t == bos) return "<s>";
        if (t == separator) return "[SEP]";
        if (t <= 256) return std::string(1, static_cast<char>(t - 1));
        return longer_.at(static_cast<std::size_t>(t) - 257);
    }
    ModelInfo info() const { return {}; }

    double logprob(std::size_t position, Token t) const { return model_.logprob(position, t); }
    Token greedy(std::size_t position) const { return model_.greedy(position); }

    std::vector<OptionScores> score(std::span<const ScoreRequest> requests, const ScoreOptions&, ScoreStats& stats) {
        ++calls;
        std::vector<OptionScores> out;
        for (const ScoreRequest& r : requests) {
            OptionScores s;
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
            stats.tokens_evaluated += n;
            out.push_back(std::move(s));
        }
        return out;
    }

    int calls = 0;  // score() calls: one per chunk a run answers

private:
    Token id_of(const std::string& piece) {
        if (piece.size() == 1) return static_cast<Token>(static_cast<unsigned char>(piece[0])) + 1;
        auto [it, added] = longer_ids_.try_emplace(piece, static_cast<Token>(257 + longer_.size()));
        if (added) longer_.push_back(piece);
        return it->second;
    }

    FakeModel model_;
    std::map<std::string, Token> longer_ids_;
    std::vector<std::string> longer_;
};

static_assert(Backend<FakeBackend>);

}  // namespace clika::test
