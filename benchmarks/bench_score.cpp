// Loading and scoring published predictions: the work of `clika score --model M`, without process start-up.
// Run: build/bin/bench_score [--benchmark_filter=...]   (CLIKA_DATA overrides the data folder)

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "clika/metrics/scorecard.hpp"
#include "clika/predictions.hpp"

namespace {

const std::vector<std::string> published_models{"llama_13b", "bloomz_7b1_mt", "vicuna_13b_v1.5", "chatgpt"};

std::filesystem::path data_dir() {
    const char* env = std::getenv("CLIKA_DATA");
    return env != nullptr && *env != '\0' ? std::filesystem::path(env) : std::filesystem::path(CLIKA_BENCH_DATA);
}

clika::ScoreSettings settings_with(std::size_t resamples) {
    clika::ScoreSettings s;
    s.bootstrap_resamples = resamples;
    return s;
}

// One model: 40 prediction files loaded, validated and scored.
void BM_ScoreOneModel(benchmark::State& state) {
    const auto settings = settings_with(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto card = clika::score(clika::load_published(data_dir(), "llama_13b"), settings);
        benchmark::DoNotOptimize(card.point[0]);
    }
    state.SetLabel(state.range(0) == 0 ? "no intervals" : "1000 bootstrap resamples");
}
BENCHMARK(BM_ScoreOneModel)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Every published model in the data folder, as the paper's tables need.
void BM_ScoreAllPublishedModels(benchmark::State& state) {
    const auto settings = settings_with(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state)
        for (const std::string& model : published_models) {
            auto card = clika::score(clika::load_published(data_dir(), model), settings);
            benchmark::DoNotOptimize(card.point[0]);
        }
    state.counters["models"] = static_cast<double>(published_models.size());
}
BENCHMARK(BM_ScoreAllPublishedModels)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadOneModel(benchmark::State& state) {
    for (auto _ : state) {
        auto results = clika::load_published(data_dir(), "llama_13b");
        benchmark::DoNotOptimize(results.model);
    }
}
BENCHMARK(BM_LoadOneModel)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
