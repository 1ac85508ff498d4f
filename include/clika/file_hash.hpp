#pragma once
// SHA-256 of a file or text (OpenSSL), so a run's manifest names exactly which model and data produced it.

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "clika/error.hpp"

namespace clika {

namespace detail {

using DigestContext = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)>;

[[nodiscard]] inline DigestContext sha256_context() {
    DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    return ctx;
}

[[nodiscard]] inline std::string hex_digest(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest.data(), &length);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

}  // namespace detail

[[nodiscard]] inline std::string sha256_file(const std::filesystem::path& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) fail_input({path}, "cannot open file to hash it");
    detail::DigestContext ctx = detail::sha256_context();
    std::vector<unsigned char> buffer(1 << 20);
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0;) EVP_DigestUpdate(ctx.get(), buffer.data(), n);
    if (std::ferror(file.get())) fail_input({path}, "read error while hashing");
    return detail::hex_digest(ctx.get());
}

[[nodiscard]] inline std::string sha256_text(std::string_view text) {
    detail::DigestContext ctx = detail::sha256_context();
    EVP_DigestUpdate(ctx.get(), text.data(), text.size());
    return detail::hex_digest(ctx.get());
}

}  // namespace clika
