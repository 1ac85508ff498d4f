#pragma once
// Strict JSON Lines reading (the rule of clika/strict_json.hpp, one value per line): every problem is reported with
// file, line and field.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "clika/error.hpp"
#include "clika/path_kind.hpp"
#include "clika/strict_json.hpp"

namespace clika {

// One parsed line. Values that are strings point into the parser and die with the next line: copy what you keep.
class JsonRecord {
public:
    JsonRecord(simdjson::dom::element root, const std::filesystem::path& file, std::size_t line)
        : root_(root), file_(&file), line_(line) {}

    [[nodiscard]] std::size_t line() const noexcept { return line_; }
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return *file_; }
    [[nodiscard]] simdjson::dom::element root() const noexcept { return root_; }

    [[noreturn]] void fail(std::string_view field, std::string what, std::string expected = {}) const {
        fail_input({*file_, line_, std::string(field)}, std::move(what), std::move(expected));
    }

    [[nodiscard]] bool has(std::string_view field) const { return root_.at_key(field).error() == simdjson::SUCCESS; }

    [[nodiscard]] simdjson::dom::element at(std::string_view field) const { return at(root_, field); }

    // `path` names the field from the top of the record ("question.choices.text"), so messages say which one; its last
    // part is the key looked up in `object`.
    [[nodiscard]] simdjson::dom::element at(simdjson::dom::element object, std::string_view path) const {
        const std::size_t dot = path.rfind('.');
        if (!object.is_object())
            fail(dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot), fmt::format("is {}", type_name(object)), "an object");
        auto value = object.at_key(dot == std::string_view::npos ? path : path.substr(dot + 1));
        if (value.error() != simdjson::SUCCESS) fail(path, "missing field", "a JSON object with this field");
        return value.value_unsafe();
    }

    [[nodiscard]] std::string_view string(std::string_view field) const { return as_string(at(field), field); }

    [[nodiscard]] std::string_view as_string(simdjson::dom::element value, std::string_view field) const {
        auto text = value.get_string();
        if (text.error() != simdjson::SUCCESS) fail(field, fmt::format("is {}", type_name(value)), "a string");
        return text.value_unsafe();
    }

    [[nodiscard]] std::int64_t integer(std::string_view field) const { return as_integer(at(field), field); }

    [[nodiscard]] std::int64_t as_integer(simdjson::dom::element value, std::string_view field) const {
        auto number = value.get_int64();
        if (number.error() != simdjson::SUCCESS) fail(field, fmt::format("is {}", type_name(value)), "an integer");
        return number.value_unsafe();
    }

    [[nodiscard]] simdjson::dom::array array(std::string_view field) const { return as_array(at(field), field); }

    [[nodiscard]] simdjson::dom::array as_array(simdjson::dom::element value, std::string_view field) const {
        auto items = value.get_array();
        if (items.error() != simdjson::SUCCESS) fail(field, fmt::format("is {}", type_name(value)), "an array");
        return items.value_unsafe();
    }

    // Upstream ids are integers in some files and strings in others; both name the same thing.
    [[nodiscard]] std::string id_text(std::string_view field) const {
        simdjson::dom::element value = at(field);
        if (value.is_string()) return std::string(value.get_string().value_unsafe());
        if (value.is_int64()) return std::to_string(value.get_int64().value_unsafe());
        if (value.is_uint64()) return std::to_string(value.get_uint64().value_unsafe());
        fail(field, fmt::format("is {}", type_name(value)), "a string or an integer");
    }

    [[nodiscard]] bool is_integer(std::string_view field) const { return at(field).is_int64() || at(field).is_uint64(); }

    [[nodiscard]] static std::string_view type_name(simdjson::dom::element value) {
        switch (value.type()) {
            case simdjson::dom::element_type::ARRAY: return "an array";
            case simdjson::dom::element_type::OBJECT: return "an object";
            case simdjson::dom::element_type::INT64:
            case simdjson::dom::element_type::UINT64: return "an integer";
            case simdjson::dom::element_type::DOUBLE: return "a floating-point number";
            case simdjson::dom::element_type::STRING: return "a string";
            case simdjson::dom::element_type::BOOL: return "a boolean";
            case simdjson::dom::element_type::NULL_VALUE: return "null";
        }
        return "an unknown value";
    }

private:
    simdjson::dom::element root_;
    const std::filesystem::path* file_;
    std::size_t line_;
};

class JsonlFile {
public:
    explicit JsonlFile(std::filesystem::path path) : path_(std::move(path)) {
        require_regular_file(path_, "file", "a JSON Lines file");
        auto loaded = simdjson::padded_string::load(path_.string());
        if (loaded.error() != simdjson::SUCCESS) fail_input({path_}, "cannot read file");
        text_ = std::move(loaded).value_unsafe();
    }

    // Text already in memory (part of a file, say), with the path its messages name.
    JsonlFile(std::filesystem::path path, std::string_view text) : path_(std::move(path)), text_(text) {}

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    // Calls visit(const JsonRecord&) for each non-blank line, in order; throws clika::Error on the first bad line.
    template <class Visit>
    void for_each(Visit&& visit) {
        std::string_view rest{text_.data(), text_.size()};
        std::size_t line = 0;
        while (!rest.empty()) {
            ++line;
            std::size_t end = rest.find('\n');
            std::string_view text = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
            if (line == 1) refuse_byte_order_mark(path_, text);
            if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
            // The whole file buffer is padded, so the bytes after a line satisfy simdjson's padding contract.
            auto parsed = parser_.parse(text.data(), text.size(), false);
            if (parsed.error() != simdjson::SUCCESS) fail_input({path_, line}, describe_json_error(parsed.error()), "one JSON value per line");
            simdjson::dom::element root = parsed.value_unsafe();
            if (!root.is_object()) fail_input({path_, line}, fmt::format("is {}", JsonRecord::type_name(root)), "a JSON object");
            if (const auto key = json_duplicate_key(root))
                fail_input({path_, line, std::string(*key)}, std::string(duplicate_key_what), "every key once per object");
            visit(JsonRecord{root, path_, line});
        }
    }

private:
    std::filesystem::path path_;
    simdjson::padded_string text_;
    simdjson::dom::parser parser_;
};

}  // namespace clika
