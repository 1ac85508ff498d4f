#pragma once
// What a path really is, for messages that name it: the OS's own words mislead ("File exists" for a symbolic link to
// nothing, "not found" for a FIFO, "Invalid argument" for ''), and reading a FIFO or /dev/zero as a file blocks or
// never ends. Each check fails with one line naming the path and what it is instead.

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "clika/error.hpp"

namespace clika {

namespace detail_path_kind {

// The first folder on the way to `path` that is a file (or other non-folder): why nothing below it can exist.
[[nodiscard]] inline std::string blocked_by(const std::filesystem::path& path) {
    std::filesystem::path at;
    for (const std::filesystem::path& part : path.parent_path()) {
        at /= part;
        std::error_code ec;
        const auto type = std::filesystem::status(at, ec).type();
        if (type != std::filesystem::file_type::directory && type != std::filesystem::file_type::not_found)
            return fmt::format("{} is a file, not a folder", at.string());
    }
    return {};
}

[[nodiscard]] inline std::string_view special_kind(std::filesystem::file_type type) {
    switch (type) {
        case std::filesystem::file_type::fifo: return "a FIFO (named pipe)";
        case std::filesystem::file_type::character: return "a character device (such as /dev/zero)";
        case std::filesystem::file_type::block: return "a block device";
        case std::filesystem::file_type::socket: return "a socket";
        default: return "a special file";
    }
}

// Why a path that does not resolve is missing: a link to nothing, a file in its way, or simply absent (empty).
[[nodiscard]] inline std::string why_missing(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
        const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
        return fmt::format("is a symbolic link to {}, which does not exist", ec ? std::string("a path that does not exist") : target.string());
    }
    return blocked_by(path);
}

}  // namespace detail_path_kind

// `path` must be a regular file (links followed): a folder, FIFO, device, link to nothing or a path through a file is
// named as such. `what` starts the message ("model file", "file"); a plain absence keeps "<what> not found".
inline void require_regular_file(const std::filesystem::path& path, std::string_view what, std::string expected = {}) {
    std::error_code ec;
    const std::filesystem::file_type type = std::filesystem::status(path, ec).type();
    if (type == std::filesystem::file_type::regular) return;
    if (path.empty()) fail_input({}, fmt::format("{}: an empty path was given", what), std::move(expected));
    std::string problem;
    if (type == std::filesystem::file_type::directory) problem = fmt::format("is a directory, not a {}", what);
    else if (type == std::filesystem::file_type::not_found) {
        const std::string missing = detail_path_kind::why_missing(path);
        problem = missing.empty() ? fmt::format("{} not found", what) : fmt::format("{} not found: {}", what, missing);
    } else if (ec) problem = fmt::format("cannot reach the {}: {}", what, ec.message());
    else problem = fmt::format("is {}, not a regular {} (it cannot be read to its end)", detail_path_kind::special_kind(type), what);
    fail_input({path}, std::move(problem), std::move(expected));
}

// `path` (given as `option`) must be a folder or one that can be created there: '' , a file, a link to nothing or a
// path through a file are named as such before anything is written.
inline void require_directory_path(const std::filesystem::path& path, std::string_view option) {
    if (path.empty()) fail_input({}, fmt::format("{} is empty", option), "the path of a folder");
    std::error_code ec;
    const std::filesystem::file_type type = std::filesystem::status(path, ec).type();
    if (type == std::filesystem::file_type::directory) return;
    std::string problem;
    if (type == std::filesystem::file_type::not_found) {
        problem = detail_path_kind::why_missing(path);
        if (problem.empty()) return;  // absent: it will be created
    } else if (ec) problem = fmt::format("cannot be reached: {}", ec.message());
    else if (type == std::filesystem::file_type::regular) problem = "is a file, not a folder";
    else problem = fmt::format("is {}, not a folder", detail_path_kind::special_kind(type));
    fail_input({path}, fmt::format("{} {}", option, problem), "a folder, or a path where one can be created");
}

// `path` must be an existing folder (links followed); `what` names it ("run directory"): a file, a link to nothing or a
// path through a file is named as such, a plain absence keeps "<what> not found".
inline void require_existing_directory(const std::filesystem::path& path, std::string_view what, std::string expected = {}) {
    if (path.empty()) fail_input({}, fmt::format("{}: an empty path was given", what), std::move(expected));
    std::error_code ec;
    const std::filesystem::file_type type = std::filesystem::status(path, ec).type();
    if (type == std::filesystem::file_type::directory) return;
    std::string problem;
    if (type == std::filesystem::file_type::not_found) {
        const std::string missing = detail_path_kind::why_missing(path);
        problem = missing.empty() ? fmt::format("{} not found", what) : fmt::format("{} not found: {}", what, missing);
    } else if (ec) problem = fmt::format("cannot reach the {}: {}", what, ec.message());
    else if (type == std::filesystem::file_type::regular) problem = fmt::format("is a file, not a {}", what);
    else problem = fmt::format("is {}, not a {}", detail_path_kind::special_kind(type), what);
    fail_input({path}, std::move(problem), std::move(expected));
}

}  // namespace clika
