#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <utility>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "clika/gguf.hpp"
#include "clika/llama_metadata.hpp"
#include "clika/tools/model_maker.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

// llama.cpp's models/ folder (CLIKA_VOCAB_DIR overrides the build's); the tests fail rather than skip without it.
fs::path vocab_file(const std::string& name = "llama-spm") {
    const char* env = std::getenv("CLIKA_VOCAB_DIR");
    const fs::path dir = env != nullptr && *env != '\0' ? fs::path(env) : fs::path(CLIKA_TEST_VOCAB_DIR);
    const fs::path file = dir / ("ggml-vocab-" + name + ".gguf");
    INFO("llama.cpp vocab file " << file << " is missing: the build fetches llama.cpp into build/_deps/llama.cpp; "
         "set CLIKA_VOCAB_DIR to llama.cpp's models/ folder or configure with -DCLIKA_LLAMA_VOCAB_DIR=...");
    REQUIRE(fs::is_regular_file(file));
    return file;
}

std::vector<float> f16_rounded(std::vector<float> v) {
    for (float& x : v) x = gguf::f16_to_f32(gguf::f32_to_f16(x));
    return v;
}

gguf::Value nested_strings() {
    return gguf::Value::array(gguf::ValueType::array, {gguf::Value::strings({"a", "bc"}), gguf::Value::strings({}), gguf::Value::strings({"\xe6\x97\xa5\xe6\x9c\xac"})});
}

// A file with one KV of every type and tensors of every float type.
gguf::Writer sample_writer() {
    using gguf::Value;
    gguf::Writer w;
    w.set("general.architecture", Value::str("llama"));
    w.set("t.u8", Value::u8(200));
    w.set("t.i8", Value::i8(-100));
    w.set("t.u16", Value::u16(60000));
    w.set("t.i16", Value::i16(-30000));
    w.set("t.u32", Value::u32(4000000000u));
    w.set("t.i32", Value::i32(-2000000000));
    w.set("t.f32", Value::f32(0.1f));
    w.set("t.bool", Value::boolean(true));
    w.set("t.string", Value::str("h\xc3\xa9llo, \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"));
    w.set("t.u64", Value::u64(18000000000000000000ull));
    w.set("t.i64", Value::i64(-9000000000000000000ll));
    w.set("t.f64", Value::f64(-1.0 / 3.0));
    w.set("t.empty_string", Value::str(""));
    w.set("t.strings", Value::strings({"<unk>", "<s>", "", "\xe2\x96\x81the"}));
    w.set("t.i32s", Value::array(gguf::ValueType::i32, {Value::i32(1), Value::i32(-2), Value::i32(3)}));
    w.set("t.f32s", Value::array(gguf::ValueType::f32, {Value::f32(0.5f), Value::f32(-0.25f)}));
    w.set("t.bools", Value::array(gguf::ValueType::boolean, {Value::boolean(false), Value::boolean(true)}));
    w.set("t.empty_array", Value::array(gguf::ValueType::u8, {}));
    w.set("t.nested", nested_strings());
    w.add_tensor("a.f32", {3, 2}, gguf::TensorType::f32, std::vector<float>{1, -2, 3.5f, 0.1f, 1e-8f, -0.0f});
    w.add_tensor("b.f16", {5}, gguf::TensorType::f16, std::vector<float>{1, -2, 0.1f, 65504.0f, 1e-7f});
    w.add_tensor("c.bf16", {2, 1, 2}, gguf::TensorType::bf16, std::vector<float>{1, -2, 0.1f, 3e38f});
    return w;
}

}  // namespace

