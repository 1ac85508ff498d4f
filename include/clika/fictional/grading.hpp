#pragma once
// Grading the answers to fictional items (the Conductivity level).
//   generate  greedy decoding (up to N tokens, until end-of-sequence or a line break after some text). Correct when
//             the answer names the gold continent in the item's language: after removing the item's city name
//             (city names may contain continent names, e.g. "Empyrean-Imperium"), the continent named first is the
//             gold one. Names are compared case-insensitively (clika/case_fold.hpp).
//   choice    a 20-way log-likelihood choice (chance 1/20): the reference answer up to its (last) mention of the
//             continent ("Astralyn Sands is located in the continent of") continued by each of the language's 20
//             continent names; the most likely name is the answer. Tokens all 20 continuations start with are scored
//             once as context, so `scores` are log-likelihoods from the first token where the names differ (the same
//             ranking as the whole names').
// Translate items: generate -- the answer contains the reference translation (case-insensitively); choice -- the
// reference translation is the greedy continuation (every token the argmax).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "clika/case_fold.hpp"
#include "clika/utf8.hpp"

namespace clika {

// Index of the continent an answer names first once the item's city is removed (ties: the longer name); -1 for none.
// `continents` must be case-folded.
[[nodiscard]] inline int named_continent(std::string_view answer, std::string_view city, const std::vector<std::string>& continents) {
    std::string text = fold_case(answer);
    const std::string folded_city = fold_case(city);
    if (!folded_city.empty())
        for (std::size_t at = text.find(folded_city); at != std::string::npos; at = text.find(folded_city, at + 1)) text.replace(at, folded_city.size(), "\n");
    int best = -1;
    std::size_t best_at = std::string::npos;
    for (std::size_t k = 0; k < continents.size(); ++k) {
        if (continents[k].empty()) continue;
        const std::size_t at = text.find(continents[k]);
        if (at == std::string::npos) continue;
        if (best < 0 || at < best_at || (at == best_at && continents[k].size() > continents[static_cast<std::size_t>(best)].size())) {
            best = static_cast<int>(k);
            best_at = at;
        }
    }
    return best;
}

[[nodiscard]] inline bool contains_folded(std::string_view text, std::string_view needle) {
    return !needle.empty() && fold_case(text).find(fold_case(needle)) != std::string::npos;
}

// The answer part of generated text: leading whitespace dropped, cut at the first line break after some text.
[[nodiscard]] inline std::string answer_text(std::string_view generated) {
    std::string_view text = strip_leading_space(generated);
    if (const std::size_t nl = text.find('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
    return std::string(text);
}

// The reference answer up to its last mention of the gold continent: the cloze context of the choice mode (empty when
// the answer does not mention it).
[[nodiscard]] inline std::string answer_prefix(std::string_view sentence, std::string_view gold) {
    const std::size_t at = gold.empty() ? std::string_view::npos : sentence.rfind(gold);
    return at == std::string_view::npos ? std::string() : std::string(sentence.substr(0, at));
}

}  // namespace clika
