// A CLiKA evaluation in a few lines through the core's pipeline: the same run directory `clika run` writes.
//
// usage: embed_run PLUGIN_FILE MODEL DATA_DIR OUT_DIR   (x_geo in en and zh, 20 questions each, letter mode)

#include <cstdio>

#include "clika/core.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s PLUGIN_FILE MODEL DATA_DIR OUT_DIR\n", argv[0]);
        return 2;
    }
    try {
        clika::PluginBackend backend(clika::load_plugin(argv[1], clika::PluginSearchPath::standard()), argv[2], {.threads = 1});
        const std::vector<clika::Lang> langs{clika::Lang::en, clika::Lang::zh};
        clika::MultipleChoiceRun run(backend, {.mode = clika::ScoringMode::letter, .limit = 20},
                                     {clika::load_task(argv[3], clika::Task::x_geo, langs)});
        const clika::RunLock lock = clika::open_run_dir(argv[4], run.manifest({.plugin_name = std::string(backend.plugin().name()),
                                                   .plugin_version = std::string(backend.plugin().version()),
                                                   .model = argv[2]}));
        clika::RunObserver quiet;
        run.answer_all(argv[4], quiet);

        const std::vector<clika::Task> tasks{clika::Task::x_geo};
        const clika::ResultSet results = clika::load_run(argv[4], tasks, langs);
        for (clika::Lang lang : langs) {
            const clika::LangResults& r = *results.get(clika::Task::x_geo, lang);
            std::size_t correct = 0;
            for (int c : r.correct) correct += static_cast<std::size_t>(c);
            std::printf("x_geo %s: %zu of %zu correct\n", std::string(clika::code(lang)).c_str(), correct, r.correct.size());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "embed_run: %s\n", e.what());
        return 1;
    }
}
