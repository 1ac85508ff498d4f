#pragma once
// The task table: every irregular upstream name (folders, files) lives here and nowhere else.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clika/language.hpp"

namespace clika {

enum class Task : std::uint8_t { x_copa, x_csqa, x_geo, x_name, fictional };

enum class Level : std::uint8_t { basic, factual, conductivity };

inline constexpr std::array<Task, 4> multiple_choice_tasks{Task::x_copa, Task::x_csqa, Task::x_geo, Task::x_name};
inline constexpr std::array<Task, 5> all_tasks{Task::x_copa, Task::x_csqa, Task::x_geo, Task::x_name,
                                               Task::fictional};

struct TaskSpec {
    Task task;
    std::string_view name;
    std::string_view paper_name;
    Level level;
    std::size_t option_count;
    std::size_t questions_per_lang;
    // ChatGPT's English accuracy in percent: the paper's RA reference.
    double paper_reference_percent;
    // Per-language folder (multiple-choice tasks) or file suffix (fictional), in `all_langs` order.
    std::array<std::string_view, lang_count> dirs;
    // Raw question file inside the language folder; "{dir}" stands for the folder name.
    std::string_view raw_file;
    bool has_generate_input;

    [[nodiscard]] constexpr double chance() const noexcept { return 1.0 / static_cast<double>(option_count); }
    [[nodiscard]] constexpr std::string_view dir(Lang lang) const noexcept { return dirs[index(lang)]; }
};

inline constexpr std::array<TaskSpec, 5> task_table{{
    {Task::x_copa, "x_copa", "xCOPA", Level::basic, 2, 500, 96.4,
     {"en", "DE", "FR", "it", "PL", "RU", "ar", "he", "JA", "zh"}, "test.jsonl", true},
    {Task::x_csqa, "x_csqa", "xCSQA", Level::basic, 5, 1000, 74.6,
     {"en", "DE_trans", "FR_trans", "IT_trans", "PL_trans", "RU_trans", "ar_trans", "he_trans", "JA_trans", "ZH_trans"},
     "validation.jsonl", false},
    {Task::x_geo, "x_geo", "xGeo", Level::factual, 4, 200, 97.0,
     {"en", "de", "fr", "it", "pl", "ru", "ar", "he", "ja", "zh"}, "{dir}_geo_data.jsonl", true},
    {Task::x_name, "x_name", "xPeo", Level::factual, 4, 180, 92.2,
     {"en", "de", "fr", "it", "pl", "ru", "ar", "he", "ja", "zh"}, "{dir}_name_data_generate.jsonl", true},
    {Task::fictional, "fictional", "Fictional", Level::conductivity, 20, 400, 0.0,
     {"EN", "DE", "FR", "IT", "PL", "RU", "AR", "HE", "JA", "ZH"}, "test/target/test{dir}.jsonl", false},
}};

[[nodiscard]] constexpr const TaskSpec& spec(Task task) noexcept { return task_table[static_cast<std::size_t>(task)]; }

[[nodiscard]] constexpr std::string_view name(Task task) noexcept { return spec(task).name; }

[[nodiscard]] constexpr std::optional<Task> parse_task(std::string_view text) noexcept {
    for (const TaskSpec& row : task_table)
        if (row.name == text || row.paper_name == text) return row.task;
    return std::nullopt;
}

[[nodiscard]] constexpr std::string_view name(Level level) noexcept {
    switch (level) {
        case Level::basic: return "basic";
        case Level::factual: return "factual";
        case Level::conductivity: return "conductivity";
    }
    return "?";
}

// The two tasks whose RA the paper averages into a level.
[[nodiscard]] constexpr std::array<Task, 2> level_tasks(Level level) noexcept {
    return level == Level::basic ? std::array{Task::x_copa, Task::x_csqa} : std::array{Task::x_geo, Task::x_name};
}

[[nodiscard]] inline std::string raw_file_name(Task task, Lang lang) {
    std::string out{spec(task).raw_file};
    if (auto at = out.find("{dir}"); at != std::string::npos) out.replace(at, 5, spec(task).dir(lang));
    return out;
}

// Option letters as the prompts spell them.
inline constexpr std::string_view option_letters = "ABCDEFGHIJKLMNOPQRST";

}  // namespace clika
