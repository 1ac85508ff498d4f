#pragma once
// Loaders for the upstream CLiKA layout: raw questions, prompt files, and the checks that make a dataset whole.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/jsonl.hpp"
#include "clika/language.hpp"
#include "clika/question.hpp"
#include "clika/task.hpp"

namespace clika {

namespace fs = std::filesystem;

[[nodiscard]] inline fs::path lang_dir(const fs::path& data_dir, Task task, Lang lang) {
    return data_dir / name(task) / spec(task).dir(lang);
}

[[nodiscard]] inline fs::path raw_questions_path(const fs::path& data_dir, Task task, Lang lang) {
    return lang_dir(data_dir, task, lang) / raw_file_name(task, lang);
}

// The paper's one-shot prompts, e.g. x_csqa/x_csqa_DE_trans_model_input.jsonl.
[[nodiscard]] inline fs::path model_input_path(const fs::path& data_dir, Task task, Lang lang) {
    return data_dir / name(task) / fmt::format("{}_{}_model_input.jsonl", name(task), spec(task).dir(lang));
}

[[nodiscard]] inline fs::path generate_input_path(const fs::path& data_dir, Task task, Lang lang) {
    return lang_dir(data_dir, task, lang) / "generate_input.jsonl";
}

namespace detail {

inline int checked_label(const JsonRecord& record, std::string_view field, std::int64_t label, std::size_t option_count) {
    if (label < 0 || static_cast<std::size_t>(label) >= option_count)
        record.fail(field, fmt::format("label {} is out of range", label), fmt::format("0..{}", option_count - 1));
    return static_cast<int>(label);
}

inline int letter_label(const JsonRecord& record, std::string_view field, std::string_view letter, std::size_t option_count) {
    std::string_view letters = option_letters.substr(0, option_count);
    if (letter.size() != 1 || letters.find(letter[0]) == std::string_view::npos)
        record.fail(field, fmt::format("label \"{}\" is not an option letter", letter),
                    fmt::format("one of {}", letters));
    return static_cast<int>(letters.find(letter[0]));
}

inline void require_option_count(const JsonRecord& record, std::string_view field, std::size_t found, std::size_t wanted) {
    if (found != wanted) record.fail(field, fmt::format("has {} options", found), fmt::format("{}", wanted));
}

inline Question parse_copa(const JsonRecord& r, Lang lang) {
    Question q{.task = Task::x_copa, .lang = lang, .uuid = r.id_text("id"), .context = std::string(r.string("premise")),
               .stem = std::string(r.string("question"))};
    if (q.stem != "cause" && q.stem != "effect")
        r.fail("question", fmt::format("\"{}\" is not a COPA question type", q.stem), "\"cause\" or \"effect\"");
    q.options = {std::string(r.string("choice1")), std::string(r.string("choice2"))};
    q.label = checked_label(r, "label", r.integer("label"), 2);
    return q;
}

inline Question parse_csqa(const JsonRecord& r, Lang lang) {
    Question q{.task = Task::x_csqa, .lang = lang, .uuid = r.id_text("id")};
    simdjson::dom::element question = r.at("question");
    q.stem = std::string(r.as_string(r.at(question, "question.stem"), "question.stem"));
    simdjson::dom::element choices = r.at(question, "question.choices");
    simdjson::dom::array labels = r.as_array(r.at(choices, "question.choices.label"), "question.choices.label");
    simdjson::dom::array texts = r.as_array(r.at(choices, "question.choices.text"), "question.choices.text");
    require_option_count(r, "question.choices.text", texts.size(), 5);
    require_option_count(r, "question.choices.label", labels.size(), 5);
    std::size_t i = 0;
    for (simdjson::dom::element label : labels) {
        if (r.as_string(label, fmt::format("question.choices.label[{}]", i)) != option_letters.substr(i, 1))
            r.fail("question.choices.label", "option labels are not A, B, C, D, E in order", "[\"A\",\"B\",\"C\",\"D\",\"E\"]");
        ++i;
    }
    for (simdjson::dom::element text : texts) q.options.emplace_back(r.as_string(text, fmt::format("question.choices.text[{}]", q.options.size())));
    q.label = letter_label(r, "answerKey", r.string("answerKey"), 5);
    return q;
}

inline Question parse_factual(const JsonRecord& r, Task task, Lang lang) {
    Question q{.task = task, .lang = lang, .uuid = r.id_text("id"), .stem = std::string(r.string("questions"))};
    simdjson::dom::array answers = r.array("answers");
    require_option_count(r, "answers", answers.size(), 4);
    for (simdjson::dom::element answer : answers) q.options.emplace_back(r.as_string(answer, fmt::format("answers[{}]", q.options.size())));
    q.label = checked_label(r, "label", r.integer("label"), 4);
    return q;
}

class UuidSet {
public:
    void insert(const JsonRecord& record, std::string_view field, const std::string& uuid) {
        auto [it, fresh] = seen_.emplace(uuid, record.line());
        if (!fresh) record.fail(field, fmt::format("duplicate id \"{}\" (first seen on line {})", uuid, it->second), "ids unique within a file");
    }

private:
    std::unordered_map<std::string, std::size_t> seen_;
};

}  // namespace detail

// The raw questions of one task and language, in file order, validated.
[[nodiscard]] inline std::vector<Question> load_questions(const fs::path& data_dir, Task task, Lang lang) {
    if (task == Task::fictional) fail_input({}, "the fictional task has no multiple-choice question file", "x_copa, x_csqa, x_geo or x_name");
    JsonlFile file(raw_questions_path(data_dir, task, lang));
    std::vector<Question> out;
    out.reserve(spec(task).questions_per_lang);
    detail::UuidSet uuids;
    file.for_each([&](const JsonRecord& r) {
        switch (task) {
            case Task::x_copa: out.push_back(detail::parse_copa(r, lang)); break;
            case Task::x_csqa: out.push_back(detail::parse_csqa(r, lang)); break;
            default: out.push_back(detail::parse_factual(r, task, lang)); break;
        }
        out.back().uuid_is_integer = r.is_integer("id");
        uuids.insert(r, "id", out.back().uuid);
    });
    if (out.empty()) fail_input({file.path()}, "no questions in file", "at least one JSON line");
    return out;
}

// Questions of one task for several languages; every language must ask exactly English's questions.
struct TaskQuestions {
    Task task{};
    std::vector<Lang> langs;
    std::vector<std::vector<Question>> by_lang;  // parallel to langs
};

inline void require_same_questions(const fs::path& english_file, const std::vector<Question>& english,
                                   const fs::path& other_file, const std::vector<Question>& other) {
    if (other.size() != english.size())
        fail_input({other_file}, fmt::format("has {} questions but English ({}) has {}", other.size(),
                                             english_file.string(), english.size()),
                   "the same question count in every language");
    for (std::size_t i = 0; i < other.size(); ++i)
        if (other[i].uuid != english[i].uuid)
            fail_input({other_file, i + 1, "id"},
                       fmt::format("question {} has id \"{}\" but English has \"{}\"", i + 1, other[i].uuid, english[i].uuid),
                       "the questions in English's order");
}

[[nodiscard]] inline TaskQuestions load_task(const fs::path& data_dir, Task task, const std::vector<Lang>& langs) {
    TaskQuestions out{task, langs, {}};
    const std::vector<Question> english = load_questions(data_dir, task, Lang::en);
    for (Lang lang : langs) {
        if (lang == Lang::en) { out.by_lang.push_back(english); continue; }
        out.by_lang.push_back(load_questions(data_dir, task, lang));
        require_same_questions(raw_questions_path(data_dir, task, Lang::en), english,
                               raw_questions_path(data_dir, task, lang), out.by_lang.back());
    }
    return out;
}

// A line of generate_input.jsonl or *_model_input.jsonl.
struct PromptRecord {
    std::string input;
    char label = 'A';
    std::string uuid;  // empty in model_input files, which have none
};

[[nodiscard]] inline std::vector<PromptRecord> load_prompts(const fs::path& path, Task task) {
    JsonlFile file(path);
    std::vector<PromptRecord> out;
    file.for_each([&](const JsonRecord& r) {
        PromptRecord p{std::string(r.string("input")), 'A', r.has("uuid") ? r.id_text("uuid") : std::string{}};
        p.label = option_letters[static_cast<std::size_t>(detail::letter_label(r, "label", r.string("label"), spec(task).option_count))];
        out.push_back(std::move(p));
    });
    return out;
}

}  // namespace clika
