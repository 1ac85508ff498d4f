#pragma once
// What every fuzz target shares. The rule they check: any bytes given to a loader end in success or clika::Error (bad
// input, exit 2) -- never another exception, a crash or a sanitizer report. Loaders read files, as clika does, so each
// input is written to a scratch folder first (under $TMPDIR; scripts/ci-hardening.sh points it into build-fuzz).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "clika/task.hpp"

namespace clika::fuzz {

namespace fs = std::filesystem;

class Scratch {
public:
    Scratch() : dir_(fs::temp_directory_path() / ("clika-fuzz-" + std::to_string(::getpid()))) { fs::create_directories(dir_); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    [[nodiscard]] const fs::path& dir() const noexcept { return dir_; }

private:
    fs::path dir_;
};

[[nodiscard]] inline const fs::path& scratch() {
    static const Scratch folder;
    return folder.dir();
}

inline void write_bytes(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
}

// A broken invariant is a finding like a crash: abort, so that libFuzzer keeps the input.
inline void require(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
        std::abort();
    }
}

// The first byte of an input picks the multiple-choice task; the rest is the file.
struct TaskInput {
    Task task;
    std::string_view file;
};

[[nodiscard]] inline TaskInput split_task_input(const std::uint8_t* data, std::size_t size) {
    constexpr Task tasks[] = {Task::x_copa, Task::x_csqa, Task::x_geo, Task::x_name};
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    if (all.empty()) return {Task::x_copa, {}};
    return {tasks[static_cast<unsigned char>(all[0]) % 4], all.substr(1)};
}

}  // namespace clika::fuzz
