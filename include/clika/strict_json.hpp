#pragma once
// The one rule for every JSON input clika reads (JSON Lines through clika/jsonl.hpp, whole documents such as run.json
// through read_strict_json): parsed by simdjson; a UTF-8 byte-order mark, invalid UTF-8, trailing bytes, literals JSON
// does not have (NaN, Infinity), numbers out of double's range and a key twice in one object are errors naming file
// and line. (Python's json keeps the last of two equal keys and simdjson the first: refuse rather than pick one.)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "clika/error.hpp"

namespace clika {

// Python's json.load refuses a BOM, as clika does (nlohmann and simdjson would skip or reject it silently).
inline void refuse_byte_order_mark(const std::filesystem::path& path, std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF"))
        fail_input({path, 1}, "the file starts with a UTF-8 byte-order mark (BOM), which JSON does not allow",
                   "UTF-8 without a BOM: remove the first three bytes, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE");
}

[[nodiscard]] inline std::string describe_json_error(simdjson::error_code error) {
    switch (error) {
        case simdjson::UTF8_ERROR: return "invalid UTF-8";
        case simdjson::UNCLOSED_STRING: return "malformed JSON: unclosed string";
        case simdjson::TAPE_ERROR: return "malformed JSON";
        default: return fmt::format("malformed JSON: {}", simdjson::error_message(error));
    }
}

// The first key that appears twice in one object anywhere inside `value`.
[[nodiscard]] inline std::optional<std::string_view> json_duplicate_key(simdjson::dom::element value) {
    // Copies of the views first: value_unsafe() on a temporary result returns a reference into it.
    if (value.is_array()) {
        const simdjson::dom::array items = value.get_array().value_unsafe();
        for (simdjson::dom::element item : items)
            if (auto key = json_duplicate_key(item)) return key;
        return std::nullopt;
    }
    if (!value.is_object()) return std::nullopt;
    const simdjson::dom::object object = value.get_object().value_unsafe();
    std::vector<std::string_view> keys;
    for (auto field : object) {
        keys.push_back(field.key);
        if (auto key = json_duplicate_key(field.value)) return key;
    }
    std::sort(keys.begin(), keys.end());
    if (auto at = std::adjacent_find(keys.begin(), keys.end()); at != keys.end()) return *at;
    return std::nullopt;
}

inline constexpr std::string_view duplicate_key_what = "appears twice in one object";

namespace detail_strict_json {

// A whole document walked with simdjson's On-Demand parser, whose tokens point into the text: every error names the
// line it is on, and a duplicate key its dotted path.
class DocumentReader {
public:
    DocumentReader(const std::filesystem::path& path, const simdjson::padded_string& text, std::string_view what)
        : path_(path), text_(text), what_(what) {}

