#pragma once
// The ten CLiKA languages in the paper's column order.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace clika {

enum class Lang : std::uint8_t { en, de, fr, it, pl, ru, ar, he, ja, zh };

inline constexpr std::size_t lang_count = 10;

inline constexpr std::array<Lang, lang_count> all_langs{Lang::en, Lang::de, Lang::fr, Lang::it, Lang::pl,
                                                       Lang::ru, Lang::ar, Lang::he, Lang::ja, Lang::zh};

// The paper's "others" column: every language but English and Chinese.
inline constexpr std::array<Lang, 8> other_langs{Lang::de, Lang::fr, Lang::it, Lang::pl,
                                                 Lang::ru, Lang::ar, Lang::he, Lang::ja};

inline constexpr std::array<std::string_view, lang_count> lang_codes{"en", "de", "fr", "it", "pl",
                                                                    "ru", "ar", "he", "ja", "zh"};

[[nodiscard]] constexpr std::size_t index(Lang lang) noexcept { return static_cast<std::size_t>(lang); }

[[nodiscard]] constexpr std::string_view code(Lang lang) noexcept { return lang_codes[index(lang)]; }

[[nodiscard]] constexpr std::optional<Lang> parse_lang(std::string_view text) noexcept {
    for (Lang lang : all_langs)
        if (code(lang) == text) return lang;
    return std::nullopt;
}

}  // namespace clika
