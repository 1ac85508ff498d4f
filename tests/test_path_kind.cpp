// Paths the OS would describe misleadingly (clika/path_kind.hpp) and growing a finished pilot run
// (clika/run/growth.hpp), on the run directory functions that use them.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/jsonl.hpp"
#include "clika/path_kind.hpp"
#include "clika/run/reader.hpp"
#include "clika/run/writer.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("a symbolic link to nothing as a run directory is named as such and not as File exists") {
    const fs::path dir = test::scratch_dir("path-kind-dangling");
    fs::create_symlink(dir / "nowhere" / "x", dir / "out");
    const std::string what = test::bad_input_message([&] { (void)open_run_dir(dir / "out", OrderedJson{{"mode", "letter"}}); });
    CHECK_THAT(what, Contains("out: --out is a symbolic link to " + (dir / "nowhere" / "x").string() + ", which does not exist"));
    CHECK(!fs::exists(dir / "nowhere"));
}

TEST_CASE("an empty run directory path is refused as empty and not as Invalid argument") {
    CHECK_THAT(test::bad_input_message([] { (void)open_run_dir("", OrderedJson{{"mode", "letter"}}); }), Contains("--out is empty"));
}

TEST_CASE("a file where a folder is expected is named as a file also when it lies on the way") {
    const fs::path dir = test::scratch_dir("path-kind-file");
    test::write_file(dir / "a-file", "x");
    CHECK_THAT(test::bad_input_message([&] { (void)open_run_dir(dir / "a-file", OrderedJson{{"mode", "letter"}}); }), Contains("--out is a file, not a folder"));
    CHECK_THAT(test::bad_input_message([&] { (void)open_run_dir(dir / "a-file" / "run", OrderedJson{{"mode", "letter"}}); }),
               Contains("--out " + (dir / "a-file").string() + " is a file, not a folder"));
    CHECK_THAT(test::bad_input_message([&] { (void)load_run(dir / "a-file"); }), Contains("is a file, not a run directory"));
}

TEST_CASE("a FIFO or a device given as a file is named as such and never read") {
    const fs::path dir = test::scratch_dir("path-kind-fifo");
    REQUIRE(::mkfifo((dir / "pipe.jsonl").c_str(), 0600) == 0);
    CHECK_THAT(test::bad_input_message([&] { JsonlFile file(dir / "pipe.jsonl"); }), Contains("pipe.jsonl: is a FIFO (named pipe), not a regular file"));
    CHECK_THAT(test::bad_input_message([&] { JsonlFile file("/dev/zero"); }), Contains("/dev/zero: is a character device (such as /dev/zero), not a regular file"));
    // run.json linked to /dev/zero was read until memory ran out
    fs::create_directories(dir / "run");
    fs::create_symlink("/dev/zero", dir / "run" / "run.json");
    CHECK_THAT(test::bad_input_message([&] { (void)open_run_dir(dir / "run", OrderedJson{{"mode", "letter"}}); }),
               Contains("run.json: is a character device (such as /dev/zero), not a regular run manifest"));
    CHECK_THAT(test::bad_input_message([&] { JsonlFile file(dir / "missing.jsonl"); }), Contains("missing.jsonl: file not found"));
}

TEST_CASE("a refused resume names each difference on a line of its own with nested keys by their path") {
    const fs::path dir = test::scratch_dir("manifest-lines");
    (void)open_run_dir(dir, OrderedJson{{"mode", "letter"}, {"backend", {{"batch", 512}, {"ctx", 4096}}}, {"shots", 1}});
    const std::string what =
        test::bad_input_message([&] { (void)open_run_dir(dir, OrderedJson{{"mode", "loglik"}, {"backend", {{"batch", 64}, {"ctx", 4096}}}}); });
    CHECK_THAT(what, Contains("it differs in:\n  backend.batch: 64 here, 512 in the run\n  mode: \"loglik\" here, \"letter\" in the run\n"
                              "  shots: absent here, 1 in the run"));
}

namespace {

OrderedJson pilot(std::size_t limit, std::size_t count) {
    return {{"mode", "letter"}, {"chunk", 8}, {"limit", limit}, {"tasks", {"x_geo"}}, {"langs", {"de"}}, {"questions", {{"x_geo", {{"de", count}}}}}};
}

void answered(const fs::path& run_dir, std::size_t lines) {
    std::string text;
    for (std::size_t i = 0; i < lines; ++i) text += "{\"uuid\": " + std::to_string(i) + "}\n";
    test::write_file(run_predictions_path(run_dir, Task::x_geo, Lang::de), text);
}

}  // namespace

TEST_CASE("a finished pilot run grows to a larger limit keeping its answers and counts chunks from where it stopped") {
    const fs::path dir = test::scratch_dir("grow-pilot");
    (void)open_run_dir(dir, pilot(20, 20));
    answered(dir, 20);
    std::string said;
    (void)open_run_dir(dir, pilot(30, 30), &said);
    CHECK_THAT(said, Contains("growing the finished run of --limit 20 to --limit 30"));
    const nlohmann::json manifest = read_run_manifest(dir / "run.json");
    CHECK(manifest["limit"] == 30);
    CHECK(manifest["grown_from"]["questions"]["x_geo"]["de"] == 20);
    CHECK(answers_before_growth(dir, Task::x_geo, Lang::de) == 20);
    said.clear();
    (void)open_run_dir(dir, pilot(30, 30), &said);  // the grown run resumes as itself
    CHECK(said.empty());
    answered(dir, 30);
    (void)open_run_dir(dir, pilot(0, 45), &said);  // and grows again, to all questions
    CHECK(read_run_manifest(dir / "run.json")["grown_from"]["limit"] == 30);

    // A killed growth: 20 kept, one chunk of 8 after them, a torn line: resumed from 28, not from 24.
    std::vector<std::string> uuids;
    for (std::size_t i = 0; i < 45; ++i) uuids.push_back(std::to_string(i));
    answered(dir, 28);
    {
        std::ofstream torn(run_predictions_path(dir, Task::x_geo, Lang::de), std::ios::app);
        torn << "{\"uuid\": 28, \"inp";
    }
    PredictionWriter writer(run_predictions_path(dir, Task::x_geo, Lang::de), uuids, 8, 20);
    CHECK(writer.done() == 28);
}

TEST_CASE("a smaller limit or an unfinished pilot run is not grown") {
    const fs::path dir = test::scratch_dir("grow-refused");
    (void)open_run_dir(dir, pilot(20, 20));
    answered(dir, 12);
    CHECK_THAT(test::bad_input_message([&] { (void)open_run_dir(dir, pilot(30, 30)); }),
               Contains("--limit 30 would grow a run of --limit 20 that is not finished (12 of 20 answers)"));
    answered(dir, 20);
    CHECK_THAT(test::bad_input_message([&] { (void)open_run_dir(dir, pilot(10, 10)); }), Contains("\n  limit: 10 here, 20 in the run"));
    CHECK(read_run_manifest(dir / "run.json")["limit"] == 20);
}
