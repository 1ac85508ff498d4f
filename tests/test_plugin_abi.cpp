// ABI v2 grows compatibly (plugin_abi.h): a plugin built today works with a clika built against the v2.0 header, a
// plugin built against v2.0 works with today's clika, and so does one built by a later clika whose structs are all
// larger; fields the other side's struct does not cover are absent. And plugins declare their settings through it.

#include "clika/abi/holds.hpp"
#include "clika/abi/setting.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/plugin_settings.hpp"
#include "clika/gguf.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path example_plugin = CLIKA_EXAMPLE_PLUGIN;  // build/lib/libclika_example.so
const fs::path fixture_dir = CLIKA_TEST_PLUGIN_DIR;    // build/test-plugins: v2_0 and future (tests/plugins/versioned_plugin.cpp)

constexpr unsigned char not_the_hosts = 0xA5;

// A struct as a clika built against the v2.0 header passes it: struct_size is v2.0's, and the bytes after that are
// not the host's (here 0xA5: a plugin reading a later pointer there gets garbage; one writing there is caught).
template <class S>
struct AsV2_0 {
    S value;
    AsV2_0() {
        std::memset(&value, not_the_hosts, sizeof value);
        std::memset(&value, 0, abi::v2_size<S>);
        value.struct_size = static_cast<std::uint32_t>(abi::v2_size<S>);
    }
    [[nodiscard]] bool tail_untouched() const {
        unsigned char bytes[sizeof(S)];
        std::memcpy(bytes, &value, sizeof bytes);
        for (std::size_t i = abi::v2_size<S>; i < sizeof bytes; ++i)
            if (bytes[i] != not_the_hosts) return false;
        return true;
    }
};

fs::path toy_model_file(std::string_view test) {
    const fs::path file = test::scratch_dir(test) / "toy.model";
    test::write_file(file, "any content: these toy models ignore it\n");
    return file;
}

Plugin fixture(std::string_view name) { return load_plugin(name, PluginSearchPath{{fixture_dir}}); }

}  // namespace

TEST_CASE("a plugin built today works with a clika of v2.0 and reads or writes none of the later fields") {
    const std::string plugin_file = GENERATE(as<std::string>{}, CLIKA_EXAMPLE_PLUGIN, std::string(CLIKA_TEST_PLUGIN_DIR) + "/libclika_future.so");
    INFO(plugin_file);
    const Plugin plugin = load_plugin(plugin_file, {});
    const clika_plugin_api_v2& api = plugin.api();
    const fs::path model_file = toy_model_file("abi-v2_0-host");

    AsV2_0<clika_open_options> open;  // its settings pointer would be 0xA5A5...: read, it crashes or fails
    clika_model* model = api.open(model_file.c_str(), &open.value);
    INFO(api.last_error(nullptr));
    REQUIRE(model != nullptr);

    AsV2_0<clika_model_info> info;
    REQUIRE(api.describe(model, &info.value) == 0);
    CHECK(info.tail_untouched());  // no identity written past the host's struct
    CHECK(info.value.n_vocab > 0);
    CHECK(info.value.max_pass_sequences > 0);  // the example's declared default: 256

    const std::vector<std::int32_t> context{'A', 'n', 's'};
    const std::vector<std::int32_t> continuation{'w'};
    const clika_token_span span{continuation.data(), continuation.size()};
    const std::int32_t next_id = 'e';
    const clika_score_request request{{context.data(), context.size()}, 0, &span, 1, &next_id, 1};
    double logprob = 0, next_logprob = 0;
    std::uint8_t greedy = 0;
    clika_score_result result{&logprob, &greedy, &next_logprob, -1};
    std::uint64_t tokens = 0;
    AsV2_0<clika_score_options> score;  // next_bounded, requests_sent, retries: 0xA5 garbage
    score.value.share_prefix = 1;
    score.value.tokens_evaluated = &tokens;
    CHECK(api.score(model, &request, &result, 1, &score.value) == 0);
    CHECK(score.tail_untouched());
    CHECK(logprob < 0);
    CHECK(next_logprob < 0);
    CHECK(tokens > 0);

    if (api.generate_begin != nullptr) {
        AsV2_0<clika_generate_options> generate;
        std::int32_t next = -1;
        const clika_score_request prompt{{context.data(), context.size()}, 0, nullptr, 0, nullptr, 0};
        CHECK(api.generate_begin(model, &prompt, 1, &next, &generate.value) == 0);
        CHECK(next >= 0);
        CHECK(api.generate_step(model, &next, 1, &next, &generate.value) == 0);
        api.generate_end(model);
    }
    api.close(model);
}

