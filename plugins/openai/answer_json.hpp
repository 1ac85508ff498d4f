#pragma once
// A server's answer body read as JSON, strictly: when it is not JSON, the parser's reason and position (without the
// library's "[json.exception.parse_error.101]" tag); a key twice in one object is refused, since nlohmann keeps the
// last silently and a vLLM top list ({"token_id:N": logprob}) would lose a token.

#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

namespace clika::openai {

struct AnswerNotJson : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What a JSON exception says, without the library's tag.
[[nodiscard]] inline std::string json_reason(const nlohmann::json::exception& e) {
    std::string text = e.what();
    if (text.rfind("[json.exception.", 0) == 0)
        if (const std::size_t end = text.find("] "); end != std::string::npos) text.erase(0, end + 2);
    return text;
}

[[nodiscard]] inline nlohmann::json parse_answer(std::string_view body) {
    std::vector<std::unordered_set<std::string>> keys;  // of each object being read
    std::string twice;
    const auto note = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) keys.emplace_back();
        else if (event == Event::object_end && !keys.empty()) keys.pop_back();
        else if (event == Event::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second && twice.empty())
            twice = parsed.get<std::string>();
        return true;
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(body.begin(), body.end(), note);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number past double's range
        throw AnswerNotJson("a body that is not JSON (" + json_reason(e) + ")");
    }
    if (!twice.empty()) throw AnswerNotJson("JSON that names the key \"" + twice.substr(0, 40) + "\" twice in one object");
    return j;
}

}  // namespace clika::openai
