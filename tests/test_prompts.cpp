#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/prompt.hpp"
#include "test_support.hpp"

using namespace clika;

namespace {

void require_identical(const std::vector<Question>& questions, const std::vector<PromptRecord>& expected, Shots shots,
                       const fs::path& file, bool check_uuid) {
    REQUIRE(questions.size() == expected.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < questions.size(); ++i) {
        const std::string built = build_prompt(questions[i], shots);
        if (built != expected[i].input || questions[i].label_letter() != expected[i].label ||
            (check_uuid && questions[i].uuid != expected[i].uuid)) {
            if (++mismatches <= 3)
                UNSCOPED_INFO(fmt::format("{}:{}\n built:    {:?}\n expected: {:?}", file.string(), i + 1, built, expected[i].input));
        }
    }
    CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("one-shot prompts equal the paper's model_input files byte for byte, every line of all 40 files") {
    const fs::path data = test::data_dir();
    const Task task = GENERATE(Task::x_copa, Task::x_csqa, Task::x_geo, Task::x_name);
    const Lang lang = GENERATE(from_range(all_langs));
    const fs::path expected_file = model_input_path(data, task, lang);
    CAPTURE(expected_file);
    require_identical(load_questions(data, task, lang), load_prompts(expected_file, task), Shots::one, expected_file, false);
}

TEST_CASE("zero-shot prompts equal upstream generate_input files, with their uuids") {
    const fs::path data = test::data_dir();
    const Task task = GENERATE(Task::x_copa, Task::x_geo, Task::x_name);
    const Lang lang = GENERATE(from_range(all_langs));
    const fs::path expected_file = generate_input_path(data, task, lang);
    CAPTURE(expected_file);
    require_identical(load_questions(data, task, lang), load_prompts(expected_file, task), Shots::zero, expected_file, true);
}

TEST_CASE("the shared prefix is the start of every prompt of a task") {
    const fs::path data = test::data_dir();
    const Task task = GENERATE(Task::x_copa, Task::x_csqa, Task::x_geo, Task::x_name);
    const Shots shots = GENERATE(Shots::zero, Shots::one);
    const std::string prefix = prompt_prefix(task, shots);
    for (const Question& q : load_questions(data, task, Lang::ja)) REQUIRE(build_prompt(q, shots).starts_with(prefix));
}

TEST_CASE("x_csqa zero-shot uses the single-question instruction with five options") {
    Question q{.task = Task::x_csqa, .lang = Lang::en, .uuid = "u", .stem = "Where?", .options = {"a", "b", "c", "d", "e"}, .label = 2};
    CHECK(build_prompt(q, Shots::zero) ==
          "The following is a multiple choice question. Please choose the most reasonable one from the following options.\n"
          "Question:Where?\nA. a\nB. b\nC. c\nD. d\nE. e\nAnswer:");
}