TEST_CASE("a plugin built against the v2.0 header loads in today's clika and runs without the later fields") {
    const Plugin plugin = fixture("v2_0");
    CHECK(plugin.api().struct_size == abi::v2_size<clika_plugin_api_v2>);
    CHECK(plugin.api().struct_size < sizeof(clika_plugin_api_v2));
    CHECK(plugin.settings().empty());
    CHECK(plugin.model_is_file());
    CHECK_FALSE(plugin.model_is_gguf());  // older than the flags: no format declared, so its model file (no GGUF) opens

    OpenOptions options;
    options.settings = plugin_settings_json(plugin, {{"mode", "letter"}, {"max_new_tokens", 64}}, {});
    CHECK(options.settings == R"({"mode":"letter","max_new_tokens":64})");
    PluginBackend backend(plugin, toy_model_file("abi-v2_0-plugin"), options);
    CHECK(backend.info().identity.empty());
    CHECK(backend.info().description == "v2.0 plugin; later fields of the host: none");

    ScoreRequest request;
    request.context = {'a', 'b'};
    request.continuations = {{'c', 'd', 'e'}};
    request.next_ids = {'A', 'B'};
    ScoreStats stats;
    const std::vector<OptionScores> scores = backend.score({&request, 1}, {}, stats);
    REQUIRE(scores.size() == 1);
    CHECK(scores[0].logprob == std::vector<double>{-3.0});
    CHECK(scores[0].next_logprob == std::vector<double>{-1.0, -1.0});
    CHECK(scores[0].next_bounded == std::vector<bool>{false, false});
    CHECK(stats.tokens_evaluated == 2);
    CHECK(stats.requests_sent == 0);
}

TEST_CASE("a plugin built by a later clika with every struct larger runs in today's clika which has none of the later fields") {
    const Plugin plugin = fixture("future");
    CHECK(plugin.api().struct_size > sizeof(clika_plugin_api_v2));
    // Its declarations are larger than today's clika_setting: read by their own stride.
    REQUIRE(plugin.settings().size() == 2);
    CHECK(plugin.settings()[0]->struct_size > sizeof(clika_setting));
    CHECK(std::string(plugin.settings()[0]->name) == "scale");
    CHECK(abi::setting_kind(*plugin.settings()[0]) == "a number in 0..100");
    CHECK(std::string(plugin.settings()[1]->name) == "label");
    CHECK(std::string(plugin.settings()[1]->default_value) == "future");
    CHECK_FALSE(plugin.model_is_gguf());  // its flags declare no format: the toy file below opens unchecked

    OpenOptions options;
    options.settings = plugin_settings_json(plugin, {{"mode", "letter"}}, {{"scale", "2.5"}});
    CHECK(options.settings == R"({"mode":"letter","scale":2.5,"label":"future"})");
    PluginBackend backend(plugin, toy_model_file("abi-future-plugin"), options);
    CHECK(backend.info().description == "future plugin; later fields of the host: none");

    ScoreRequest request;
    request.context = {'a'};
    request.continuations = {{'b', 'c'}};
    ScoreStats stats;
    CHECK(backend.score({&request, 1}, {}, stats)[0].logprob == std::vector<double>{-5.0});
}

