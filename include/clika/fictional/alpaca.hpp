#pragma once
// The prompt of fictional test and Translate items: LLaMA-Factory's `alpaca` template, the one `clika conductivity
// export` configures for training:
//   "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
//   "### Instruction:\n" + prompt [+ "\n" + input] + "\n\n### Response:\n"

#include <string>
#include <string_view>

namespace clika {

inline constexpr std::string_view alpaca_system =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n";

// LLaMA-Factory's alpaca template for an Alpaca record (its user turn is instruction + "\n" + input).
[[nodiscard]] inline std::string alpaca_prompt(std::string_view instruction, std::string_view input) {
    std::string out(alpaca_system);
    out += "### Instruction:\n";
    out += instruction;
    if (!input.empty()) {
        out += "\n";
        out += input;
    }
    out += "\n\n### Response:\n";
    return out;
}

}  // namespace clika