TEST_CASE("gguf round trip keeps every KV type (string and nested arrays too) and tensor data") {
    const fs::path file = test::scratch_dir("gguf-roundtrip") / "sample.gguf";
    const gguf::Writer w = sample_writer();
    w.write(file);
    const gguf::File f = gguf::File::read(file);

    CHECK(f.version() == 3);
    CHECK(f.alignment() == 32);
    REQUIRE(f.kvs().size() == w.kvs().size());
    for (std::size_t i = 0; i < f.kvs().size(); ++i) {
        CAPTURE(w.kvs()[i].key);
        CHECK(f.kvs()[i].key == w.kvs()[i].key);
        CHECK(f.kvs()[i].value == w.kvs()[i].value);
    }
    CHECK(f.get<std::uint64_t>("t.u64") == 18000000000000000000ull);
    CHECK(f.get<double>("t.f64") == -1.0 / 3.0);
    CHECK(f.get<float>("t.f32") == 0.1f);
    CHECK(f.get<bool>("t.bool"));
    const auto& strings = f.get<gguf::Array>("t.strings");
    CHECK(strings.type == gguf::ValueType::string);
    REQUIRE(strings.items.size() == 4);
    CHECK(strings.items[3].as<std::string>() == "\xe2\x96\x81the");
    const auto& nested = f.get<gguf::Array>("t.nested");
    CHECK(nested.type == gguf::ValueType::array);
    REQUIRE(nested.items.size() == 3);
    CHECK(nested.items[0].as<gguf::Array>().items[1].as<std::string>() == "bc");
    CHECK(nested.items[1].as<gguf::Array>().items.empty());
    CHECK_THAT(test::bad_input_message([&] { (void)f.get<std::string>("t.u8"); }), Contains("t.u8") && Contains("u8") && Contains("expected string"));
    CHECK_THAT(test::bad_input_message([&] { (void)f.get<std::string>("no.such.key"); }), Contains("missing GGUF key"));

    REQUIRE(f.tensors().size() == 3);
    const gguf::TensorInfo& a = f.tensors()[0];
    CHECK(a.name == "a.f32");
    CHECK(a.shape == std::vector<std::int64_t>{3, 2});
    CHECK(a.type == 0);
    CHECK(f.tensor_floats("a.f32") == std::vector<float>{1, -2, 3.5f, 0.1f, 1e-8f, -0.0f});
    const gguf::TensorInfo& b = *f.find_tensor("b.f16");
    CHECK(b.type == 1);
    CHECK(b.n_bytes == 10);
    CHECK(f.tensor_floats(b) == f16_rounded({1, -2, 0.1f, 65504.0f, 1e-7f}));
    const gguf::TensorInfo& c = *f.find_tensor("c.bf16");
    CHECK(c.shape == std::vector<std::int64_t>{2, 1, 2});
    CHECK(c.type == 30);
    const std::vector<float> cv = f.tensor_floats(c);
    CHECK(cv[0] == 1.0f);
    CHECK(cv[1] == -2.0f);
    CHECK(cv[2] == Approx(0.1f).epsilon(0.004));
    CHECK(cv[3] == Approx(3e38f).epsilon(0.004));
    for (const gguf::TensorInfo& t : f.tensors()) CHECK((f.data_offset() + t.offset) % 32 == 0);
    CHECK(f.file_size() == f.data_offset() + c.offset + 32);  // every tensor is padded, the last one too

    // Writing what was read gives the same bytes.
    gguf::Writer again;
    for (const gguf::KeyValue& kv : f.kvs()) again.set(kv.key, kv.value);
    for (const gguf::TensorInfo& t : f.tensors()) {
        again.add_tensor(t.name, t.shape, t.type, [bytes = f.tensor_bytes(t)](std::span<std::uint8_t> out) {
            std::copy(bytes.begin(), bytes.end(), out.begin());
        });
    }
    const fs::path copy = file.parent_path() / "copy.gguf";
    again.write(copy);
    CHECK(test::read_file(copy) == test::read_file(file));
}

TEST_CASE("gguf writer and reader respect general.alignment") {
    const fs::path file = test::scratch_dir("gguf-align") / "aligned.gguf";
    gguf::Writer w;
    w.set("general.alignment", gguf::Value::u32(256));
    w.add_tensor("x", {3}, gguf::TensorType::f32, std::vector<float>{1, 2, 3});
    w.add_tensor("y", {5}, gguf::TensorType::f16, std::vector<float>{1, 2, 3, 4, 5});
    w.write(file);
    const gguf::File f = gguf::File::read(file);
    CHECK(f.alignment() == 256);
    CHECK(f.data_offset() % 256 == 0);
    CHECK(f.find_tensor("y")->offset == 256);
    CHECK(f.tensor_floats("y") == std::vector<float>{1, 2, 3, 4, 5});

    gguf::Writer bad;
    bad.set("general.alignment", gguf::Value::u32(48));
    CHECK_THROWS_WITH(bad.write(file.parent_path() / "bad.gguf"), Contains("power of two"));
}