TEST_CASE("the example plugin gets its declared settings as given or their defaults") {
    const Plugin plugin = load_plugin(example_plugin.string(), {});
    REQUIRE(plugin.settings().size() == 2);
    CHECK(std::string(plugin.settings()[0]->name) == "max_pass_sequences");
    CHECK(std::string(plugin.settings()[1]->name) == "generate");

    OpenOptions defaults;
    defaults.settings = plugin_settings_json(plugin, {{"mode", "letter"}}, {});
    CHECK(defaults.settings == R"({"mode":"letter","max_pass_sequences":256,"generate":true})");
    PluginBackend by_default(plugin, toy_model_file("abi-example-defaults"), defaults);
    CHECK(by_default.info().max_pass_sequences == 256);
    CHECK(by_default.info().supports_generation);

    OpenOptions given;
    given.settings = plugin_settings_json(plugin, {{"mode", "letter"}}, {{"max_pass_sequences", "3"}, {"generate", "false"}});
    CHECK(given.settings == R"({"mode":"letter","max_pass_sequences":3,"generate":false})");
    PluginBackend configured(plugin, toy_model_file("abi-example-given"), given);
    CHECK(configured.info().max_pass_sequences == 3);
    CHECK_FALSE(configured.info().supports_generation);

    // No settings at all (an embedding program, or a clika older than declared settings): the declared defaults.
    CHECK(PluginBackend(plugin, toy_model_file("abi-example-none"), {}).info().max_pass_sequences == 256);
}

TEST_CASE("a setting value outside its declaration is bad input naming the plugin and the setting and what it takes") {
    const Plugin plugin = load_plugin(example_plugin.string(), {});
    struct Case {
        GivenSetting given;
        std::string problem;
        std::string expected;
    };
    const Case c = GENERATE(values<Case>({
        {{"max_pass_sequences", "0"}, "plugin example setting \"max_pass_sequences\": 0 is not in 1..65536", "a whole number in 1..65536"},
        {{"max_pass_sequences", "70000"}, "plugin example setting \"max_pass_sequences\": 70000 is not in 1..65536", "a whole number in 1..65536"},
        {{"max_pass_sequences", "2.5"}, "plugin example setting \"max_pass_sequences\": 2.5 is not a whole number", "a whole number in 1..65536"},
        {{"max_pass_sequences", "many"}, "plugin example setting \"max_pass_sequences\": \"many\" is not a whole number in 1..65536",
         "a whole number in 1..65536"},
        {{"generate", "yes"}, "plugin example setting \"generate\": \"yes\" is not true or false", "true or false"},
        {{"concurrency", "4"}, "plugin example has no setting \"concurrency\"", "one of max_pass_sequences, generate"},
    }));
    INFO(c.given.name << " = " << c.given.text);
    const Error e = test::error_of([&] { (void)plugin_settings_json(plugin, {}, {c.given}); });
    CHECK(e.kind() == ErrorKind::bad_input);
    CHECK(e.problem() == c.problem);
    CHECK(e.expected() == c.expected);
}

