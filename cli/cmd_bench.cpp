#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/dataset.hpp"
#include "clika/eval/engine.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/report/grid.hpp"
#include "backend.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "ranges.hpp"

namespace clika::cli {

namespace {

struct BenchOptions {
    std::string data;
    std::string plugin = "llamacpp";
    std::vector<std::string> plugin_paths;
    std::string model;
    std::string mode = "loglik";
    std::vector<std::string> tasks{"x_csqa"};
    std::vector<std::string> langs{"en"};
    int threads = 0;
    int batch = 0;
    int parallel = 0;
    int ctx = 0;
    std::size_t chunk = 64;
    std::size_t limit = 0;
    double seconds = 5.0;
    int repetitions = 5;
    bool reference = false;
    double ceiling = 0;  // llama-bench's prompt-processing tokens/s for the same model, threads and batch (0: none)
    std::string format = "table";
    std::string json_out;
};

struct Sample {
    double seconds = 0;
    std::size_t questions = 0, options = 0, prompt_tokens = 0;
    ScoreStats stats;
    std::size_t calls = 0;
};

struct Spread {
    double median, low, high;
};

Spread spread(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    const double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return {median, v.front(), v.back()};
}

void run_bench(const BenchOptions& o) {
    const fs::path data = data_dir_or_env(o.data);
    const ScoringMode mode = o.mode == "letter" ? ScoringMode::letter : ScoringMode::loglik;
    require_model_file(o.model);
    std::vector<Question> questions;
    for (Task task : mc_tasks_arg(o.tasks))
        for (Lang lang : langs_arg(o.langs)) {
            auto q = load_questions(data, task, lang);
            if (o.limit != 0 && q.size() > o.limit) q.resize(o.limit);
            questions.insert(questions.end(), q.begin(), q.end());
        }

    PluginBackend backend = open_backend(o);
    const Plugin& plugin = backend.plugin();
    Engine engine(backend, mode, Shots::one);

    // Requests per task/language group, so each group's shared prefix is its own.
    struct Group {
        std::vector<Question> questions;
        std::vector<ScoreRequest> requests;
    };
    std::vector<Group> groups;
    for (const Question& q : questions) {
        if (groups.empty() || groups.back().questions.front().task != q.task || groups.back().questions.front().lang != q.lang) groups.emplace_back();
        groups.back().questions.push_back(q);
    }
    for (Group& g : groups) g.requests = engine.requests(g.questions);

    const ScoreOptions options{.share_prefix = !o.reference};
    std::size_t group = 0, position = 0;
    auto next_chunk = [&](Sample& s) {
        Group& g = groups[group];
        const std::size_t end = std::min(g.questions.size(), position + o.chunk);
        const auto qs = std::span<const Question>(g.questions).subspan(position, end - position);
        const auto rs = std::span<const ScoreRequest>(g.requests).subspan(position, end - position);
        (void)engine.score(qs, rs, options, s.stats);
        ++s.calls;
        s.questions += qs.size();
        for (const ScoreRequest& r : rs) {
            s.options += std::max<std::size_t>(r.continuations.size(), r.next_ids.size());
            s.prompt_tokens += r.context.size();
            for (const Tokens& c : r.continuations) s.prompt_tokens += c.size();
        }
        position = end;
        if (position >= g.questions.size()) {
            position = 0;
            group = (group + 1) % groups.size();
        }
    };

    using Clock = std::chrono::steady_clock;
    {
        Sample warm;
        next_chunk(warm);  // warm-up: page in weights, allocate buffers
    }
    std::vector<Sample> samples;
    for (int r = 0; r < o.repetitions; ++r) {
        Sample s;
        const auto start = Clock::now();
        do next_chunk(s);
        while (std::chrono::duration<double>(Clock::now() - start).count() < o.seconds);
        s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        samples.push_back(s);
        fmt::print(stderr, "bench: repetition {}/{}: {:.1f} questions/s\n", r + 1, o.repetitions, static_cast<double>(s.questions) / s.seconds);
    }

    auto rate = [&](auto field) {
        std::vector<double> v;
        for (const Sample& s : samples) v.push_back(static_cast<double>(field(s)) / s.seconds);
        return spread(v);
    };
    const Spread qps = rate([](const Sample& s) { return s.questions; });
    const Spread ops = rate([](const Sample& s) { return s.options; });
    const Spread tps = rate([](const Sample& s) { return s.prompt_tokens; });
    const Spread eps = rate([](const Sample& s) { return s.stats.tokens_evaluated; });
    std::size_t hits = 0, misses = 0, prompt = 0, evaluated = 0;
    for (const Sample& s : samples) {
        hits += s.stats.prefix_reuses;
        misses += o.reference ? s.questions : s.calls;
        prompt += s.prompt_tokens;
        evaluated += s.stats.tokens_evaluated;
    }

    report::Grid grid{fmt::format("clika bench: {} via {} ({} mode, {} repetitions of {:.0f}s, chunk {}{})", model_shown(o.model),
                                  std::string(plugin.name()), o.mode, o.repetitions, o.seconds, o.chunk, o.reference ? ", reference path" : ""),
                      {"", "median", "min", "max"}, {}};
    auto row = [&](const char* label, const Spread& s) {
        grid.rows.push_back({label, fmt::format("{:.1f}", s.median), fmt::format("{:.1f}", s.low), fmt::format("{:.1f}", s.high)});
    };
    row("questions/s", qps);
    row("options/s", ops);
    row("prompt tokens/s", tps);
    row("evaluated tokens/s", eps);
    if (o.ceiling > 0)  // the share of the CPU's limit that clika's evaluated tokens reach
        grid.rows.push_back({"% of ceiling tokens/s", fmt::format("{:.1f}", 100 * eps.median / o.ceiling), fmt::format("{:.1f}", 100 * eps.low / o.ceiling),
                             fmt::format("{:.1f}", 100 * eps.high / o.ceiling)});
    std::string out = report::render_text(grid);
    out += fmt::format("prefix cache: {} hits, {} misses; {} prompt tokens needed {} evaluated ({:.1f}%)\n", hits, misses, prompt,
                       evaluated, prompt == 0 ? 0.0 : 100.0 * static_cast<double>(evaluated) / static_cast<double>(prompt));
    if (o.format == "table") std::fwrite(out.data(), 1, out.size(), stdout);

    nlohmann::ordered_json json;
    json["model"] = without_password(o.model);
    json["plugin"] = {{"name", std::string(plugin.name())}, {"version", std::string(plugin.version())}};
    json["mode"] = o.mode;
    json["reference_path"] = o.reference;
    json["threads"] = o.threads;
    json["repetitions"] = o.repetitions;
    auto put = [&](const char* key, const Spread& s) { json[key] = {{"median", s.median}, {"min", s.low}, {"max", s.high}}; };
    put("questions_per_s", qps);
    put("options_per_s", ops);
    put("prompt_tokens_per_s", tps);
    put("evaluated_tokens_per_s", eps);
    if (o.ceiling > 0)
        json["ceiling"] = {{"tokens_per_s", o.ceiling}, {"evaluated_share", {{"median", eps.median / o.ceiling}, {"min", eps.low / o.ceiling}, {"max", eps.high / o.ceiling}}}};
    json["prefix_cache"] = {{"hits", hits}, {"misses", misses}};
    json["tokens"] = {{"prompt", prompt}, {"evaluated", evaluated}};
    const std::string text = json.dump(2) + "\n";
    if (o.format == "json") std::fwrite(text.data(), 1, text.size(), stdout);
    if (!o.json_out.empty()) write_output(text, o.json_out, "benchmark report");
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* cmd = app.add_subcommand("bench", "Measure option-scoring throughput of any plugin and model (questions/s, options/s, tokens/s)");
    cmd->footer("\nWarm-up, then --repetitions timed runs of --seconds each over the chosen prompts; prints median and spread\n"
                "as a table (--format json: as JSON; --json FILE writes the JSON too). Prefix-cache hits are questions that\n"
                "reused their task's shared prefix; misses are prefix evaluations (one per backend call, or one per question on\n"
                "the reference path).");
    cmd->add_option("--data", o->data, "CLiKA data folder (default: $CLIKA_DATA)");
    cmd->add_option("--model", o->model, "model file")->required();
    cmd->add_option("--plugin", o->plugin, "backend plugin")->capture_default_str();
    cmd->add_option("--plugin-path", o->plugin_paths, "extra plugin directories");
    cmd->add_option("--mode", o->mode, "letter or loglik")->check(CLI::IsMember({"letter", "loglik"}))->capture_default_str();
    cmd->add_option("--tasks", o->tasks, "tasks whose prompts to use")->delimiter(',')->capture_default_str();
    cmd->add_option("--langs", o->langs, "languages whose prompts to use")->delimiter(',')->capture_default_str();
    add_pass_options(*cmd, *o);
    cmd->add_option("--seconds", o->seconds, "length of one timed repetition")->check(within(0.01, 86400))->capture_default_str();
    cmd->add_option("--repetitions", o->repetitions, "timed repetitions")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--ceiling", o->ceiling,
                    "the CPU's limit in tokens/s, e.g. llama-bench -p 512's for the same model, threads and batch: also reports "
                    "evaluated tokens/s as a share of it")
        ->check(within(0.001, 1e12));
    cmd->add_flag("--reference", o->reference, "measure the reference path (no prefix sharing) instead");
    cmd->add_option("--format", o->format, "what standard output gets: the table, or the JSON result")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
    cmd->add_option("--json", o->json_out, "also write the JSON result to this file");
    cmd->callback([o] { run_bench(*o); });
}

}  // namespace clika::cli