TEST_CASE("f16 conversion rounds to nearest even and round-trips every half") {
    using gguf::f16_to_f32;
    using gguf::f32_to_f16;
    CHECK(f32_to_f16(1.0f) == 0x3c00);
    CHECK(f32_to_f16(-2.0f) == 0xc000);
    CHECK(f32_to_f16(0.1f) == 0x2e66);
    CHECK(f32_to_f16(-0.0f) == 0x8000);
    CHECK(f32_to_f16(65504.0f) == 0x7bff);
    CHECK(f32_to_f16(65519.0f) == 0x7bff);
    CHECK(f32_to_f16(65520.0f) == 0x7c00);  // rounds up to inf
    CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
    CHECK(f32_to_f16(1.0f + 0x1p-11f) == 0x3c00);         // tie: to even
    CHECK(f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);     // tie: to even
    CHECK(f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f) == 0x3c01);
    CHECK(f32_to_f16(0x1p-24f) == 0x0001);  // smallest subnormal
    CHECK(f32_to_f16(0x1p-25f) == 0x0000);  // tie: to even (zero)
    CHECK(f32_to_f16(0x1.8p-25f) == 0x0001);
    CHECK(f32_to_f16(0x1p-14f) == 0x0400);  // smallest normal
    CHECK(f32_to_f16(0x1.ff8p-15f) == 0x03ff);  // largest subnormal
    CHECK(f32_to_f16(0x1.ffcp-15f) == 0x0400);  // tie above it: to even, carrying into the exponent
    CHECK(std::isnan(f16_to_f32(f32_to_f16(std::numeric_limits<float>::quiet_NaN()))));
    CHECK(f16_to_f32(0x0001) == 0x1p-24f);
    CHECK(f16_to_f32(0x7bff) == 65504.0f);
    int mismatches = 0;
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const auto half = static_cast<std::uint16_t>(h);
        if ((half & 0x7c00) == 0x7c00 && (half & 0x3ff) != 0) continue;  // NaN payloads
        if (f32_to_f16(f16_to_f32(half)) != half) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(gguf::f32_to_bf16(1.0f) == 0x3f80);
    CHECK(gguf::bf16_to_f32(0xc000) == -2.0f);
}

TEST_CASE("malformed gguf files are refused with the file and byte offset") {
    const fs::path dir = test::scratch_dir("gguf-malformed");
    const fs::path good = dir / "good.gguf";
    sample_writer().write(good);
    const std::string bytes = test::read_file(good);
    const fs::path bad = dir / "bad.gguf";

    SECTION("truncated anywhere") {
        const gguf::File f = gguf::File::read(good);
        const std::size_t header_end = f.data_offset();
        for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{6}, std::size_t{20}, std::size_t{30}, std::size_t{100},
                                header_end / 2, header_end - 9, static_cast<std::size_t>(f.data_offset() + 40),
                                static_cast<std::size_t>(f.data_offset() + f.tensors().back().offset + 4)}) {
            CAPTURE(cut);
            test::write_file(bad, bytes.substr(0, cut));
            const std::string message = test::bad_input_message([&] { (void)gguf::File::read(bad); });
            CHECK_THAT(message, Contains(bad.string()) && Contains("at byte") && Contains("truncated"));
        }
    }
    SECTION("only the last tensor's trailing padding missing: accepted, as llama.cpp does") {
        test::write_file(bad, bytes.substr(0, bytes.size() - 1));
        CHECK(gguf::File::read(bad).tensor_floats("c.bf16").size() == 4);
    }
    SECTION("bad magic") {
        test::write_file(bad, "GGML" + bytes.substr(4));
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(bad); }),
                   Contains(bad.string()) && Contains("byte 0") && Contains("magic is \"GGML\"") && Contains("expected \"GGUF\""));
    }
    SECTION("unsupported version") {
        std::string v = bytes;
        v[4] = 4;
        test::write_file(bad, v);
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(bad); }), Contains("byte 4") && Contains("version 4") && Contains("expected version 2 or 3"));
        v[4] = 1;
        test::write_file(bad, v);
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(bad); }), Contains("version 1"));
    }
    SECTION("absurd string length") {
        std::string v = bytes;
        v[24 + 7] = 0x7f;  // high byte of the first key's length
        test::write_file(bad, v);
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(bad); }), Contains("byte 24") && Contains("key of KV pair 0"));
    }
    SECTION("invalid value type") {
        std::string v = bytes;
        const std::size_t type_at = 24 + 8 + std::string("general.architecture").size();
        v[type_at] = 13;
        test::write_file(bad, v);
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(bad); }),
                   Contains(fmt::format("byte {}", type_at)) && Contains("type of \"general.architecture\" is 13"));
    }
    SECTION("missing file") {
        CHECK_THAT(test::bad_input_message([&] { (void)gguf::File::read(dir / "absent.gguf"); }), Contains("absent.gguf") && Contains("cannot open"));
    }
}

