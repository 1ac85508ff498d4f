// What the fuzz targets (fuzz/) found, one case per finding, so that each fix stays in the normal test run too. The
// crash inputs themselves are in fuzz/regressions/<target>/ and replayed by the fuzz.* CTest tests.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "clika/predictions.hpp"
#include "clika/run/writer.hpp"
#include "clika/gguf.hpp"
#include "test_support.hpp"

namespace {

// A GGUF v3 file with no KV pairs and one tensor of `type` with `ne` values per row at offset 0, then `data`.
std::string one_tensor_gguf(std::int64_t ne, std::uint32_t type, std::string_view data) {
    std::string out = "GGUF";
    auto put = [&out](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(std::uint32_t{3});
    put(std::int64_t{1});  // tensors
    put(std::int64_t{0});  // KV pairs
    put(std::uint64_t{1});
    out += "w";
    put(std::uint32_t{1});  // dimensions
    put(ne);
    put(type);
    put(std::uint64_t{0});  // data offset
    out.append((32 - out.size() % 32) % 32, '\0');
    return out.append(data);
}

}  // namespace

TEST_CASE("a predictions line with more scores than its task has options is refused, not read past the option letters") {
    const auto dir = clika::test::scratch_dir("fuzz_findings_scores");
    std::string scores = "[";
    for (int i = 0; i < 30; ++i) scores += i == 25 ? "-0.1," : "-9,";
    scores.back() = ']';
    clika::test::write_file(dir / "p.jsonl", R"({"id":0,"input":"q","res":"A","label":"A","uuid":"u","scores":)" + scores + "}\n");
    try {
        (void)clika::load_predictions(dir / "p.jsonl", clika::Task::x_csqa);
        FAIL("30 scores for 5 options were accepted");
    } catch (const clika::Error& e) {
        CHECK(e.kind() == clika::ErrorKind::bad_input);
        CHECK(e.where().line == 1);
        CHECK(e.where().field == "scores");
        CHECK(e.problem() == "holds 30 scores for 5 options");
    }
}

TEST_CASE("a predictions line with fewer scores than options is refused") {
    const auto dir = clika::test::scratch_dir("fuzz_findings_few_scores");
    clika::test::write_file(dir / "p.jsonl", R"({"id":0,"input":"q","res":"B","label":"A","uuid":"u","scores":[-2,-1]})" "\n");
    CHECK_THROWS_WITH(clika::load_predictions(dir / "p.jsonl", clika::Task::x_geo),
                      Catch::Contains("p.jsonl:1: field \"scores\": holds 2 scores for 4 options"));
}

TEST_CASE("a GGUF tensor whose byte count wraps past 2^64 is refused by the reader, naming the tensor") {
    const auto dir = clika::test::scratch_dir("fuzz_findings_gguf_wrap");
    const float one = 1.0f;
    // 2^62 + 1 f32 values would need 2^64 + 4 bytes, which wraps to 4: the 4 bytes in the file must not pass for them.
    clika::test::write_file(dir / "m.gguf", one_tensor_gguf((std::int64_t{1} << 62) + 1, 0, {reinterpret_cast<const char*>(&one), 4}));
    CHECK_THROWS_WITH(clika::gguf::File::read(dir / "m.gguf"),
                      Catch::Contains("tensor \"w\" of type f32 has 4611686018427387905 values, more bytes than a file can hold"));
}

TEST_CASE("a GGUF f32 tensor with no values reads as no floats") {
    const auto dir = clika::test::scratch_dir("fuzz_findings_gguf_empty");
    clika::test::write_file(dir / "m.gguf", one_tensor_gguf(0, 0, {}));
    const clika::gguf::File f = clika::gguf::File::read(dir / "m.gguf");
    REQUIRE(f.tensors().size() == 1);
    CHECK(f.tensor_floats("w").empty());
}

TEST_CASE("a resumed predictions file with a blank line among its answers is refused and left as it was") {
    const auto dir = clika::test::scratch_dir("fuzz_findings_resume_blank");
    const std::string text = "{\"uuid\":\"q0\"}\n\n{\"uuid\":\"q1\"}\n";
    clika::test::write_file(dir / "predictions.jsonl", text);
    const std::vector<std::string> uuids{"q0", "q1", "q2", "q3"};
    // Before: the blank line passed for the answer to q1, and q1's real answer then stood in for q2's.
    CHECK_THROWS_WITH(clika::PredictionWriter(dir / "predictions.jsonl", uuids, 1),
                      Catch::Contains("predictions.jsonl:2: blank line among the answers"));
    CHECK(clika::test::read_file(dir / "predictions.jsonl") == text);
}