TEST_CASE("declarations breaking the rules of clika_setting are named and such a plugin is refused at load") {
    constexpr std::uint32_t size = sizeof(clika_setting);
    struct Case {
        clika_setting setting;
        std::string problem;
    };
    const Case c = GENERATE(values<Case>({
        {{size, CLIKA_SETTING_INT, "threads", "4", "help", 0, 0, 0}, ""},
        {{size, CLIKA_SETTING_INT, "Threads", "4", "help", 0, 0, 0}, "a setting's name is NULL or does not start with a lower-case letter"},
        {{size, CLIKA_SETTING_INT, "n-threads", "4", "help", 0, 0, 0}, "setting \"n-threads\": the name has characters other than a-z, 0-9 and '_'"},
        {{size, CLIKA_SETTING_STRING, "mode", "x", "help", 0, 0, 0}, "setting \"mode\": clika sets it itself"},
        {{size, 9, "threads", "4", "help", 0, 0, 0}, "setting \"threads\": unknown type 9"},
        {{size, CLIKA_SETTING_INT, "threads", "4", nullptr, 0, 0, 0}, "setting \"threads\": help or default_value is NULL"},
        {{size, CLIKA_SETTING_BOOL, "fast", "true", "help", CLIKA_SETTING_HAS_MIN, 0, 0}, "setting \"fast\": only whole numbers and numbers have bounds"},
        {{size, CLIKA_SETTING_NUMBER, "x", "1", "help", CLIKA_SETTING_HAS_MIN | CLIKA_SETTING_HAS_MAX, 2, 1}, "setting \"x\": min is above max"},
        {{size, CLIKA_SETTING_INT, "threads", "0", "help", CLIKA_SETTING_HAS_MIN, 1, 0}, "setting \"threads\": its default 0 is not >= 1"},
    }));
    CHECK(abi::declaration_problem(c.setting) == c.problem);

    const Error e = test::error_of([] { (void)fixture("bad_setting"); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK(e.problem() ==
          "plugin declares settings that break the rules of clika_setting: setting \"threads\": its default \"eight\" is not a whole number");
}

TEST_CASE("holds says whether the other side's struct reaches a field and is_v2 whether it has all of v2.0") {
    clika_score_options o{};
    o.struct_size = static_cast<std::uint32_t>(abi::v2_size<clika_score_options>);
    CHECK(abi::holds(o, &clika_score_options::prefix_reuses));
    CHECK_FALSE(abi::holds(o, &clika_score_options::next_bounded));
    CHECK(abi::is_v2(&o));
    o.struct_size = static_cast<std::uint32_t>(offsetof(clika_score_options, next_bounded) + sizeof(std::uint8_t*));
    CHECK(abi::holds(o, &clika_score_options::next_bounded));
    CHECK_FALSE(abi::holds(o, &clika_score_options::requests_sent));
    o.struct_size = static_cast<std::uint32_t>(abi::v2_size<clika_score_options> - 1);
    CHECK_FALSE(abi::is_v2(&o));
    CHECK_FALSE(abi::is_v2(static_cast<const clika_score_options*>(nullptr)));
}

TEST_CASE("a program opening a model through PluginBackend gets a file that is not the GGUF its plugin declares refused as bad input") {
    const fs::path dir = test::scratch_dir("abi-declared-gguf");
    const fs::path empty = dir / "empty.gguf", text = dir / "notes.gguf", truncated = dir / "truncated.gguf", fifo = dir / "pipe.gguf";
    const fs::path good = dir / "good.gguf", no_layers = dir / "no-layers.gguf";
    test::write_file(empty, "");
    test::write_file(text, "#!/bin/sh\necho this is a script, not a model\n");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // never read: opening it would wait for a writer
    for (const auto& [file, layers] : {std::pair{good, 2u}, std::pair{no_layers, 0u}}) {
        gguf::Writer w;
        w.set("general.architecture", gguf::Value::str("llama"));
        w.set("llama.block_count", gguf::Value::u32(layers));
        w.write(file);
    }
    const std::string whole = test::read_file(good);
    test::write_file(truncated, whole.substr(0, whole.size() / 2));

    for (const std::string name : {"gguf_model", "llama_gguf_model"}) {
        INFO(name);
        const Plugin plugin = fixture(name);
        CHECK(plugin.model_is_gguf());
        CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(plugin, empty); }), Contains(empty.string()) && Contains("malformed GGUF at byte 0"));
        CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(plugin, text); }), Contains(text.string()) && Contains("malformed GGUF"));
        CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(plugin, truncated); }), Contains("truncated file"));
        CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(plugin, fifo); }), Contains("is a FIFO (named pipe), not a regular model file"));
        CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(plugin, dir / "missing.gguf"); }), Contains("model file not found"));
        CHECK(PluginBackend(plugin, good).info().n_vocab == 256);
    }
    // Metadata llama.cpp aborts on is refused only for a plugin whose GGUF llama.cpp loads.
    CHECK_THAT(test::bad_input_message([&] { (void)PluginBackend(fixture("llama_gguf_model"), no_layers); }),
               Contains("\"llama.block_count\": is 0, a value llama.cpp aborts the process on"));
    CHECK(PluginBackend(fixture("gguf_model"), no_layers).info().n_vocab == 256);
}