TEST_CASE("the weight generator is pinned: element values and chunking and scale") {
    // Other backends rebuild weights from the specification in model_maker.hpp; these values must never change.
    std::vector<float> v(4);
    model::generate_weights(42, "blk.0.attn_q.weight", 64, 0, v);
    CHECK(v == std::vector<float>{-0x1.0645fap-5f, 0x1.26ac2cp-4f, 0x1.dcc10ep-4f, -0x1.490d58p-4f});
    CHECK(model::fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(model::fnv1a64("a") == 0xaf63dc4c8601ec8cull);

    std::vector<float> all(10000);
    model::generate_weights(7, "t", 256, 0, all);
    std::vector<float> tail(100);
    model::generate_weights(7, "t", 256, 9900, tail);
    CHECK(std::equal(tail.begin(), tail.end(), all.begin() + 9900));
    double sum = 0, sq = 0;
    for (float x : all) {
        sum += x;
        sq += static_cast<double>(x) * x;
    }
    const double mean = sum / all.size(), sd = std::sqrt(sq / all.size() - mean * mean);
    CHECK(std::abs(mean) < 0.003);
    CHECK(sd == Approx(1.0 / 16).epsilon(0.03));
}

TEST_CASE("model shapes llama.cpp cannot run are refused") {
    model::ModelShape s = model::default_test_shape();
    s.heads = 5;
    CHECK_THROWS_WITH(model::validate(s), Contains("not divisible by heads"));
    s = model::default_test_shape();
    s.kv_heads = 3;
    CHECK_THROWS_WITH(model::validate(s), Contains("kv-heads"));
    s = model::default_test_shape();
    s.layers = 0;
    CHECK_THROWS_WITH(model::validate(s), Contains("layers is 0"));
    CHECK_THAT(test::bad_input_message([] { (void)model::make_model("/nonexistent/vocab.gguf", "/tmp/x.gguf", model::default_test_shape(), 1, model::WeightType::f16); }),
               Contains("/nonexistent/vocab.gguf") && Contains("vocab file not found"));
}

TEST_CASE("make_model is deterministic: the same seed gives the same bytes and another seed other weights") {
    const fs::path vocab = vocab_file();
    const fs::path dir = test::scratch_dir("make-model-determinism");
    const model::ModelShape shape = model::default_test_shape();
    const model::MadeModel one = model::make_model(vocab, dir / "one.gguf", shape, 42, model::WeightType::f16);
    const model::MadeModel two = model::make_model(vocab, dir / "two.gguf", shape, 42, model::WeightType::f16);
    const model::MadeModel other = model::make_model(vocab, dir / "other.gguf", shape, 43, model::WeightType::f16);
    CHECK(one.vocab_size == 32000);
    CHECK(one.tokenizer == "llama");
    CHECK(one.parameters == 32000 * 64 + 64 + 2 * (2 * 64 + 2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 128));
    CHECK(one.file_bytes < 6'000'000);  // "a few MB"
    const std::string a = test::read_file(one.path), b = test::read_file(two.path), c = test::read_file(other.path);
    CHECK(a.size() == one.file_bytes);
    CHECK(a == b);
    CHECK(a.size() == c.size());
    CHECK(a != c);
    const gguf::File fa = gguf::File::read(one.path), fc = gguf::File::read(other.path);
    CHECK(fa.tensor_floats("blk.1.ffn_down.weight") != fc.tensor_floats("blk.1.ffn_down.weight"));
    CHECK(fa.tensor_floats("blk.1.ffn_norm.weight") == fc.tensor_floats("blk.1.ffn_norm.weight"));
    CHECK(fa.get<std::uint64_t>("clika.seed") == 42);
    CHECK(fa.get<std::uint32_t>("general.file_type") == 1);
}

TEST_CASE("make_model copies every tokenizer key of the vocab file verbatim") {
    const fs::path vocab = vocab_file();
    const fs::path out = test::scratch_dir("make-model-tokenizer") / "m.gguf";
    const model::MadeModel made = model::make_model(vocab, out, model::default_test_shape(), 1, model::WeightType::f32);
    const gguf::File v = gguf::File::read(vocab), m = gguf::File::read(out);
    const std::string vbytes = test::read_file(vocab), mbytes = test::read_file(out);
    std::size_t copied = 0;
    for (const gguf::KeyValue& kv : v.kvs()) {
        if (!kv.key.starts_with("tokenizer.")) continue;
        CAPTURE(kv.key);
        const auto it = std::find_if(m.kvs().begin(), m.kvs().end(), [&](const gguf::KeyValue& x) { return x.key == kv.key; });
        REQUIRE(it != m.kvs().end());
        CHECK(it->size == kv.size);
        CHECK(mbytes.compare(it->offset, it->size, vbytes, kv.offset, kv.size) == 0);  // the same bytes
        ++copied;
    }
    CHECK(copied >= 5);  // model, tokens, scores, token_type, bos/eos ids ...
    CHECK(made.tokenizer_keys == copied);
    for (const gguf::KeyValue& kv : m.kvs())
        CHECK((kv.key.starts_with("tokenizer.") || kv.key.starts_with("general.") || kv.key.starts_with("llama.") || kv.key.starts_with("clika.")));
    CHECK(m.get<std::string>("general.architecture") == "llama");
    CHECK(m.get<std::uint32_t>("llama.vocab_size") == m.get<gguf::Array>("tokenizer.ggml.tokens").items.size());
}

TEST_CASE("make_model writes llama tensors and hyperparameters for a GQA shape with an untied output") {
    const fs::path vocab = vocab_file();
    const fs::path out = test::scratch_dir("make-model-gqa") / "gqa.gguf";
    model::ModelShape s;
    s.layers = 3;
    s.dim = 96;
    s.heads = 6;
    s.kv_heads = 2;
    s.ff = 160;
    s.context = 512;
    s.rope_base = 500000.0f;
    s.rms_eps = 1e-6f;
    s.tie_embeddings = false;
    const model::MadeModel made = model::make_model(vocab, out, s, 9, model::WeightType::f16);
    const gguf::File f = gguf::File::read(out);
    const std::int64_t nv = made.vocab_size;

    CHECK(f.get<std::uint32_t>("llama.block_count") == 3);
    CHECK(f.get<std::uint32_t>("llama.embedding_length") == 96);
    CHECK(f.get<std::uint32_t>("llama.attention.head_count") == 6);
    CHECK(f.get<std::uint32_t>("llama.attention.head_count_kv") == 2);
    CHECK(f.get<std::uint32_t>("llama.feed_forward_length") == 160);
    CHECK(f.get<std::uint32_t>("llama.context_length") == 512);
    CHECK(f.get<std::uint32_t>("llama.rope.dimension_count") == 16);
    CHECK(f.get<float>("llama.rope.freq_base") == 500000.0f);
    CHECK(f.get<float>("llama.attention.layer_norm_rms_epsilon") == 1e-6f);

    using Shape = std::vector<std::int64_t>;
    auto shape_of = [&](const std::string& name) {
        const gguf::TensorInfo* t = f.find_tensor(name);
        INFO(name);
        REQUIRE(t != nullptr);
        return t->shape;
    };
    CHECK(f.tensors().size() == 3 + 3 * 9);
    CHECK(shape_of("token_embd.weight") == Shape{96, nv});
    CHECK(shape_of("output.weight") == Shape{96, nv});
    CHECK(shape_of("output_norm.weight") == Shape{96});
    for (int i = 0; i < 3; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        CHECK(shape_of(p + "attn_norm.weight") == Shape{96});
        CHECK(shape_of(p + "attn_q.weight") == Shape{96, 96});
        CHECK(shape_of(p + "attn_k.weight") == Shape{96, 32});  // 2 KV heads x 16
        CHECK(shape_of(p + "attn_v.weight") == Shape{96, 32});
        CHECK(shape_of(p + "attn_output.weight") == Shape{96, 96});
        CHECK(shape_of(p + "ffn_norm.weight") == Shape{96});
        CHECK(shape_of(p + "ffn_gate.weight") == Shape{96, 160});
        CHECK(shape_of(p + "ffn_up.weight") == Shape{96, 160});
        CHECK(shape_of(p + "ffn_down.weight") == Shape{160, 96});
    }
    for (const gguf::TensorInfo& t : f.tensors()) CHECK(t.type == (t.shape.size() == 1 ? 0u : 1u));  // norms f32, matrices f16

    // Any backend can rebuild the stored weights from (seed, shape, name) without reading the file.
    for (const char* name : {"token_embd.weight", "output.weight", "blk.2.attn_k.weight", "blk.0.ffn_down.weight", "blk.1.attn_norm.weight"}) {
        CAPTURE(name);
        CHECK(f.tensor_floats(name) == model::tensor_values(9, s, nv, name, model::WeightType::f16));
    }
    CHECK_THAT(test::bad_input_message([&] { (void)model::tensor_values(9, s, nv, "blk.3.attn_q.weight"); }), Contains("no tensor named"));
    const std::vector<float> norm = f.tensor_floats("output_norm.weight");
    CHECK(std::all_of(norm.begin(), norm.end(), [](float x) { return x == 1.0f; }));
}

namespace {

// The error (or "") of checking a llama-architecture file holding `kvs` against what llama.cpp aborts on.
std::string llama_metadata_error(const std::vector<std::pair<std::string, gguf::Value>>& kvs) {
    const fs::path file = test::scratch_dir("gguf-llama-metadata") / "model.gguf";
    gguf::Writer w;
    w.set("general.architecture", gguf::Value::str("llama"));
    w.set("llama.block_count", gguf::Value::u32(2));
    for (const auto& [key, value] : kvs) w.set(key, value);
    w.write(file);
    try {
        gguf::check_llama_cpp_metadata(gguf::File::read(file));
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        CHECK_THAT(e.what(), StartsWith(file.string()));
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("GGUF metadata llama.cpp aborts on is refused naming the key and its value") {
    using V = gguf::Value;
    CHECK(llama_metadata_error({}).empty());
    CHECK_THAT(llama_metadata_error({{"llama.block_count", V::u32(0)}}),
               Contains("field \"llama.block_count\": is 0, a value llama.cpp aborts the process on") && Contains("expected 1 to 512 layers"));
    CHECK_THAT(llama_metadata_error({{"llama.block_count", V::u32(1000000)}}), Contains("\"llama.block_count\": is 1000000"));
    CHECK(llama_metadata_error({{"llama.block_count", V::u32(512)}}).empty());
    CHECK_THAT(llama_metadata_error({{"llama.nextn_predict_layers", V::u32(3)}}), Contains("\"llama.nextn_predict_layers\": is 3"));
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(2000)}}), Contains("\"llama.expert_count\": is 2000"));
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(8)}}), Contains("\"llama.expert_used_count\": is 0"));
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(8)}, {"llama.expert_used_count", V::u32(9)}}),
               Contains("\"llama.expert_used_count\": is 9"));
    // Per layer: the largest counts.
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(8)},
                                     {"llama.expert_used_count", V::array(gguf::ValueType::u32, {V::u32(2), V::u32(12)})}}),
               Contains("\"llama.expert_used_count\": is 12"));
    CHECK(llama_metadata_error({{"llama.expert_count", V::u32(8)}, {"llama.expert_used_count", V::u32(2)}}).empty());
    CHECK_THAT(llama_metadata_error({{"llama.expert_used_count", V::u32(2)}}), Contains("\"llama.expert_used_count\": is 2") && Contains("without experts"));
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(8)}, {"llama.expert_used_count", V::u32(2)}, {"llama.expert_group_count", V::u32(3)}}),
               Contains("\"llama.expert_group_count\": is 3") && Contains("a divisor"));
    CHECK_THAT(llama_metadata_error({{"llama.expert_count", V::u32(8)}, {"llama.expert_used_count", V::u32(2)}, {"llama.expert_group_count", V::u32(4)}}),
               Contains("\"llama.expert_group_used_count\": is 0"));
    CHECK_THAT(llama_metadata_error({{"llama.rope.scaling.type", V::str("cubic")}}),
               Contains("\"llama.rope.scaling.type\": is \"cubic\"") && Contains("none, linear, yarn or longrope"));
    CHECK(llama_metadata_error({{"llama.rope.scaling.type", V::str("yarn")}}).empty());
}
