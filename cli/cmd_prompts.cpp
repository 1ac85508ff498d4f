#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/prompt.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace clika::cli {

namespace {

struct PromptsOptions {
    std::string data;
    std::string task;
    std::string lang;
    int shots = 1;
};

void run_prompts(const PromptsOptions& o) {
    const Task task = task_arg(o.task);
    const Lang lang = lang_arg(o.lang);
    const auto questions = load_questions(data_dir_or_env(o.data), task, lang);
    const Shots shots = o.shots == 0 ? Shots::zero : Shots::one;
    std::string out;
    for (const Question& q : questions) {
        nlohmann::ordered_json line;
        line["input"] = build_prompt(q, shots);
        line["label"] = std::string(1, q.label_letter());
        if (q.uuid_is_integer) line["uuid"] = std::stoll(q.uuid);
        else line["uuid"] = q.uuid;
        out += line.dump() + "\n";
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void add_prompts_command(CLI::App& app) {
    auto options = std::make_shared<PromptsOptions>();
    CLI::App* cmd = app.add_subcommand("prompts", "Print the paper's prompts for one task and language as JSON Lines {input, label, uuid}");
    cmd->add_option("--data", options->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--task", options->task, "x_copa, x_csqa, x_geo or x_name")->required();
    cmd->add_option("--lang", options->lang, "en de fr it pl ru ar he ja zh")->required();
    cmd->add_option("--shots", options->shots, "0: zero-shot (generate_input.jsonl), 1: the paper's one-shot prompts (*_model_input.jsonl)")
        ->check(CLI::IsMember({0, 1}))
        ->capture_default_str();
    cmd->callback([options] { run_prompts(*options); });
}

}  // namespace clika::cli
