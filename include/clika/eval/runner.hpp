#pragma once
// The one resumable runner. Every kind of item (multiple-choice questions, fictional test items, Translate items, and
// later external ones) is an ItemSource: one output file, the ids of its items in file order, and a function that
// answers a chunk of them as prediction lines. The runner resumes each file (PredictionWriter drops a torn tail and
// keeps whole chunks: clika/run/writer.hpp), answers what is missing a chunk at a time and flushes each chunk before the next starts, so a
// killed run resumes to byte-identical files.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "clika/error.hpp"
#include "clika/question.hpp"
#include "clika/run/writer.hpp"

namespace clika {

struct ItemSource {
    std::string label;               // for progress: "x_csqa en", "fictional de"
    std::filesystem::path path;      // the predictions file
    std::vector<std::string> uuids;  // one per item, in file order: a resumed file must hold these, in this order
    // The prediction lines of items [start, end), one line each. Called with consecutive chunks, from where the file
    // stopped; anything it needs once (planning requests) it can do on its first call.
    std::function<std::string(std::size_t start, std::size_t end)> answer;
    std::size_t finished_before = 0;  // a grown run: items answered before it grew, kept whole (clika/run/growth.hpp)
};

[[nodiscard]] inline std::vector<std::string> uuids_of(std::span<const Question> questions) {
    std::vector<std::string> out;
    out.reserve(questions.size());
    for (const Question& q : questions) out.push_back(q.uuid);
    return out;
}

// What the runner reports as it goes; the CLI draws progress bars from it, an embedder may ignore it.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void begin(const ItemSource& /*source*/, std::size_t /*already_done*/) {}
    virtual void advance(std::size_t /*answered*/) {}
    virtual void finish(const ItemSource& /*source*/) {}
    virtual void warn(const std::string& /*message*/) {}  // something the results' reader should know; the run goes on
};

// Answers every source in order; returns how many items were answered now (not those found done).
inline std::size_t run_sources(std::span<const ItemSource> sources, std::size_t chunk, RunObserver& observer) {
    if (chunk == 0) fail_input({}, "--chunk must be at least 1");
    std::size_t answered = 0;
    for (const ItemSource& source : sources) {
        PredictionWriter writer(source.path, source.uuids, chunk, source.finished_before);
        observer.begin(source, writer.done());
        for (std::size_t start = writer.done(); start < source.uuids.size(); start += chunk) {
            const std::size_t end = std::min(source.uuids.size(), start + chunk);
            writer.append(source.answer(start, end), end - start);
            answered += end - start;
            observer.advance(end - start);
        }
        observer.finish(source);
    }
    return answered;
}

}  // namespace clika