    nlohmann::json read() {
        simdjson::ondemand::parser parser;
        simdjson::ondemand::document doc;
        if (const auto error = parser.iterate(text_).get(doc); error) fail_at(text_.size() == 0 ? nullptr : text_.data(), error);
        nlohmann::json out = convert(doc);
        // Past the value, the next token is trailing content (at the end there is none: OUT_OF_BOUNDS).
        if (const char* at = nullptr; doc.current_location().get(at) == simdjson::SUCCESS) fail_at(at, "more than one JSON value");
        return out;
    }

private:
    template <class Value>
    nlohmann::json convert(Value& value) {
        std::string_view token;  // a value's is a string_view, a document's a simdjson_result
        if constexpr (std::is_same_v<decltype(value.raw_json_token()), std::string_view>) token = value.raw_json_token();
        else if (value.raw_json_token().get(token) != simdjson::SUCCESS) token = {};
        if (!token.empty()) last_ = token.data();
        simdjson::ondemand::json_type type{};
        check(value.type().get(type));
        switch (type) {
            case simdjson::ondemand::json_type::object: {
                simdjson::ondemand::object object;
                check(value.get_object().get(object));
                nlohmann::json out = nlohmann::json::object();
                std::vector<std::string> keys;
                for (auto field_result : object) {
                    simdjson::ondemand::field field;
                    check(std::move(field_result).get(field));
                    const char* key_at = field.key().raw();  // before unescaping, which consumes the raw key
                    last_ = key_at;
                    std::string_view key;
                    check(field.unescaped_key().get(key));
                    std::string name(key);
                    if (std::find(keys.begin(), keys.end(), name) != keys.end()) {
                        std::string dotted;
                        for (const std::string& p : path_keys_) dotted += p + ".";
                        fail_input({path_, line_of(key_at), dotted + name}, std::string(duplicate_key_what),
                                   "every key once per object, as clika writes it");
                    }
                    keys.push_back(name);
                    path_keys_.push_back(name);
                    simdjson::ondemand::value child = field.value();
                    out[name] = convert(child);
                    path_keys_.pop_back();
                }
                return out;
            }
            case simdjson::ondemand::json_type::array: {
                simdjson::ondemand::array array;
                check(value.get_array().get(array));
                nlohmann::json out = nlohmann::json::array();
                for (auto item_result : array) {
                    simdjson::ondemand::value item;
                    check(std::move(item_result).get(item));
                    out.push_back(convert(item));
                }
                return out;
            }
            case simdjson::ondemand::json_type::number: {
                simdjson::ondemand::number_type kind{};
                check(value.get_number_type().get(kind));
                if (kind == simdjson::ondemand::number_type::signed_integer) {
                    std::int64_t n = 0;
                    check(value.get_int64().get(n));
                    // As nlohmann reads them: integers that are not negative are unsigned.
                    return n >= 0 ? nlohmann::json(static_cast<std::uint64_t>(n)) : nlohmann::json(n);
                }
                if (kind == simdjson::ondemand::number_type::unsigned_integer) {
                    std::uint64_t n = 0;
                    check(value.get_uint64().get(n));
                    return n;
                }
                double d = 0;
                check(value.get_double().get(d));
                return d;
            }
            case simdjson::ondemand::json_type::string: {
                std::string_view s;
                check(value.get_string().get(s));
                return std::string(s);
            }
            case simdjson::ondemand::json_type::boolean: {
                bool b = false;
                check(value.get_bool().get(b));
                return b;
            }
            case simdjson::ondemand::json_type::null: {
                bool null = false;
                check(value.is_null().get(null));
                if (!null) check(simdjson::INCORRECT_TYPE);
                return nullptr;
            }
        }
        check(simdjson::INCORRECT_TYPE);
        return nullptr;
    }

    void check(simdjson::error_code error) {
        if (error != simdjson::SUCCESS) fail_at(last_, error);
    }

    [[noreturn]] void fail_at(const char* at, simdjson::error_code error) { fail_at(at, describe_json_error(error)); }
    [[noreturn]] void fail_at(const char* at, const std::string& why) {
        fail_input({path_, at == nullptr ? 0 : line_of(at)}, fmt::format("unreadable {}: {}", what_, why), fmt::format("the {} clika wrote", what_));
    }

    [[nodiscard]] std::size_t line_of(const char* at) const {
        const char* begin = text_.data();
        if (at < begin || at > begin + text_.size()) return 0;
        return static_cast<std::size_t>(std::count(begin, at, '\n')) + 1;
    }

    const std::filesystem::path& path_;
    const simdjson::padded_string& text_;
    std::string_view what_;
    const char* last_ = nullptr;  // the last token read: where an error that names no place of its own is
    std::vector<std::string> path_keys_;
};

}  // namespace detail_strict_json

// A whole JSON document (run.json) read by the rule above. `what` names the document in messages ("run manifest").
[[nodiscard]] inline nlohmann::json read_strict_json(const std::filesystem::path& path, std::string_view what) {
    auto loaded = simdjson::padded_string::load(path.string());
    if (loaded.error() != simdjson::SUCCESS) fail_input({path}, fmt::format("cannot read the {}", what));
    const simdjson::padded_string text = std::move(loaded).value_unsafe();
    refuse_byte_order_mark(path, std::string_view(text.data(), text.size()));
    return detail_strict_json::DocumentReader(path, text, what).read();
}

}  // namespace clika
