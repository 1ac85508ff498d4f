#pragma once
// Progress for long runs: a redrawn bar with rate and ETA on a terminal, plain periodic lines otherwise (logs, CI).

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "clika/eval/runner.hpp"

namespace clika::cli {

class Progress {
public:
    using Clock = std::chrono::steady_clock;

    Progress(std::string label, std::size_t total, std::size_t already_done)
        : label_(std::move(label)), total_(total), done_(already_done), start_done_(already_done),
          terminal_(::isatty(::fileno(stderr)) != 0), start_(Clock::now()), last_print_(start_) {}

    void advance(std::size_t n) {
        done_ += n;
        const auto now = Clock::now();
        if (terminal_ || now - last_print_ >= std::chrono::seconds(10) || done_ == total_) print(now);
    }

    void finish() {
        if (terminal_) std::fputc('\n', stderr);
        else if (done_ != last_printed_) print(Clock::now());
        std::fflush(stderr);
    }

private:
    void print(Clock::time_point now) {
        last_print_ = now;
        last_printed_ = done_;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double rate = seconds > 0 ? static_cast<double>(done_ - start_done_) / seconds : 0.0;
        const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
        const std::string numbers = fmt::format("{}/{}  {:.1f} q/s  ETA {:.0f}s", done_, total_, rate, eta);
        if (terminal_) {
            constexpr std::size_t width = 30;
            const std::size_t filled = total_ == 0 ? width : width * done_ / total_;
            fmt::print(stderr, "\r{:<16} [{}{}] {}\x1b[K", label_, std::string(filled, '#'), std::string(width - filled, '.'), numbers);
        } else {
            fmt::print(stderr, "{} {}\n", label_, numbers);
        }
        std::fflush(stderr);
    }

    std::string label_;
    std::size_t total_, done_, start_done_, last_printed_ = 0;
    bool terminal_;
    Clock::time_point start_, last_print_;
};

// The runner's progress as one Progress line per source; a source found finished gets none (a rate of 0.0 q/s says
// nothing), the run's summary says it was complete.
class ProgressObserver : public RunObserver {
public:
    void begin(const ItemSource& source, std::size_t already_done) override {
        if (already_done >= source.uuids.size()) progress_.reset();
        else progress_.emplace(source.label, source.uuids.size(), already_done);
    }
    void advance(std::size_t answered) override {
        if (progress_) progress_->advance(answered);
    }
    void finish(const ItemSource&) override {
        if (progress_) progress_->finish();
    }
    void warn(const std::string& message) override { fmt::print(stderr, "clika run: warning: {}\n", message); }

private:
    std::optional<Progress> progress_;
};

}  // namespace clika::cli
