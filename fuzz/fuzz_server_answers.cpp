// The openai plugin's readers of server answers (plugins/openai/protocol.hpp): whatever a llama-server or vLLM server
// (or something posing as one) sends, each reader returns what it read or throws ProtocolError naming the endpoint and
// field -- never a JSON library exception, a wrapped token id, a token twice, or a crash. Input: the bytes of one
// answer body, read as JSON as the pool reads it (answer_json.hpp), then given to every reader.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "answer_json.hpp"
#include "fuzz_support.hpp"
#include "protocol.hpp"
#include "server_settings.hpp"

namespace {

using namespace clika::openai;

template <class Fn>
void read_or_refuse(Fn&& fn) {
    try {
        fn();
    } catch (const ProtocolError&) {
    }
}

void check(const NextToken& next) {
    std::vector<Token> ids;
    for (const auto& [id, lp] : next.top) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    clika::fuzz::require(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "a top list names each token once");
    clika::fuzz::require(next.chosen >= 0 && std::all_of(ids.begin(), ids.end(), [](Token id) { return id >= 0; }), "token ids are >= 0");
    if (next.top.size() >= 1) {
        const Fingerprint f = fingerprint({1, 2, 3}, next);
        clika::fuzz::require(std::is_sorted(f.next.begin(), f.next.end()), "a fingerprint's tokens are in id order");
        for (const Token id : f.next) clika::fuzz::require(std::binary_search(ids.begin(), ids.end(), id), "a fingerprint's tokens are from the top list");
    }
}

void check(const Completion& c) {
    clika::fuzz::require(c.pieces.size() == c.tokens.size(), "one piece slot per generated token");
    clika::fuzz::require(std::all_of(c.tokens.begin(), c.tokens.end(), [](Token id) { return id >= 0; }), "generated ids are >= 0");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    // Read from the raw body (server_settings.hpp): vLLM's GET /version, and its refusal of a token id beyond its vocabulary.
    (void)vllm_version(body);
    if (const auto id = vllm_refused_token(400, body)) clika::fuzz::require(!id->empty(), "a refused token id is named");
    Json answer;
    try {
        answer = parse_answer(body);
    } catch (const AnswerNotJson&) {
        return 0;  // the pool reports it (and retries)
    }
    const auto no_pieces = [](Token, const std::string&) {};
    read_or_refuse([&] { check(llama_next_token(answer, 0, no_pieces)); });
    read_or_refuse([&] { check(llama_completion(answer)); });
    read_or_refuse([&] {
        for (const Token id : llama_tokens(answer, no_pieces)) clika::fuzz::require(id >= 0, "tokenized ids are >= 0");
    });
    read_or_refuse([&] { check(vllm_next_token(answer)); });
    read_or_refuse([&] { check(vllm_completion(answer)); });
    read_or_refuse([&] {
        for (const Token id : vllm_tokens(answer)) clika::fuzz::require(id >= 0, "tokenized ids are >= 0");
    });
    read_or_refuse([&] { (void)vllm_echoed(answer, 3, {5, 6}); });
    read_or_refuse([&] { (void)server_kind(answer, answer); });
    return 0;
}
