#pragma once
// What a vLLM server lets clika see of its own settings: its cache settings (GET /metrics, the Prometheus gauge
// vllm:cache_config_info, whose labels carry them) and its --max-logprobs (only through the refusal of a request that
// asks for more).

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

}  // namespace clika::openai
