#pragma once
// One multiple-choice question in one language, as the raw upstream files hold it.

#include <string>
#include <vector>

#include "clika/language.hpp"
#include "clika/task.hpp"

namespace clika {

struct Question {
    Task task{};
    Lang lang{};
    std::string uuid;   // the same question in every language shares it
    bool uuid_is_integer = false;  // upstream writes some ids as numbers; outputs keep their type
    std::string context;  // x_copa's premise; empty for the other tasks
    std::string stem;     // the question text (x_copa: "cause" or "effect")
    std::vector<std::string> options;
    int label = 0;  // index into options

    [[nodiscard]] char label_letter() const noexcept { return option_letters[static_cast<std::size_t>(label)]; }
};

}  // namespace clika
