#pragma once
// Whole files written so that a reader sees the old file or the new one, never a torn one (a temporary beside the
// target, flushed to disk, renamed over it), and write failures that say why ("No space left on device").

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "clika/error.hpp"

namespace clika {

// The operating system's reason for errno value `err`.
[[nodiscard]] inline std::string os_reason(int err) { return std::generic_category().message(err); }

// `what` names the file for the message, e.g. "report" or "run manifest".
inline void write_file_atomically(const std::filesystem::path& path, std::string_view text, std::string_view what = "file") {
    const std::filesystem::path temporary = path.string() + fmt::format(".tmp{}", ::getpid());
    auto fail = [&](int err, std::string_view step) {
        ::unlink(temporary.c_str());
        fail_input({path}, fmt::format("cannot write the {} ({}: {}); any previous file there is unchanged", what, step, os_reason(err)),
                   "a writable folder with free space");
    };
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(errno, "create");
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC;
            ::close(fd);
            fail(err, "write");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail(err, "flush");
    }
    if (::close(fd) != 0) fail(errno, "close");
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail(errno, "rename");
}

}  // namespace clika
