#pragma once
// A minimal fork-join loop for the core's embarrassingly parallel work (file loading, bootstrap resamples).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace clika {

[[nodiscard]] inline unsigned worker_count(unsigned requested, std::size_t items) {
    unsigned n = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(items, 1)));
}

// Calls body(i) for i in [0, n) on up to `threads` threads. If bodies throw, the exception of the lowest i is
// rethrown, so errors are the same whatever the thread count.
template <class Body>
void parallel_for(std::size_t n, unsigned threads, Body&& body) {
    threads = worker_count(threads, n);
    std::vector<std::exception_ptr> errors(n);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            try {
                body(i);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
        worker();
    }
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace clika
