#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "clika/error.hpp"

namespace clika::test {

// The shared CLiKA data: tests need it and fail loudly without it rather than pass vacuously.
inline std::filesystem::path data_dir() {
    const char* env = std::getenv("CLIKA_DATA");
    std::filesystem::path dir = env != nullptr && *env != '\0' ? std::filesystem::path(env) : std::filesystem::path(CLIKA_TEST_DATA);
    INFO("CLiKA data folder: " << dir << " (set CLIKA_DATA to move it)");
    REQUIRE(std::filesystem::is_directory(dir / "x_copa"));
    return dir;
}

// A scratch folder per test case, removed and recreated on each use.
inline std::filesystem::path scratch_dir(std::string_view name) {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "clika-tests" / std::string(name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// CLIKA_REGENERATE_GOLDEN=1: a golden test writes what this build produces into its file in tests/golden/ instead of
// only comparing (tests/golden/README.md).
inline bool regenerating_golden() {
    const char* env = std::getenv("CLIKA_REGENERATE_GOLDEN");
    return env != nullptr && std::string_view(env) == "1";
}

inline void write_file(const std::filesystem::path& path, std::string_view text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The clika::Error `action` throws; a test failure when it throws none.
inline Error error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e;
    }
    FAIL("expected a clika::Error");
    throw std::logic_error("unreachable");
}

// The message of the error of `kind` that `action` throws; a test failure when it throws none or another kind.
inline std::string error_message(ErrorKind kind, const std::function<void()>& action) {
    const Error e = error_of(action);
    CHECK(e.kind() == kind);
    return e.what();
}

inline std::string bad_input_message(const std::function<void()>& action) { return error_message(ErrorKind::bad_input, action); }

}  // namespace clika::test
