// The raw question loaders (load_questions: x_copa, x_csqa, x_geo/x_name files) and the prompt-file loader
// (load_prompts) on one file. Input: a task byte ('0' x_copa, '1' x_csqa, '2' x_geo, '3' x_name), then the file.
#include <cstddef>
#include <cstdint>

#include "clika/dataset.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    const auto [task, bytes] = fuzz::split_task_input(data, size);
    const fs::path data_dir = fuzz::scratch() / "data";
    const fs::path file = raw_questions_path(data_dir, task, Lang::en);
    fs::create_directories(file.parent_path());
    fuzz::write_bytes(file, bytes);
    try {
        const std::vector<Question> questions = load_questions(data_dir, task, Lang::en);
        fuzz::require(!questions.empty(), "a loaded file has questions");
        for (const Question& q : questions) {
            fuzz::require(q.task == task && q.options.size() == spec(task).option_count, "every question has its task's options");
            fuzz::require(q.label >= 0 && static_cast<std::size_t>(q.label) < q.options.size(), "every label names an option");
        }
    } catch (const Error&) {
    }
    try {
        for (const PromptRecord& p : load_prompts(file, task))
            fuzz::require(option_letters.substr(0, spec(task).option_count).find(p.label) != std::string_view::npos,
                          "every prompt label is an option letter");
    } catch (const Error&) {
    }
    return 0;
}
