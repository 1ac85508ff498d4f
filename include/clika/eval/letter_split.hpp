#pragma once
// Letter mode's one rule, the same for every tokenizer. For each option letter L the whole string prompt + L is
// tokenized; the context is the longest token prefix that the prompt shares with all of its letter variants, and a
// letter's continuation is what follows that prefix in its variant (scored as a sum of log-probabilities when it is
// several tokens). SentencePiece vocabularies keep the whole prompt and score the bare letter after ":"; BPE
// vocabularies that merge ":A" end the context at "Answer" and score ":A" — the only reading in which the model sees
// the text it was trained on, instead of "Answer::A".

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "clika/error.hpp"
#include "clika/request.hpp"
#include "clika/task.hpp"

namespace clika {

struct LetterContinuation {
    char letter = 0;
    Tokens tokens;     // what follows the context in tokenize(prompt + letter)
    std::string text;  // the tokens' pieces joined: the prompt's dropped tail followed by the letter
};

struct LetterSplit {
    std::size_t context_length = 0;         // leading prompt tokens the continuations are scored after
    std::string dropped_tail;               // text of the prompt tokens after the context ("" or ":")
    std::vector<LetterContinuation> letters;  // one per option, in option order

    [[nodiscard]] bool single_tokens() const noexcept {
        return std::all_of(letters.begin(), letters.end(), [](const LetterContinuation& c) { return c.tokens.size() == 1; });
    }
    // The same continuations (and so the same dropped tail), whatever the prompts' lengths.
    [[nodiscard]] bool same_continuations(const LetterSplit& other) const noexcept {
        return letters.size() == other.letters.size() &&
               std::equal(letters.begin(), letters.end(), other.letters.begin(),
                          [](const LetterContinuation& a, const LetterContinuation& b) { return a.tokens == b.tokens; });
    }
};

template <class B>
[[nodiscard]] std::string spelled(B& backend, std::span<const Token> tokens) {
    std::string out;
    for (Token t : tokens) out += backend.piece(t);
    return out;
}

// `prompt_tokens` is tokenize(prompt, add_special = true), as the request's context is built.
template <class B>
[[nodiscard]] LetterSplit split_letters(B& backend, const std::string& prompt, const Tokens& prompt_tokens, std::size_t option_count) {
    if (option_count > option_letters.size())
        throw Error(ErrorKind::internal, {}, fmt::format("{} options: more than the {} option letters", option_count, option_letters.size()));
    std::vector<Tokens> variants;
    variants.reserve(option_count);
    std::size_t shared = prompt_tokens.size();
    for (std::size_t i = 0; i < option_count; ++i) {
        variants.push_back(backend.tokenize(prompt + option_letters[i], true));
        shared = std::min(shared, common_prefix_length(prompt_tokens, variants.back()));
    }
    if (shared == 0)
        throw Error(ErrorKind::backend, {}, "the prompt and its letter variants share no leading token: nothing to score the letters after");

    LetterSplit out;
    out.context_length = shared;
    out.dropped_tail = spelled(backend, std::span(prompt_tokens).subspan(shared));
    for (std::size_t i = 0; i < option_count; ++i) {
        LetterContinuation c;
        c.letter = option_letters[i];
        c.tokens.assign(variants[i].begin() + static_cast<std::ptrdiff_t>(shared), variants[i].end());
        c.text = spelled(backend, c.tokens);
        const std::string expected = out.dropped_tail + c.letter;
        // Anything else (a rewritten tail, an appended special token) would score text the prompt never asked for.
        if (c.tokens.empty() || c.text != expected)
            throw Error(ErrorKind::backend, {},
                        fmt::format("option letter {}: the tokens after the shared prompt prefix ({}) spell \"{}\", not the prompt's dropped "
                                    "tail plus the letter (\"{}\"), so the letter cannot be scored as the prompt's continuation",
                                    c.letter, fmt::join(c.tokens, " "), c.text, expected),
                        "a tokenizer whose tokenize(prompt + letter) starts with the prompt's tokens up to a common point; "
                        "--mode loglik scores option texts instead");
        out.letters.push_back(std::move(c));
    }
    return out;
}

// A causal decoder predicts what follows the prompt; a tokenizer that appends an end-of-sequence or separator token
// (encoder models: BERT's [SEP], XLM-R's </s>) would make every letter follow the end of the text.
template <class B>
void require_open_ended_tokenizer(B& backend) {
    constexpr std::string_view probe = "Answer:";
    const Tokens with_special = backend.tokenize(probe, true);
    const Tokens plain = backend.tokenize(probe, false);
    const bool ends_with_text = with_special.size() >= plain.size() &&
                                std::equal(plain.rbegin(), plain.rend(), with_special.rbegin());
    if (ends_with_text) return;
    const auto text_at = std::search(with_special.begin(), with_special.end(), plain.begin(), plain.end());
    const std::size_t after_text = text_at == with_special.end() ? 0 : static_cast<std::size_t>(text_at - with_special.begin()) + plain.size();
    std::vector<std::string> appended;
    for (std::size_t i = after_text; i < with_special.size(); ++i)
        appended.push_back(fmt::format("{} \"{}\"", with_special[i], backend.piece(with_special[i])));
    throw Error(ErrorKind::backend, {},
                fmt::format("the model's tokenizer appends token(s) after the text ({}): an end-of-sequence or separator token, as "
                            "encoder models' tokenizers add; clika scores what a causal decoder predicts right after the prompt",
                            fmt::join(appended, ", ")),
                "a decoder-only (causal) language model whose tokenizer adds nothing after the text");
}

// Letter mode's record of what was measured (run.json, and a line whose question splits otherwise): each letter's
// continuation as token ids and text, and the prompt text the context stops short of.
[[nodiscard]] inline nlohmann::ordered_json letter_split_json(const LetterSplit& split) {
    nlohmann::ordered_json out;
    out["context_drops"] = split.dropped_tail;
    out["letters"] = nlohmann::ordered_json::array();
    for (const LetterContinuation& c : split.letters)
        out["letters"].push_back({{"letter", std::string(1, c.letter)}, {"tokens", c.tokens}, {"text", c.text}});
    return out;
}

}  // namespace clika
