#pragma once
// Published predictions ({model}_res_bf16_add_simple_example.jsonl, chatgpt_res.jsonl): where they are, and every
// task and language of a model. Their lines are read as a clika run's are (clika/run/prediction_line.hpp).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "clika/dataset.hpp"
#include "clika/jsonl.hpp"
#include "clika/logprob.hpp"
#include "clika/parallel.hpp"
#include "clika/results.hpp"
#include "clika/run/prediction_line.hpp"
#include "clika/utf8.hpp"

namespace clika {

[[nodiscard]] inline std::string prediction_file_name(std::string_view model) {
    if (model == "chatgpt") return "chatgpt_res.jsonl";
    return fmt::format("{}_res_bf16_add_simple_example.jsonl", model);
}

[[nodiscard]] inline fs::path predictions_path(const fs::path& data_dir, Task task, Lang lang, std::string_view model) {
    return lang_dir(data_dir, task, lang) / prediction_file_name(model);
}

// Every multiple-choice task and language of a published model.
[[nodiscard]] inline ResultSet load_published(const fs::path& data_dir, std::string_view model,
                                              std::span<const Task> tasks = multiple_choice_tasks,
                                              std::span<const Lang> langs = all_langs) {
    ResultSet out;
    out.model = model;
    std::vector<LangResults> loaded(tasks.size() * langs.size());
    parallel_for(loaded.size(), 0, [&](std::size_t i) {
        const Task task = tasks[i / langs.size()];
        loaded[i] = load_predictions(predictions_path(data_dir, task, langs[i % langs.size()], model), task);
    });
    for (std::size_t i = 0; i < loaded.size(); ++i) out.put(tasks[i / langs.size()], langs[i % langs.size()], std::move(loaded[i]));
    return out;
}

}  // namespace clika
