#pragma once
// Writing a run directory, for every kind of run: the lock held while it is written, run.json checked against the
// command's before anything changes, and the answer files appended a chunk at a time and flushed. A restarted run drops
// a torn tail, keeps whole chunks and continues, so a killed run resumes to byte-identical files.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/atomic_file.hpp"
#include "clika/error.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/path_kind.hpp"
#include "clika/question.hpp"
#include "clika/run/growth.hpp"
#include "clika/run/manifest.hpp"
#include "clika/run/paths.hpp"

namespace clika {

// Held while a run writes its directory: a second clika run on the same --out is refused instead of interleaving lines.
// The lock is an flock on OUT/.clika.lock, released by the kernel however the process ends (kill -9 included).
class RunLock {
public:
    explicit RunLock(const fs::path& run_dir) {
        const fs::path path = run_lock_path(run_dir);
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) fail_input({path}, fmt::format("cannot create the run lock: {}", std::strerror(errno)));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            fd_ = -1;
            fail_input({run_dir}, "this run directory is being written by another clika run (its lock .clika.lock is held)",
                       "that run to finish first, or another --out directory");
        }
    }
    RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;
    RunLock& operator=(RunLock&&) = delete;
    ~RunLock() {
        if (fd_ >= 0) ::close(fd_);
    }

private:
    int fd_ = -1;
};

// Locks the run directory, then refuses to mix runs: an existing manifest must equal the one this command would write
// (keys in any order); every difference is named. Nothing in the directory is changed before these checks pass. A
// finished pilot run is grown instead (clika/run/growth.hpp); `grown`, when given, then says so.
[[nodiscard]] inline RunLock open_run_dir(const fs::path& run_dir, const OrderedJson& wanted, std::string* grown = nullptr) {
    // As it reads back from the file: text that is not UTF-8 (a byte token's piece) compares as written, U+FFFD.
    const OrderedJson manifest = OrderedJson::parse(wanted.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
    require_directory_path(run_dir, "--out");
    std::error_code ec;
    fs::create_directories(run_dir, ec);
    if (ec) fail_input({run_dir}, fmt::format("cannot create run directory: {}", ec.message()));
    RunLock lock(run_dir);
    const fs::path path = run_manifest_path(run_dir);
    if (fs::exists(path)) {
        const nlohmann::json existing = without_growth_record(read_run_manifest(path));
        const nlohmann::json here(manifest);
        if (existing == here) return lock;
        if (const auto larger = grown_manifest(run_dir, existing, manifest)) {
            write_file_atomically(path, larger->dump(2) + "\n", "run manifest");
            if (grown != nullptr)
                *grown = fmt::format("growing the finished run of --limit {} to --limit {}: its answers are kept, the rest are added",
                                     existing["limit"].dump(), manifest["limit"] == 0 ? std::string("(all)") : manifest["limit"].dump());
            return lock;
        }
        fail_input({path}, fmt::format("this run directory was made by a different command (expected the same model, plugin, data and settings "
                                       "to resume, a larger --limit to grow a finished run, or a new --out directory); it differs in:{}",
                                       manifest_differences(here, existing.is_object() ? existing : nlohmann::json::object())));
    }
    // Without a manifest, answers already here cannot be told apart from another model's: never adopt them.
    for (const auto& entry : fs::recursive_directory_iterator(run_dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".jsonl")
            fail_input({entry.path()}, "answers in a run directory without run.json: they could be another command's",
                       "a new --out directory, or the run.json that belongs to them");
    write_file_atomically(path, manifest.dump(2) + "\n", "run manifest");
    return lock;
}

class PredictionWriter {
public:
    // Opens (or resumes) one file of items with these uuids. `chunk` is the unit results are computed and written in;
    // `finished_before`: a grown run's answers from before it grew, whole, where its chunks start (clika/run/growth.hpp).
    PredictionWriter(fs::path path, std::span<const std::string> uuids, std::size_t chunk, std::size_t finished_before = 0)
        : path_(std::move(path)), chunk_(chunk), finished_before_(finished_before) {
        fs::create_directories(path_.parent_path());
        done_ = resume(uuids);
        file_ = std::fopen(path_.c_str(), "ab");
        if (file_ == nullptr) fail_input({path_}, "cannot open for appending");
    }
    PredictionWriter(const PredictionWriter&) = delete;
    PredictionWriter& operator=(const PredictionWriter&) = delete;
    ~PredictionWriter() {
        if (file_ != nullptr) std::fclose(file_);
    }

    [[nodiscard]] std::size_t done() const noexcept { return done_; }

    // Appends whole lines and pushes them to the OS (and the disk) before the next chunk starts.
    void append(const std::string& lines, std::size_t count) {
        errno = 0;
        if (std::fwrite(lines.data(), 1, lines.size(), file_) != lines.size() || std::fflush(file_) != 0 || ::fdatasync(::fileno(file_)) != 0)
            fail_input({path_}, fmt::format("cannot append answers ({}); the answers before them are kept", os_reason(errno != 0 ? errno : EIO)),
                       "free space, then the same command again to resume");
        done_ += count;
    }

private:
    // Returns how many questions are already answered: whole lines, in whole chunks, matching the questions' uuids.
    std::size_t resume(std::span<const std::string> uuids) {
        std::error_code ec;
        if (!fs::exists(path_, ec)) return 0;
        std::string text;
        {
            std::ifstream in(path_, std::ios::binary);
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        std::vector<std::size_t> line_ends;
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') line_ends.push_back(i + 1);
        // A finished file is kept whole; otherwise only whole chunks, which recompute to the same bytes.
        const std::size_t lines = line_ends.size();
        const std::size_t base = lines >= finished_before_ ? finished_before_ : 0;
        const std::size_t keep = lines >= uuids.size() ? uuids.size() : base + (lines - base) / chunk_ * chunk_;
        const std::size_t keep_bytes = keep == 0 ? 0 : line_ends[keep - 1];
        // Every kept line is checked before anything is cut: a refused resume leaves the file as it was.
        if (keep > 0) {
            // JsonlFile skips blank lines, but here every line stands for one answered question.
            for (std::size_t k = 0, start = 0; k < keep; start = line_ends[k++])
                if (std::string_view(text).substr(start, line_ends[k] - start).find_first_not_of(" \t\r\n") == std::string_view::npos)
                    fail_input({path_, k + 1}, "blank line among the answers (each line answers one question)",
                               "the predictions.jsonl clika wrote, or a new --out directory");
            JsonlFile file(path_, std::string_view(text).substr(0, keep_bytes));
            std::size_t i = 0;
            file.for_each([&](const JsonRecord& r) {
                const std::string uuid = r.id_text("uuid");
                if (i >= uuids.size() || uuid != uuids[i])
                    r.fail("uuid", fmt::format("answered question \"{}\" is not question {} of this run", uuid, i + 1),
                           "the same data and question order as the interrupted run");
                ++i;
            });
        }
        if (keep_bytes != text.size()) fs::resize_file(path_, keep_bytes);
        return keep;
    }

    fs::path path_;
    std::size_t chunk_;
    std::size_t finished_before_ = 0;
    std::size_t done_ = 0;
    std::FILE* file_ = nullptr;
};

}  // namespace clika
