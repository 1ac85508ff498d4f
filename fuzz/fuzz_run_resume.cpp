// Resuming a run's predictions.jsonl (PredictionWriter, clika/run/writer.hpp), the file a killed run left behind:
// either refused with clika::Error and left as it was, or cut to whole chunks of answers -- one line per answer, each
// the next question's -- that the run then continues after. Input: a byte for the chunk size (1 + byte % 4), then the
// file, for a run of six questions.
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "clika/run/writer.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    if (size == 0) return 0;
    static const std::array<std::string, 6> uuids{"q0", "q1", "q2", "3", "q4", "q5"};  // "3": upstream's integer ids
    const std::size_t chunk = 1 + data[0] % 4;
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const fs::path file = fuzz::scratch() / "run" / "predictions.jsonl";
    fs::create_directories(file.parent_path());
    fuzz::write_bytes(file, bytes);
    std::size_t done = 0;
    try {
        const PredictionWriter writer(file, uuids, chunk);
        done = writer.done();
    } catch (const Error&) {
        std::ifstream in(file, std::ios::binary);
        fuzz::require(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()) == bytes, "a refused resume changes nothing");
        return 0;
    }
    std::ifstream in(file, std::ios::binary);
    const std::string kept(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
    fuzz::require(bytes.starts_with(kept), "a resume only cuts the file's tail");
    fuzz::require(done == uuids.size() || done % chunk == 0, "a resume keeps whole chunks");
    std::size_t lines = 0, answers = 0;
    for (std::size_t start = 0; start < kept.size(); ++lines) {
        const std::size_t end = kept.find('\n', start);
        const std::string_view line = std::string_view(kept).substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++answers;
        start = end == std::string::npos ? kept.size() : end + 1;
    }
    fuzz::require(lines == done && answers == done, "every kept line is one answer, one per question done");
    return 0;
}
