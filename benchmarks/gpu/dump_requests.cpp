// Writes the scoring requests clika makes for one task and language (one-shot prompts) as JSON, so that the Python
// baselines (transformers_baseline.py) score exactly the tokens clika scores:
//
//   clika_dump_requests --data DIR --model M.gguf [--plugin llamacpp] [--plugin-path DIR] [--task x_csqa] [--lang en] --out F.json
//
// {"task", "lang", "shared_prefix", "questions": [{"context": [ids], "continuations": [[ids], ...], "letters": [ids]}]}
// context: the prompt's tokens (BOS included), continuations: each option's loglik tokens, letters: the option letters'
// token ids after the letter context (letter mode), which is the context itself unless "letter_context" says otherwise
// (vocabularies that merge ":A"). Any model with the same tokenizer gives the same file.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/plugin_loader.hpp"  // first: it configures Boost.DLL
#include "clika/dataset.hpp"
#include "clika/eval/engine.hpp"
#include "clika/plugin_backend.hpp"

namespace {

std::string ids(const clika::Tokens& t) {
    std::string out = "[";
    for (std::size_t i = 0; i < t.size(); ++i) out += (i ? "," : "") + std::to_string(t[i]);
    return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
    std::string data, model, plugin = "llamacpp", out, task_name = "x_csqa", lang_name = "en";
    std::vector<std::filesystem::path> plugin_dirs;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--data") data = v;
        else if (a == "--model") model = v;
        else if (a == "--plugin") plugin = v;
        else if (a == "--plugin-path") plugin_dirs.emplace_back(v);
        else if (a == "--task") task_name = v;
        else if (a == "--lang") lang_name = v;
        else if (a == "--out") out = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    const auto task = clika::parse_task(task_name);
    const auto lang = clika::parse_lang(lang_name);
    if (data.empty() || model.empty() || out.empty() || !task || !lang) {
        std::fprintf(stderr, "usage: clika_dump_requests --data DIR --model M.gguf [--plugin NAME] [--plugin-path DIR] [--task T] [--lang L] --out F.json\n");
        return 2;
    }
    try {
        const std::vector<clika::Question> questions = clika::load_questions(data, *task, *lang);
        clika::PluginBackend backend(clika::load_plugin(plugin, clika::PluginSearchPath::standard(plugin_dirs)), model);
        clika::Engine loglik(backend, clika::ScoringMode::loglik, clika::Shots::one);
        clika::Engine letter(backend, clika::ScoringMode::letter, clika::Shots::one);
        const std::vector<clika::ScoreRequest> a = loglik.requests(questions);
        const std::vector<clika::ScoreRequest> b = letter.requests(questions);
        std::string json = fmt::format("{{\"task\": \"{}\", \"lang\": \"{}\", \"shared_prefix\": {}, \"questions\": [\n", task_name, lang_name,
                                       a.empty() ? 0 : a.front().shared_prefix);
        for (std::size_t i = 0; i < a.size(); ++i) {
            json += fmt::format("{{\"context\": {}, \"continuations\": [", ids(a[i].context));
            for (std::size_t j = 0; j < a[i].continuations.size(); ++j) json += (j ? "," : "") + ids(a[i].continuations[j]);
            if (b[i].next_ids.empty())
                throw std::runtime_error("this tokenizer spells option letters with several tokens: the letter baseline reads one next token");
            // Letter mode's context is shorter where the vocabulary merges ":A" (clika/eval/letter_split.hpp).
            json += "]";
            if (b[i].context != a[i].context) json += fmt::format(", \"letter_context\": {}", ids(b[i].context));
            json += fmt::format(", \"letters\": {}}}{}\n", ids(b[i].next_ids), i + 1 < a.size() ? "," : "");
        }
        json += "]}\n";
        std::FILE* f = std::fopen(out.c_str(), "wb");
        if (f == nullptr) throw std::runtime_error("cannot write " + out);
        std::fwrite(json.data(), 1, json.size(), f);
        std::fclose(f);
        std::printf("%zu questions of %s %s -> %s\n", a.size(), task_name.c_str(), lang_name.c_str(), out.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "clika_dump_requests: %s\n", e.what());
        return 1;
    }
    return 0;
}
