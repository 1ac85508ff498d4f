#pragma once
// The paper's prompts, byte for byte: one-shot (the *_model_input.jsonl files) and zero-shot (generate_input.jsonl).
// The instruction and demonstration stay in English for every language, as upstream.

#include <cstddef>
#include <string>
#include <string_view>

#include "clika/question.hpp"
#include "clika/task.hpp"

namespace clika {

enum class Shots { zero = 0, one = 1 };

namespace prompt_text {

inline constexpr std::string_view copa_instruction =
    "Answer the following multiple choice questions by selecting the correct option according to the Premise."
    "Please choose the correct one from the two options A and B.\n";
inline constexpr std::string_view copa_demonstration =
    "Premise:The sky turns dark.\nQuestion:What was the cause of this?\nA. It's night.\nB. It's noon.\n"
    "Answer:A. It's night.\n\n";
inline constexpr std::string_view copa_cause = "What was the cause of this?";
inline constexpr std::string_view copa_effect = "What happened as a result?";

inline constexpr std::string_view mc_instruction_one_shot =
    "The following are multiple choice questions. Please choose the most reasonable one from the following options.\n";
inline constexpr std::string_view mc_instruction_zero_shot =
    "The following is a multiple choice question. Please choose the most reasonable one from the following options.\n";
inline constexpr std::string_view csqa_demonstration = "Question:2+3=?\nA. 1\nB. 2\nC. 3\nD. 5\nE. 6\nAnswer:D. 5\n";
inline constexpr std::string_view factual_demonstration = "Question:2+3=?\nA. 1\nB. 2\nC. 3\nD. 5\nAnswer:D. 5\n";

inline constexpr std::string_view answer_cue = "Answer:";

}  // namespace prompt_text

// What every question of a task shares: instruction plus demonstration. The engine evaluates it once per task/language.
[[nodiscard]] inline std::string prompt_prefix(Task task, Shots shots) {
    using namespace prompt_text;
    std::string out;
    if (task == Task::x_copa) {
        out = copa_instruction;
        if (shots == Shots::one) out += copa_demonstration;
        return out;
    }
    out = shots == Shots::one ? mc_instruction_one_shot : mc_instruction_zero_shot;
    if (shots == Shots::one) out += task == Task::x_csqa ? csqa_demonstration : factual_demonstration;
    return out;
}

// The question-specific remainder, ending in "Answer:".
[[nodiscard]] inline std::string prompt_body(const Question& q) {
    using namespace prompt_text;
    std::string out;
    if (q.task == Task::x_copa) {
        out.append("Premise:").append(q.context).append("\nQuestion:");
        out.append(q.stem == "cause" ? copa_cause : copa_effect).append("\n");
    } else {
        out.append("Question:").append(q.stem).append("\n");
    }
    for (std::size_t i = 0; i < q.options.size(); ++i)
        out.append(1, option_letters[i]).append(". ").append(q.options[i]).append("\n");
    out.append(answer_cue);
    return out;
}

[[nodiscard]] inline std::string build_prompt(const Question& q, Shots shots) {
    return prompt_prefix(q.task, shots) + prompt_body(q);
}

}  // namespace clika
