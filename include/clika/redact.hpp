#pragma once
// Secrets that may sit inside what a user typed (a password in http://user:PASSWORD@host) never reach a message, a
// report or run.json: everything shown of a URL goes through here. Standard library only (the plugins use it too).

#include <string>
#include <string_view>

namespace clika {

inline constexpr std::string_view redacted = "***";

// The password of a URL's user information ("scheme://user:password@host..."), or empty when there is none.
[[nodiscard]] inline std::string_view url_password(std::string_view url) noexcept {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    const std::string_view rest = url.substr(scheme + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return {};
    const std::size_t colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) return {};
    return authority.substr(colon + 1, at - colon - 1);
}

// The URL with its password (if any) replaced by "***".
[[nodiscard]] inline std::string without_password(std::string_view url) {
    const std::string_view password = url_password(url);
    if (password.empty()) return std::string(url);
    const std::size_t at = static_cast<std::size_t>(password.data() - url.data());
    return std::string(url.substr(0, at)) + std::string(redacted) + std::string(url.substr(at + password.size()));
}

// `text` with every occurrence of `secret` replaced by "***" (an empty secret changes nothing).
[[nodiscard]] inline std::string without(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + redacted.size()))
        text.replace(at, secret.size(), redacted);
    return text;
}

}  // namespace clika
