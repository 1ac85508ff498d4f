#pragma once
// The ABI's tokenize and token_piece over a llama.cpp vocabulary, for every plugin that tokenizes with llama.cpp
// (llamacpp, onnx, cuda_native), so that all of them give the same tokens for the same text. Throws
// std::runtime_error; call inside guarded().

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <llama.h>

namespace clika::plugin {

// Returns the token count (writing at most `capacity`), as the ABI's tokenize does.
inline std::int64_t llama_vocab_tokenize(const llama_vocab* vocab, const char* text, std::size_t length, std::int32_t add_special,
                                         std::int32_t* out, std::size_t capacity) {
    if (length > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) throw std::runtime_error("text too long to tokenize");
    const auto cap = static_cast<std::int32_t>(std::min<std::size_t>(capacity, std::numeric_limits<std::int32_t>::max()));
    const std::int32_t n = llama_tokenize(vocab, text, static_cast<std::int32_t>(length), out, cap, add_special != 0, false);
    if (n == std::numeric_limits<std::int32_t>::min()) throw std::runtime_error("tokenization overflow");
    return n < 0 ? -static_cast<std::int64_t>(n) : n;
}

// The token's UTF-8 bytes (special tokens rendered as their text); returns the length, as the ABI's token_piece does.
inline std::int64_t llama_vocab_piece(const llama_vocab* vocab, std::int32_t token, char* out, std::size_t capacity) {
    if (token < 0 || token >= llama_vocab_n_tokens(vocab))
        throw std::runtime_error("token id " + std::to_string(token) + " is outside the vocabulary");
    const auto cap = static_cast<std::int32_t>(std::min<std::size_t>(capacity, 1 << 20));
    const std::int32_t n = llama_token_to_piece(vocab, token, out, cap, 0, true);
    return n < 0 ? -static_cast<std::int64_t>(n) : n;
}

}  // namespace clika::plugin
