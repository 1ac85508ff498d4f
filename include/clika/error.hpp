#pragma once
// One error type for everything the user can get wrong: it says what, where (file:line, field) and what was expected.

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace clika {

// The CLI maps each kind to an exit code (bad input 2, backend/plugin 3).
enum class ErrorKind { bad_input, backend, internal };

struct Location {
    std::filesystem::path file;  // empty when the error is not about a file
    std::size_t line = 0;        // 1-based; 0 when the whole file is meant
    std::string field;           // JSON field, empty when not about one

    [[nodiscard]] std::string to_string() const {
        std::string out = file.string();
        if (line != 0) out += fmt::format(":{}", line);
        if (!field.empty()) out += fmt::format(": field \"{}\"", field);
        return out;
    }
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, Location where, std::string what, std::string expected = {})
        : std::runtime_error(compose(where, what, expected)),
          kind_(kind),
          where_(std::move(where)),
          what_(std::move(what)),
          expected_(std::move(expected)) {}

    [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
    [[nodiscard]] const Location& where() const noexcept { return where_; }
    [[nodiscard]] const std::string& problem() const noexcept { return what_; }
    [[nodiscard]] const std::string& expected() const noexcept { return expected_; }

private:
    static std::string compose(const Location& where, const std::string& what, const std::string& expected) {
        std::string out = where.to_string();
        if (!out.empty()) out += ": ";
        out += what;
        if (!expected.empty()) out += fmt::format(" (expected {})", expected);
        return out;
    }

    ErrorKind kind_;
    Location where_;
    std::string what_;
    std::string expected_;
};

[[noreturn]] inline void fail_input(Location where, std::string what, std::string expected = {}) {
    throw Error(ErrorKind::bad_input, std::move(where), std::move(what), std::move(expected));
}

}  // namespace clika
