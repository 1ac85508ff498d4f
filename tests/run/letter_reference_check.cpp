// Checks a letter-mode run against scores computed independently of the engine's letter path: for every question and
// letter, tokenize(prompt + letter) is split at the continuation run.json recorded (which must be that sequence's
// tail), and log p(continuation | rest) is computed on the plugin's reference path as an ordinary continuation (no
// prefix sharing, no next-token shortcut). Every score must agree within the tolerance.
//
// usage: clika_letter_reference_check PLUGIN_FILE MODEL RUN_DIR TOLERANCE

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/run/reader.hpp"

namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

// The continuations run.json recorded for one task and language.
const json& recorded(const json& manifest, const std::string& task, const std::string& lang) {
    for (const json& group : manifest.at("letter_continuations").at(task))
        for (const json& l : group.at("langs"))
            if (l == lang) return group.at("letters");
    throw std::runtime_error(fmt::format("run.json records no continuations for {} {}", task, lang));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s PLUGIN_FILE MODEL RUN_DIR TOLERANCE\n", argv[0]);
        return 2;
    }
    try {
        clika::PluginBackend backend(clika::load_plugin(argv[1], clika::PluginSearchPath::standard()), argv[2], {.threads = 1});
        const std::filesystem::path run = argv[3];
        const double tolerance = std::stod(argv[4]);
        const json manifest = read_json(run / "run.json");
        std::size_t checked = 0;
        double worst = 0.0;
        for (const json& task : manifest.at("tasks"))
            for (const json& lang : manifest.at("langs")) {
                const std::string t = task.get<std::string>(), l = lang.get<std::string>();
                const json& letters = recorded(manifest, t, l);
                const auto file = clika::run_predictions_path(run, clika::parse_task(t).value(), clika::parse_lang(l).value());
                std::ifstream in(file);
                std::string text;
                std::size_t line_no = 0;
                while (std::getline(in, text)) {
                    ++line_no;
                    const json line = json::parse(text);
                    const std::string prompt = line.at("input").get<std::string>();
                    const json& scores = line.at("scores");
                    if (scores.size() != letters.size()) throw std::runtime_error(fmt::format("{}:{}: option count differs from run.json", file.string(), line_no));
                    for (std::size_t i = 0; i < letters.size(); ++i) {
                        const std::string letter = letters[i].at("letter").get<std::string>();
                        const clika::Tokens continuation = letters[i].at("tokens").get<clika::Tokens>();
                        const clika::Tokens whole = backend.tokenize(prompt + letter, true);
                        if (whole.size() <= continuation.size() ||
                            !std::equal(continuation.rbegin(), continuation.rend(), whole.rbegin()))
                            throw std::runtime_error(fmt::format("{}:{}: letter {}: recorded continuation is not the tail of tokenize(prompt + letter)",
                                                                 file.string(), line_no, letter));
                        clika::ScoreRequest r;
                        r.context.assign(whole.begin(), whole.end() - static_cast<std::ptrdiff_t>(continuation.size()));
                        r.continuations.push_back(continuation);
                        clika::ScoreStats stats;
                        const auto result = backend.score(std::span(&r, 1), {.share_prefix = false}, stats);
                        const double expected = result.at(0).logprob.at(0);
                        const double got = scores[i].get<double>();
                        worst = std::max(worst, std::abs(expected - got));
                        if (!(std::abs(expected - got) <= tolerance))
                            throw std::runtime_error(fmt::format("{}:{}: letter {}: run scored {:.8f}, reference path {:.8f} (|diff| {:.3g} > {})",
                                                                 file.string(), line_no, letter, got, expected, std::abs(expected - got), tolerance));
                        ++checked;
                    }
                }
            }
        if (checked == 0) throw std::runtime_error("no scores checked");
        std::printf("%zu letter scores agree with the reference path; largest difference %.3g nats\n", checked, worst);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "letter_reference_check: %s\n", e.what());
        return 1;
    }
}
