#pragma once
// The little UTF-8 the core needs: Python's str.strip() whitespace at the front of a string, and len().

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace clika {

// Decodes one code point; returns its length in bytes, or 0 when the bytes are not valid UTF-8.
[[nodiscard]] constexpr std::size_t decode_utf8(std::string_view text, char32_t& cp) noexcept {
    if (text.empty()) return 0;
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    std::uint8_t b0 = byte(0);
    std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || len > text.size()) return 0;
    cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    for (std::size_t i = 1; i < len; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i) & 0x3Fu);
    }
    return len;
}

// Python's str.isspace() set.
[[nodiscard]] constexpr bool is_unicode_space(char32_t cp) noexcept {
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

[[nodiscard]] constexpr std::string_view strip_leading_space(std::string_view text) noexcept {
    while (!text.empty()) {
        char32_t cp = 0;
        std::size_t len = decode_utf8(text, cp);
        if (len == 0 || !is_unicode_space(cp)) break;
        text.remove_prefix(len);
    }
    return text;
}

// Python's len() of valid UTF-8 text: its code points.
[[nodiscard]] constexpr std::size_t code_point_count(std::string_view text) noexcept {
    std::size_t n = 0;
    for (char c : text) n += (static_cast<std::uint8_t>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

}  // namespace clika
