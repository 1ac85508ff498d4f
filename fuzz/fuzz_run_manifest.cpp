// The run manifest check (open_run_dir, clika/run/writer.hpp, on a manifest from clika/run/manifest.hpp): whatever
// run.json holds, resuming either matches or is refused with clika::Error, and a refusal changes nothing in the run
// directory. Input: the bytes of run.json.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "clika/run/manifest.hpp"
#include "clika/run/writer.hpp"
#include "fuzz_support.hpp"

namespace {

// What a multiple-choice run writes (MultipleChoiceRun::manifest) for a small model file, with a non-ASCII piece.
const clika::OrderedJson& wanted_manifest() {
    static const clika::OrderedJson manifest = [] {
        using namespace clika;
        const fs::path model = fuzz::scratch() / "model.gguf";
        fuzz::write_bytes(model, "GGUF fuzz model");
        RunIdentity id{.plugin_name = "llamacpp", .plugin_version = "v0.5.0", .model = model};
        id.data = {{"files", 2}, {"sha256", sha256_text("x_csqa/en/dev.jsonl 00\n")}};
        id.backend = {{"batch", 512}, {"parallel", 1}, {"ctx", 2048}};
        OrderedJson m = manifest_head(id);
        m["mode"] = "letter";
        m["shots"] = 1;
        m["share_prefix"] = true;
        m["chunk"] = 8;
        m["limit"] = 0;
        m["tasks"] = {"x_csqa"};
        m["langs"] = {"en", "ja"};
        m["letter_continuations"] = {{"x_csqa/ja", {{"context_drops", "\xe3\x80"}, {"letters", OrderedJson::array()}}}};
        return m;
    }();
    return manifest;
}

std::string read_all(const clika::fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    const OrderedJson& wanted = wanted_manifest();
    const fs::path run_dir = fuzz::scratch() / "run";
    fs::remove_all(run_dir);
    fs::create_directories(run_dir);
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    fuzz::write_bytes(run_dir / "run.json", bytes);
    try {
        const RunLock lock = open_run_dir(run_dir, wanted);
    } catch (const Error&) {
    }
    // Accepted or refused, an existing manifest is never rewritten and nothing else appears beside it but the lock.
    fuzz::require(read_all(run_dir / "run.json") == bytes, "run.json is unchanged");
    for (const auto& entry : fs::directory_iterator(run_dir))
        fuzz::require(entry.path().filename() == "run.json" || entry.path().filename() == ".clika.lock", "no other file is written");
    return 0;
}
