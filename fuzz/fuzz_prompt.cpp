// The prompt builder (clika/prompt.hpp) on every question the raw loader accepts: any stem, premise and options give
// prefix + body, each option on its own lettered line, ending in the answer cue. Input: a task byte ('0' x_copa,
// '1' x_csqa, '2' x_geo, '3' x_name), then a raw question file.
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/prompt.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    const auto [task, bytes] = fuzz::split_task_input(data, size);
    const fs::path data_dir = fuzz::scratch() / "data";
    const fs::path file = raw_questions_path(data_dir, task, Lang::en);
    fs::create_directories(file.parent_path());
    fuzz::write_bytes(file, bytes);
    std::vector<Question> questions;
    try {
        questions = load_questions(data_dir, task, Lang::en);
    } catch (const Error&) {
        return 0;
    }
    for (const Question& q : questions) {
        const std::string body = prompt_body(q);
        fuzz::require(body.ends_with(prompt_text::answer_cue), "the body ends in the answer cue");
        fuzz::require(body.starts_with(task == Task::x_copa ? "Premise:" + q.context + "\nQuestion:" : "Question:" + q.stem + "\n"),
                      "the body starts with the question");
        for (std::size_t i = 0; i < q.options.size(); ++i)
            fuzz::require(body.find(fmt::format("\n{}. {}\n", option_letters[i], q.options[i])) != std::string::npos,
                          "every option is on its own lettered line");
        for (Shots shots : {Shots::zero, Shots::one}) {
            const std::string prompt = build_prompt(q, shots);
            fuzz::require(prompt == prompt_prefix(task, shots) + body, "a prompt is its task's prefix plus the body");
        }
    }
    return 0;
}
