#pragma once
// Case-insensitive comparison of names in the ten languages: lower case for the scripts that have case (ASCII,
// Latin-1/Extended-A, Greek, Cyrillic), code point by code point.

#include <cstddef>
#include <string>
#include <string_view>

#include "clika/utf8.hpp"

namespace clika {

[[nodiscard]] constexpr char32_t fold_code_point(char32_t c) noexcept {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1u) != 0 ? c + 1 : c;
    if (c == 0x178) return 0xFF;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

inline void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Lower case for the scripts of the ten languages that have case; invalid UTF-8 bytes are kept as they are.
[[nodiscard]] inline std::string fold_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        char32_t c = 0;
        const std::size_t len = decode_utf8(text, c);
        if (len == 0) {
            out += text.front();
            text.remove_prefix(1);
            continue;
        }
        append_utf8(out, fold_code_point(c));
        text.remove_prefix(len);
    }
    return out;
}

}  // namespace clika
