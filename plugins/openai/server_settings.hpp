#pragma once
// What a vLLM server lets clika see of its own settings: its cache settings (GET /metrics, the Prometheus gauge
// vllm:cache_config_info, whose labels carry them), its --max-logprobs (only through the refusal of a request that
// asks for more) and its vocabulary size (only through the refusal of a prompt token id beyond it).

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol.hpp"

namespace clika::openai {

// The cache settings of vllm:cache_config_info that change the numbers a server returns (prefix caching: prompt
// log-probabilities can change with request order; the KV cache's type), as {"label": "value"}; null when /metrics
// does not carry the gauge (an older vLLM, metrics off, another server).
[[nodiscard]] inline nlohmann::json vllm_cache_settings(std::string_view metrics) {
    static constexpr std::string_view gauge = "vllm:cache_config_info{";
    for (std::size_t at = 0; at < metrics.size();) {
        const std::size_t end = std::min(metrics.find('\n', at), metrics.size());
        const std::string_view line = metrics.substr(at, end - at);
        at = end + 1;
        if (!line.starts_with(gauge)) continue;
        nlohmann::json out = nlohmann::json::object();
        static const std::regex label(R"re(([A-Za-z_][A-Za-z0-9_]*)="([^"\\]*)")re");
        const std::string labels(line.substr(gauge.size(), line.find('}') == std::string_view::npos ? std::string_view::npos : line.find('}') - gauge.size()));
        for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label); it != std::sregex_iterator(); ++it) {
            const std::string key = (*it)[1];
            if (key == "enable_prefix_caching" || key == "cache_dtype") out[key] = (*it)[2].str();
        }
        return out.empty() ? nlohmann::json() : out;
    }
    return nullptr;
}

[[nodiscard]] inline bool prefix_caching_on(const nlohmann::json& settings) {
    return settings.is_object() && settings.contains("enable_prefix_caching") && settings["enable_prefix_caching"] == "True";
}

// vLLM's refusal of more log-probabilities than its --max-logprobs allows ("Requested sample logprobs of 50, which is
// greater than max allowed: 20"), said as what to do: the server flag to raise, or the clika option to lower where
// that helps (clika's fingerprint probe asks for probe_top whatever --top-logprobs says).
[[nodiscard]] inline std::optional<std::string> vllm_logprobs_cap_message(std::string_view body) {
    static const std::regex refusal(R"(Requested (sample|prompt) logprobs of (-?[0-9]+), which is greater than max allowed: (-?[0-9]+))",
                                    std::regex::icase);
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(body.begin(), body.end(), m, refusal)) return std::nullopt;
    return "vLLM allows at most " + m[3].str() + " log-probabilities per token (its --max-logprobs), fewer than the " + m[2].str() +
           " asked for: start vLLM with --max-logprobs " + m[2].str() + " or more" +
           (m[1] == "sample" && (m[2].length() > 9 || std::stol(m[2].str()) > probe_top) ? std::string(", or lower --top-logprobs") : std::string());
}

// ---- the vocabulary ------------------------------------------------------------------------------------------------
// vLLM reports no vocabulary size, but refuses a completion whose prompt holds a token id beyond its vocabulary before
// the model runs: HTTP 400 "Token id N is out of vocabulary" (the bound is the larger of the tokenizer's and the
// model's; vllm/v1/engine/processor.py, _validate_model_input). An id it accepts is one it can return and one it
// refuses is not, so the size is found by asking. A vLLM without that check would index its embedding table with the
// id (a CUDA device-side assert kills it), so clika asks only versions that have it: the V0 engine since 0.6.4, the V1
// engine since 0.8.x; 0.9 is taken as the first.
inline constexpr std::array<int, 3> vllm_checks_prompt_ids_since{0, 9, 0};

// GET /version's {"version": "0.10.1.dev12+gabc"}: its first three numbers ("0.9" reads as 0.9.0); nullopt when the
// body says no version.
[[nodiscard]] inline std::optional<std::array<int, 3>> vllm_version(std::string_view body) {
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("version") || !j["version"].is_string()) return std::nullopt;
    const std::string& text = j["version"].get_ref<const std::string&>();
    std::array<int, 3> out{};
    const char* at = text.data();
    const char* const end = text.data() + text.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto [next, ec] = std::from_chars(at, end, out[i]);
        if (ec != std::errc()) {
            if (i == 0) return std::nullopt;
            break;
        }
        at = next;
        if (at == end || *at != '.') break;
        ++at;
    }
    return out;
}

// vLLM's refusal of a prompt token id beyond its vocabulary (400 "Token id N is out of vocabulary"): the id it names;
// nullopt for any other answer.
[[nodiscard]] inline std::optional<std::string> vllm_refused_token(long status, std::string_view body) {
    static const std::regex refusal(R"(Token id (-?[0-9]+) is out of vocabulary)");
    std::match_results<std::string_view::const_iterator> m;
    if (status != 400 || !std::regex_search(body.begin(), body.end(), m, refusal)) return std::nullopt;
    return m[1].str();
}

// The vocabulary size of a server that refuses ids beyond it: the smallest id refused, found by doubling from
// `known`, an id it has, then halving the interval. accepts(id): whether the server takes id (it throws on any other
// answer). Each step is one request: about 2 log2(size). nullopt when the server takes the largest id too (it checks
// nothing).
template <class Accepts>
[[nodiscard]] std::optional<Token> vocabulary_size(Token known, Accepts&& accepts) {
    constexpr Token largest = std::numeric_limits<Token>::max();
    Token taken = std::max<Token>(known, 0);
    Token refused = 0;
    for (;;) {
        const Token next = taken >= largest / 2 ? largest : 2 * taken + 1;
        if (!accepts(next)) {
            refused = next;
            break;
        }
        if (next == largest) return std::nullopt;
        taken = next;
    }
    while (refused - taken > 1) {
        const Token middle = taken + (refused - taken) / 2;
        (accepts(middle) ? taken : refused) = middle;
    }
    return refused;
}

}  // namespace clika::openai
