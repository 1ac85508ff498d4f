// The clika command: one line per error, exit 2 for bad input, 3 for backend/plugin trouble.

#include <csignal>
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/version.hpp"
#include "commands.hpp"
#include "conductivity.hpp"

int main(int argc, char** argv) {
    // A file-size limit (ulimit -f) would kill the process without a word; ignored, a write past it fails with EFBIG and
    // the writer names the file, keeping what was written.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"clika: cross-lingual knowledge alignment (CLiKA) evaluation, fast and exact"};
    app.set_version_flag("--version", std::string(clika::version));
    app.require_subcommand(1);
    clika::cli::add_prompts_command(app);
    clika::cli::add_score_command(app);
    clika::cli::add_compare_command(app);
    clika::cli::add_report_command(app);
    clika::cli::add_run_command(app);
    clika::cli::add_bench_command(app);
    clika::cli::add_make_model_command(app);
    clika::cli::add_convert_command(app);
    clika::cli::add_plugins_command(app);
    clika::cli::add_conductivity_command(app);
    clika::cli::add_lora_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    } catch (const clika::Error& e) {
        std::fprintf(stderr, "clika: error: %s\n", e.what());
        return e.kind() == clika::ErrorKind::backend ? 3 : 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "clika: internal error: %s\n", e.what());
        return 1;
    }
    return 0;
}
