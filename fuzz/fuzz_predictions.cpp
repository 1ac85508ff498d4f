// The predictions loader (load_predictions): published {model}_res_*.jsonl files and clika's own predictions.jsonl
// with scores. Input: a task byte ('0' x_copa, '1' x_csqa, '2' x_geo, '3' x_name), then the file.
#include <cstddef>
#include <cstdint>

#include "clika/predictions.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    const auto [task, bytes] = fuzz::split_task_input(data, size);
    const fs::path file = fuzz::scratch() / "predictions.jsonl";
    fuzz::write_bytes(file, bytes);
    try {
        const LangResults r = load_predictions(file, task);
        const std::size_t n = r.uuids.size();
        fuzz::require(n > 0 && r.gold.size() == n && r.predicted.size() == n && r.correct.size() == n, "one entry per line");
        fuzz::require(r.off_format <= n, "off-format answers are at most all answers");
        const std::string_view letters = option_letters.substr(0, spec(task).option_count);
        for (std::size_t i = 0; i < n; ++i) {
            fuzz::require(letters.find(r.gold[i]) != std::string_view::npos, "gold is an option letter");
            fuzz::require(r.predicted[i] == 0 || letters.find(r.predicted[i]) != std::string_view::npos, "a prediction is a letter or none");
            fuzz::require((r.correct[i] != 0) == (r.predicted[i] == r.gold[i]), "correct means predicted equals gold");
        }
    } catch (const Error&) {
    }
    return 0;
}
