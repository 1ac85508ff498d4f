// Plugin loading (search path, refusals), the C++ adapter over the C ABI, and the example plugin's toy model, checked
// against a reference computed here.

#include "clika/eval/generate.hpp"
#include "clika/plugin_backend.hpp"
#include "clika/plugin_loader.hpp"
#include "clika/plugin_support.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <dlfcn.h>

#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

const fs::path example_plugin = CLIKA_EXAMPLE_PLUGIN;      // build/lib/libclika_example.so
const fs::path fixture_dir = CLIKA_TEST_PLUGIN_DIR;        // build/test-plugins

// Sets (or unsets) an environment variable for one test, restoring it afterwards.
class EnvGuard {
public:
    EnvGuard(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~EnvGuard() {
        if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

// A folder holding a copy of the example plugin, under the given file name.
fs::path folder_with_example(std::string_view name, const std::string& file = "libclika_example.so") {
    const fs::path dir = test::scratch_dir(name);
    fs::copy_file(example_plugin, dir / file);
    return dir;
}

fs::path toy_model_file(std::string_view test) {
    const fs::path file = test::scratch_dir(test) / "toy.model";
    test::write_file(file, "any content: the toy model ignores it\n");
    return file;
}

// ---- the example plugin's model, written again from its specification ----------------------------------------------

constexpr int vocab = 257;
constexpr Token bos = 256;

long double ref_score(Token prev, Token next) {
    const std::uint64_t key = static_cast<std::uint64_t>(prev) * 257u + static_cast<std::uint64_t>(next);
    const std::uint64_t hash = (key * 2654435761ull) % 4294967296ull;
    return static_cast<long double>(hash) * 8.0L / 4294967296.0L;
}

double ref_logprob(Token prev, Token next) {
    long double z = 0;
    for (Token c = 0; c < vocab; ++c) z += std::exp(ref_score(prev, c));
    return static_cast<double>(ref_score(prev, next) - std::log(z));
}

Token ref_argmax(Token prev) {
    Token best = 0;
    for (Token c = 1; c < vocab; ++c)
        if (ref_score(prev, c) > ref_score(prev, best)) best = c;
    return best;
}

Tokens bytes(std::string_view text) {
    Tokens out;
    for (char ch : text) out.push_back(static_cast<unsigned char>(ch));
    return out;
}

Tokens concat(Tokens a, const Tokens& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

void check_against_reference(const ScoreRequest& request, const OptionScores& got) {
    const Token last = request.context.empty() ? bos : request.context.back();
    REQUIRE(got.logprob.size() == request.continuations.size());
    REQUIRE(got.all_greedy.size() == request.continuations.size());
    REQUIRE(got.n_tokens.size() == request.continuations.size());
    for (std::size_t j = 0; j < request.continuations.size(); ++j) {
        double sum = 0;
        bool greedy = true;
        Token prev = last;
        for (Token t : request.continuations[j]) {
            sum += ref_logprob(prev, t);
            greedy = greedy && ref_argmax(prev) == t;
            prev = t;
        }
        CHECK(got.logprob[j] == Approx(sum).margin(1e-12).epsilon(1e-12));
        CHECK(got.all_greedy[j] == greedy);
        CHECK(got.n_tokens[j] == static_cast<int>(request.continuations[j].size()));
    }
    REQUIRE(got.next_logprob.size() == request.next_ids.size());
    for (std::size_t k = 0; k < request.next_ids.size(); ++k)
        CHECK(got.next_logprob[k] == Approx(ref_logprob(last, request.next_ids[k])).margin(1e-12).epsilon(1e-12));
    CHECK(got.greedy_next == ref_argmax(last));
}

// Three questions sharing a prompt header of 9 tokens (BOS + "Answer: "), in letter and loglik mode.
std::vector<ScoreRequest> sample_requests() {
    const Tokens header = concat({bos}, bytes("Answer: "));
    std::vector<ScoreRequest> out(3);
    out[0].context = concat(header, bytes("2+2="));
    out[0].continuations = {bytes("4"), bytes("5"), bytes("four")};
    out[0].next_ids = bytes("ABCD");
    out[1].context = concat(header, bytes("capital of France?"));
    out[1].continuations = {bytes(" Paris"), bytes(" Lyon")};
    out[1].next_ids = bytes("AB");
    out[2].context = header;
    out[2].continuations = {{ref_argmax(' '), ref_argmax(ref_argmax(' '))}, bytes("x")};  // the first is greedy
    // The shared-prefix rule: one value for the call, shorter than every context (request 2's is the header itself).
    for (auto& r : out) r.shared_prefix = 5;
    return out;
}

PluginBackend open_example(std::string_view test, OpenOptions options = {}) {
    return PluginBackend(load_plugin(example_plugin.string(), {}), toy_model_file(test), options);
}

}  // namespace

// ---- search path ----------------------------------------------------------------------------------------------------

TEST_CASE("the plugin search path is the explicit dirs then CLIKA_PLUGIN_PATH then the executable's lib folders") {
    const std::vector<fs::path> explicit_dirs = {"/x/first", "/x/second"};
    const auto path = PluginSearchPath::make(explicit_dirs, "/env/a::/env/b:", "/opt/clika/bin");
    CHECK(path.dirs == std::vector<fs::path>{"/x/first", "/x/second", "/env/a", "/env/b", "/opt/clika/lib/clika/plugins", "/opt/clika/lib"});
}

TEST_CASE("plugins named N are the files libclika_N.so and names with a slash or .so are paths") {
    CHECK(plugin_file_name("llamacpp") == "libclika_llamacpp.so");
    CHECK_FALSE(is_plugin_path("llamacpp"));
    CHECK(is_plugin_path("./libclika_llamacpp.so"));
    CHECK(is_plugin_path("libclika_llamacpp.so"));
    CHECK(is_plugin_path("plugins/llamacpp"));
}

TEST_CASE("a plugin is found by name in the first directory of the search path that holds it") {
    const fs::path a = folder_with_example("plugins-order-a");
    const fs::path b = folder_with_example("plugins-order-b");
    const fs::path empty = test::scratch_dir("plugins-order-empty");
    CHECK(fs::equivalent(load_plugin("example", PluginSearchPath{{empty, a, b}}).path(), a / "libclika_example.so"));
    CHECK(fs::equivalent(load_plugin("example", PluginSearchPath{{b, a}}).path(), b / "libclika_example.so"));
}

TEST_CASE("CLIKA_PLUGIN_PATH is searched after --plugin-path directories") {
    const fs::path a = folder_with_example("plugins-env-a");
    const fs::path b = folder_with_example("plugins-env-b");
    const std::string env = "/nonexistent/dir:" + b.string();
    EnvGuard guard("CLIKA_PLUGIN_PATH", env.c_str());

    const auto from_env = PluginSearchPath::standard();
    REQUIRE(from_env.dirs.size() >= 2);
    CHECK(from_env.dirs[0] == "/nonexistent/dir");
    CHECK(from_env.dirs[1] == b);
    CHECK(fs::equivalent(load_plugin("example", from_env).path(), b / "libclika_example.so"));

    const std::vector<fs::path> cli = {a};
    const auto with_cli = PluginSearchPath::standard(cli);
    CHECK(with_cli.dirs[0] == a);
    CHECK(fs::equivalent(load_plugin("example", with_cli).path(), a / "libclika_example.so"));
}

TEST_CASE("plugins of the build tree are found next to the running executable without configuration") {
    EnvGuard guard("CLIKA_PLUGIN_PATH", nullptr);
    const auto path = PluginSearchPath::standard();
    REQUIRE(path.dirs.size() == 2);
    CHECK(path.dirs[0].filename() == "plugins");
    const Plugin plugin = load_plugin("example", path);
    CHECK(fs::equivalent(plugin.path(), example_plugin));
    CHECK(plugin.name() == "example");
    CHECK(plugin.abi_version() == CLIKA_PLUGIN_ABI_VERSION);
}

// ---- refusals -------------------------------------------------------------------------------------------------------

TEST_CASE("a plugin that is not found names the file looked for and every directory searched") {
    const fs::path d1 = test::scratch_dir("plugins-missing-1");
    const fs::path d2 = test::scratch_dir("plugins-missing-2");
    const Error e = test::error_of([&] { (void)load_plugin("nosuch", PluginSearchPath{{d1, d2}}); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK_THAT(e.what(), Contains("plugin \"nosuch\" not found") && Contains("libclika_nosuch.so") && Contains(d1.string()) && Contains(d2.string()));

    const Error by_path = test::error_of([&] { (void)load_plugin((d1 / "libclika_gone.so").string(), {}); });
    CHECK(by_path.kind() == ErrorKind::backend);
    CHECK(by_path.where().file == d1 / "libclika_gone.so");
    CHECK_THAT(by_path.what(), Contains("plugin file not found"));
}

TEST_CASE("a file that is not a shared library is refused with the dynamic loader's message") {
    const fs::path file = fixture_dir / "libclika_garbage.so";
    const Error e = test::error_of([&] { (void)load_plugin("garbage", PluginSearchPath{{fixture_dir}}); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK(e.where().file == file);
    CHECK_THAT(e.what(), StartsWith(file.string() + ": cannot load plugin: ") && Contains("libclika_garbage.so:"));
}

TEST_CASE("plugins breaking the ABI are refused naming the file and the rule broken") {
    struct Case {
        const char* name;
        std::string reason;
    };
    const Case c = GENERATE(values<Case>({
        {"missing_symbol", "not a clika plugin: it does not export clika_plugin_v2"},
        {"null_entry", "clika_plugin_v2() returned NULL"},
        {"wrong_abi", "plugin built for ABI v3, this clika speaks v2"},
        {"small_struct", "plugin API table is " + std::to_string(offsetof(clika_plugin_api_v2, score)) + " bytes, smaller than ABI v2.0's " +
                             std::to_string(CLIKA_PLUGIN_API_V2_0_SIZE) + " bytes"},
        {"null_function", "plugin API field \"score\" is NULL"},
        {"old_abi", "plugin built for ABI v1 (it exports clika_plugin_v1); this clika speaks v2: rebuild the plugin against this clika's "
                    "include/clika/plugin_abi.h"},
        {"partial_generate", "plugin API fields generate_begin, generate_step and generate_end must be all set or all NULL"},
    }));
    const fs::path file = fixture_dir / plugin_file_name(c.name);
    INFO(c.name);
    for (const std::string& how : {std::string(c.name), file.string()}) {
        const Error e = test::error_of([&] { (void)load_plugin(how, PluginSearchPath{{fixture_dir}}); });
        CHECK(e.kind() == ErrorKind::backend);
        CHECK(e.where().file == file);
        CHECK(e.problem() == c.reason);
        CHECK_THAT(e.what(), StartsWith(file.string() + ": "));
    }
}

TEST_CASE("list_plugins reports every plugin found with version and ABI or the reason it is refused") {
    const fs::path copy = folder_with_example("plugins-list-copy");
    const auto listing = list_plugins(PluginSearchPath{{fixture_dir, "/nonexistent/plugins", copy, fixture_dir}});
    std::vector<std::string> names;
    for (const auto& entry : listing) names.push_back(entry.name);
    // Sorted by file name within a folder; the folder given twice is listed once; missing folders are skipped.
    CHECK(names == std::vector<std::string>{"bad_scores", "bad_setting", "future", "garbage", "gguf_model", "llama_gguf_model", "missing_symbol",
                                            "null_entry", "null_function", "old_abi", "partial_generate", "small_struct", "throwing", "v2_0",
                                            "wrong_abi", "example"});
    REQUIRE(listing.size() == 16);

    const auto& throwing = listing[12];
    CHECK(throwing.ok());
    CHECK(throwing.version == "0.0.1");
    CHECK(throwing.abi_version == 2);
    CHECK(throwing.path == fixture_dir / "libclika_throwing.so");

    const auto& wrong_abi = listing[14];
    CHECK_FALSE(wrong_abi.ok());
    CHECK(wrong_abi.refusal == "plugin built for ABI v3, this clika speaks v2");
    CHECK_THAT(listing[3].refusal, StartsWith("cannot load plugin: "));
    CHECK(listing[6].refusal == "not a clika plugin: it does not export clika_plugin_v2");
    CHECK_THAT(listing[9].refusal, StartsWith("plugin built for ABI v1"));
    CHECK_THAT(listing[1].refusal, StartsWith("plugin declares settings that break the rules of clika_setting"));

    const auto& example = listing[15];
    CHECK(example.ok());
    CHECK(example.version == "1.0.0 (toy byte-level bigram model)");
    CHECK_FALSE(example.shadowed);
    // Its declared settings, listed with what they take.
    REQUIRE(example.settings.size() == 2);
    CHECK(example.settings[0].name == "max_pass_sequences");
    CHECK(example.settings[0].kind == "a whole number in 1..65536");
    CHECK(example.settings[0].default_value == "256");
    CHECK_FALSE(example.settings[0].flag);
    CHECK(example.settings[1].name == "generate");
    CHECK(example.settings[1].flag);
}

TEST_CASE("list_plugins marks a plugin hidden by one of the same name earlier in the search path") {
    const fs::path a = folder_with_example("plugins-shadow-a");
    const fs::path b = folder_with_example("plugins-shadow-b");
    const auto listing = list_plugins(PluginSearchPath{{a, b}});
    REQUIRE(listing.size() == 2);
    CHECK_FALSE(listing[0].shadowed);
    CHECK(listing[1].shadowed);
    CHECK(listing[1].path == b / "libclika_example.so");
}

// ---- the adapter over the example plugin ----------------------------------------------------------------------------

TEST_CASE("the example plugin describes its toy model") {
    PluginBackend backend = open_example("plugins-describe");
    const ModelInfo& info = backend.info();
    CHECK(info.n_vocab == 257);
    CHECK(info.n_ctx_train == 1024);
    CHECK(info.n_ctx == 1024);
    CHECK(info.bos == 256);
    CHECK(info.eos == -1);
    CHECK(info.adds_bos);
    CHECK_THAT(info.description, Contains("toy byte-level bigram model") && Contains("toy.model"));

    OpenOptions options;
    options.n_ctx = 64;
    CHECK(open_example("plugins-describe-ctx", options).info().n_ctx == 64);
}

TEST_CASE("the example plugin tokenizes bytes with BOS first when asked however long the text") {
    PluginBackend backend = open_example("plugins-tokenize");
    CHECK(backend.tokenize("h\xC3\xA9!", true) == Tokens{256, 'h', 0xC3, 0xA9, '!'});
    CHECK(backend.tokenize("h\xC3\xA9!", false) == Tokens{'h', 0xC3, 0xA9, '!'});
    CHECK(backend.tokenize("", false).empty());
    // Longer than the adapter's first buffer guess: the capacity protocol must ask again.
    std::string text;
    for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + i % 26);
    const Tokens tokens = backend.tokenize(text, true);
    REQUIRE(tokens.size() == 1001);
    CHECK(tokens[0] == 256);
    CHECK(tokens[1000] == 'a' + 999 % 26);
}

TEST_CASE("the example plugin renders token pieces including ones longer than the first buffer") {
    PluginBackend backend = open_example("plugins-piece");
    CHECK(backend.piece('h') == "h");
    CHECK(backend.piece(0xC3) == "\xC3");
    CHECK(backend.piece(0) == std::string(1, '\0'));
    CHECK(backend.piece(256) == "<|begin_of_text|>");
    const Error e = test::error_of([&] { (void)backend.piece(300); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK_THAT(e.what(), Contains("example: piece token 300 is out of range 0..256"));
}

TEST_CASE("the example plugin scores continuations and next tokens as its reference model does") {
    PluginBackend backend = open_example("plugins-score");
    const auto requests = sample_requests();
    ScoreStats stats;
    const auto scores = backend.score(requests, ScoreOptions{}, stats);
    REQUIRE(scores.size() == requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        INFO("request " << i);
        check_against_reference(requests[i], scores[i]);
    }
    CHECK(scores[2].all_greedy[0]);  // built from the reference's argmax

    // An empty context predicts from BOS.
    ScoreRequest bare;
    bare.continuations = {bytes("ab")};
    bare.next_ids = {'a', bos};
    const auto bare_scores = backend.score(std::span(&bare, 1), ScoreOptions{}, stats);
    check_against_reference(bare, bare_scores[0]);
}

TEST_CASE("the example plugin's next-token distribution sums to one and its argmax is greedy_next") {
    PluginBackend backend = open_example("plugins-normalized");
    ScoreRequest r;
    r.context = bytes("Q");
    for (Token t = 0; t < vocab; ++t) r.next_ids.push_back(t);
    ScoreStats stats;
    const auto s = backend.score(std::span(&r, 1), ScoreOptions{}, stats)[0];
    double total = 0;
    Token best = 0;
    for (Token t = 0; t < vocab; ++t) {
        total += std::exp(s.next_logprob[t]);
        if (s.next_logprob[t] > s.next_logprob[best]) best = t;
    }
    CHECK(total == Approx(1.0).margin(1e-12));
    CHECK(s.greedy_next == best);
}

TEST_CASE("sharing prefixes gives the numbers of the reference path while evaluating fewer tokens") {
    PluginBackend backend = open_example("plugins-share");
    const auto requests = sample_requests();
    ScoreStats shared_stats;
    ScoreStats reference_stats;
    const auto shared = backend.score(requests, ScoreOptions{.share_prefix = true}, shared_stats);
    const auto reference = backend.score(requests, ScoreOptions{.share_prefix = false}, reference_stats);
    REQUIRE(shared.size() == reference.size());
    for (std::size_t i = 0; i < shared.size(); ++i) {
        INFO("request " << i);
        CHECK(shared[i].logprob == reference[i].logprob);  // bit for bit
        CHECK(shared[i].next_logprob == reference[i].next_logprob);
        CHECK(shared[i].all_greedy == reference[i].all_greedy);
        CHECK(shared[i].greedy_next == reference[i].greedy_next);
    }

    // The counters, from the example plugin's documented cost model.
    std::uint64_t reference_tokens = 0;
    std::uint64_t shared_tokens = 5;  // the shared prefix, evaluated once
    std::uint64_t reuses = requests.size() - 1;
    for (const auto& r : requests) {
        reference_tokens += r.context.size();
        shared_tokens += r.context.size() - 5;
        for (const auto& c : r.continuations) {
            reference_tokens += r.context.size() + c.size();
            shared_tokens += c.size();
            reuses += 1;
        }
    }
    CHECK(reference_stats.tokens_evaluated == reference_tokens);
    CHECK(reference_stats.prefix_reuses == 0);
    CHECK(shared_stats.tokens_evaluated == shared_tokens);
    CHECK(shared_stats.prefix_reuses == reuses);
    CHECK(shared_stats.tokens_evaluated < reference_stats.tokens_evaluated);

    // Counters add up across calls.
    (void)backend.score(requests, ScoreOptions{.share_prefix = false}, reference_stats);
    CHECK(reference_stats.tokens_evaluated == 2 * reference_tokens);
}

// ---- errors through the adapter -------------------------------------------------------------------------------------

TEST_CASE("plugin failures arrive as clika errors naming the plugin file and the plugin's message") {
    PluginBackend backend = open_example("plugins-errors");
    ScoreStats stats;

    auto requests = sample_requests();
    requests[1].continuations[1][2] = 999;
    Error e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK(fs::equivalent(e.where().file, example_plugin));
    CHECK(e.problem() == "example: request 1: continuation token id 999 is outside the vocabulary (0..256)");
    CHECK_THAT(e.what(), StartsWith(backend.plugin().path().string() + ": example: "));

    OpenOptions small;
    small.n_ctx = 16;
    PluginBackend small_backend = open_example("plugins-errors-small", small);
    ScoreRequest too_long;
    too_long.context = bytes("0123456789abcdef");
    too_long.continuations = {bytes("x")};
    e = test::error_of([&] { (void)small_backend.score(std::span(&too_long, 1), ScoreOptions{}, stats); });
    CHECK(e.problem() == "example: request 0: 17 tokens are longer than the context (16 tokens; raise --ctx)");

    ScoreRequest bad_next;
    bad_next.context = bytes("a");
    bad_next.next_ids = {-1};
    e = test::error_of([&] { (void)backend.score(std::span(&bad_next, 1), ScoreOptions{}, stats); });
    CHECK(e.problem() == "example: request 0: next token id -1 is outside the vocabulary (0..256)");

    // The model stays usable after a failure.
    CHECK(backend.tokenize("ok", false) == bytes("ok"));
}

TEST_CASE("a missing model file is a clean error from open naming plugin and model") {
    const fs::path missing = test::scratch_dir("plugins-no-model") / "missing.model";
    const Plugin plugin = load_plugin("example", PluginSearchPath{{example_plugin.parent_path()}});
    const Error e = test::error_of([&] { PluginBackend backend(plugin, missing); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK(fs::equivalent(e.where().file, example_plugin));
    CHECK(e.problem() == "example: model file not found: " + missing.string());

    OpenOptions lora;
    lora.lora_path = "adapter.gguf";
    const Error no_lora = test::error_of([&] { PluginBackend backend(plugin, toy_model_file("plugins-lora"), lora); });
    CHECK_THAT(no_lora.problem(), StartsWith("example: the example plugin does not support LoRA adapters"));
}

TEST_CASE("requests breaking the shared-prefix promise or with empty continuations never reach the plugin") {
    PluginBackend backend = open_example("plugins-promise");
    ScoreStats stats;
    auto requests = sample_requests();
    requests[1].context[3] = 'X';  // inside request 1's promised prefix of 5
    Error e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK(e.kind() == ErrorKind::internal);
    CHECK_THAT(e.what(), Contains("score request 1: its first 5 context tokens are not shared with request 0"));

    requests = sample_requests();
    requests[1].shared_prefix = 4;
    e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK(e.kind() == ErrorKind::internal);
    CHECK_THAT(e.what(), Contains("score request 1: shared_prefix 4 differs from request 0's 5"));

    requests = sample_requests();
    for (auto& r : requests) r.shared_prefix = 9;  // all of request 2's context
    e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK_THAT(e.what(), Contains("score request 2: shared_prefix 9 leaves none of its 9 context tokens its own"));

    requests = sample_requests();
    requests[2].continuations[1].clear();
    e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK(e.kind() == ErrorKind::internal);
    CHECK_THAT(e.what(), Contains("score request 2: continuation 1 is empty"));
    CHECK(stats.tokens_evaluated == 0);
}

TEST_CASE("exceptions thrown inside a plugin stay inside and come back as its last error") {
    const Plugin plugin = load_plugin("throwing", PluginSearchPath{{fixture_dir}});
    const fs::path dir = test::scratch_dir("plugins-throwing");

    Error e = test::error_of([&] { PluginBackend backend(plugin, dir / "model.throw"); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK(e.where().file == fixture_dir / "libclika_throwing.so");
    CHECK(e.problem() == "throwing: open exploded on " + (dir / "model.throw").string());

    PluginBackend backend(plugin, dir / "model.fine");
    e = test::error_of([&] { (void)backend.tokenize("x", true); });
    CHECK(e.problem() == "throwing: tokenizer exploded");
    e = test::error_of([&] { (void)backend.piece(0); });
    CHECK(e.problem() == "throwing: out of memory");
    ScoreRequest r;
    r.context = {0};
    r.next_ids = {0};
    ScoreStats stats;
    e = test::error_of([&] { (void)backend.score(std::span(&r, 1), ScoreOptions{}, stats); });
    CHECK(e.problem() == "throwing: unknown exception (not derived from std::exception)");
}

// ---- what a plugin's scores may be (clika/logprob.hpp) ------------------------------------------------------------

// Scores two requests of four letters each (next ids) through the bad_scores fixture, whose model path names the value
// it puts at letter B of the last request; `continuations`: as continuations instead of next ids.
std::vector<OptionScores> score_with_value(const std::string& spec, bool continuations = false) {
    PluginBackend backend(load_plugin("bad_scores", PluginSearchPath{{fixture_dir}}), spec);
    std::vector<ScoreRequest> requests(2);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        requests[i].context = bytes(i == 0 ? "Q1 Answer:" : "Q2 Answer:");
        requests[i].label = fmt::format("x_geo de question \"q{}\"", i + 1);
        for (char letter : std::string_view("ABCD")) {
            if (continuations) requests[i].continuations.push_back(bytes(std::string(1, letter)));
            else requests[i].next_ids.push_back(letter);
        }
    }
    ScoreStats stats;
    return backend.score(requests, ScoreOptions{}, stats);
}

TEST_CASE("a NaN or +inf or positive log-probability from a plugin is a backend error naming the question and the plugin") {
    const std::pair<const char*, const char*> cases[] = {
        {"nan", "log-probability 2 of 4 is NaN"},
        {"inf", "log-probability 2 of 4 is +inf"},
        {"0.5", "log-probability 2 of 4 is 0.5 (above 0 beyond rounding"},
    };
    for (const auto& [spec_of_case, problem] : cases) {
        const char* const spec = spec_of_case;  // clang 14 lets no lambda capture a structured binding
        for (bool continuations : {false, true}) {
            INFO(spec << (continuations ? " as a continuation" : " as a next token"));
            const Error e = test::error_of([&] { (void)score_with_value(spec, continuations); });
            CHECK(e.kind() == ErrorKind::backend);
            CHECK(e.where().file == fixture_dir / "libclika_bad_scores.so");
            CHECK_THAT(e.problem(), StartsWith(std::string("bad_scores: x_geo de question \"q2\": ") + problem));
            CHECK_THAT(e.problem(), Contains("nothing of its chunk is written"));
        }
    }
}

TEST_CASE("rounding just above 0 and an exact -inf are log-probabilities; -inf as a top-K bound is not") {
    CHECK(score_with_value("1e-5")[1].next_logprob[1] == 1e-5);
    CHECK(score_with_value("-inf")[1].next_logprob[1] == -std::numeric_limits<double>::infinity());
    CHECK(score_with_value("-inf", true)[1].logprob[1] == -std::numeric_limits<double>::infinity());
    const std::vector<OptionScores> bound = score_with_value("-30,bounded");
    CHECK(bound[1].next_logprob[1] == -30.0);
    CHECK(bound[1].next_bounded == std::vector<bool>{false, true, false, false});
    const Error e = test::error_of([&] { (void)score_with_value("-inf,bounded"); });
    CHECK(e.kind() == ErrorKind::backend);
    CHECK_THAT(e.problem(), StartsWith("bad_scores: x_geo de question \"q2\": log-probability 2 of 4 is -inf as an upper bound"));
}

TEST_CASE("a question whose every option has log-probability -inf is a backend error") {
    for (bool continuations : {false, true}) {
        const Error e = test::error_of([&] { (void)score_with_value("all-minus-inf", continuations); });
        CHECK(e.kind() == ErrorKind::backend);
        CHECK_THAT(e.problem(), StartsWith("bad_scores: x_geo de question \"q2\": all 4 log-probabilities are -inf"));
    }
}

TEST_CASE("a score request without a label is named by its position in the call") {
    PluginBackend backend(load_plugin("bad_scores", PluginSearchPath{{fixture_dir}}), "nan");
    std::vector<ScoreRequest> requests(3);
    for (ScoreRequest& r : requests) {
        r.context = bytes("x");
        r.next_ids = {'A', 'B'};
    }
    ScoreStats stats;
    const Error e = test::error_of([&] { (void)backend.score(requests, ScoreOptions{}, stats); });
    CHECK_THAT(e.problem(), StartsWith("bad_scores: score request 3 of 3: log-probability 2 of 2 is NaN"));
}

// ---- lifetime -------------------------------------------------------------------------------------------------------

TEST_CASE("the plugin library stays loaded while a backend made from it is alive and no longer") {
    // A private copy, so that nothing else in this process holds the library.
    const fs::path dir = folder_with_example("plugins-lifetime", "libclika_lifetime.so");
    const fs::path file = dir / "libclika_lifetime.so";
    const auto is_loaded = [&] {
        void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
        if (handle != nullptr) ::dlclose(handle);
        return handle != nullptr;
    };
    REQUIRE_FALSE(is_loaded());
    {
        std::optional<PluginBackend> backend;
        backend.emplace(load_plugin(file.string(), {}), toy_model_file("plugins-lifetime-model"));  // the Plugin was a temporary
        CHECK(is_loaded());
        PluginBackend moved = std::move(*backend);
        backend.reset();
        CHECK(is_loaded());
        CHECK(moved.tokenize("ab", true) == Tokens{256, 'a', 'b'});
    }
    CHECK_FALSE(is_loaded());
}

// ---- plugin_support.hpp, for plugin authors -------------------------------------------------------------------------

TEST_CASE("guarded turns exceptions into failure values and keeps the message per model or per thread") {
    using namespace clika::plugin;
    ModelBase model;
    set_error(nullptr, "");

    CHECK(guarded(&model, [] { return std::int32_t{0}; }) == 0);
    CHECK(guarded(&model, []() -> std::int64_t { throw std::runtime_error("boom"); }) == -1);
    CHECK(std::string(last_error(&model)) == "boom");
    CHECK(std::string(last_error(nullptr)) != "boom");  // the thread slot is untouched

    int value = 7;
    CHECK(guarded(nullptr, [&]() -> int* { throw 3; }) == nullptr);
    CHECK(std::string(last_error(nullptr)) == "unknown exception (not derived from std::exception)");
    CHECK(guarded(nullptr, [&] { return &value; }) == &value);
    CHECK(guarded(&model, 5, []() -> int { throw std::logic_error("custom"); }) == 5);
    CHECK(std::string(last_error(&model)) == "custom");

    bool ran = false;
    guarded(&model, [&] {
        ran = true;
        throw std::runtime_error("from void");
    });
    CHECK(ran);
    CHECK(std::string(last_error(&model)) == "from void");

    char buffer[4] = {'-', '-', '-', '-'};
    CHECK(copy_out("abcdef", buffer, 3) == 6);
    CHECK(std::string(buffer, 4) == "abc-");
}

// ---- greedy generation ----------------------------------------------------------------------------------------------

namespace {

// The same plugin seen without its incremental interface: greedy_generate falls back to re-scoring.
struct RescoringOnly {
    PluginBackend& backend;
    Tokens tokenize(std::string_view text, bool add_special) { return backend.tokenize(text, add_special); }
    std::string piece(Token t) { return backend.piece(t); }
    std::vector<OptionScores> score(std::span<const ScoreRequest> r, const ScoreOptions& o, ScoreStats& s) { return backend.score(r, o, s); }
    ModelInfo info() const { return backend.info(); }
};

}  // namespace

TEST_CASE("greedy generation asks the plugin for each new token once and generates what re-scoring generates") {
    PluginBackend backend = open_example("plugins-generate");
    REQUIRE(backend.info().supports_generation);
    std::vector<Tokens> prompts{backend.tokenize("Answer: 2+2=", true), backend.tokenize("Answer: the capital", true),
                                backend.tokenize("Answer:", true)};
    const GenerationSettings settings{.max_new_tokens = 12, .stop_at_newline = false};
    for (const bool share : {true, false}) {
        INFO("share_prefix " << share);
        ScoreStats incremental_stats, rescoring_stats;
        const auto incremental = greedy_generate(backend, std::span<const Tokens>(prompts), settings, {.share_prefix = share}, incremental_stats);
        RescoringOnly plain{backend};
        static_assert(!IncrementalGenerator<RescoringOnly>);
        const auto rescored = greedy_generate(plain, std::span<const Tokens>(prompts), settings, {.share_prefix = share}, rescoring_stats);
        std::uint64_t linear = 0;
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            CHECK(incremental[i].tokens == rescored[i].tokens);
            CHECK(incremental[i].text == rescored[i].text);
            REQUIRE(incremental[i].tokens.size() == 12);
            // The prompt once, then each new token but the last (nothing follows it) once.
            linear += prompts[i].size() + incremental[i].tokens.size() - 1;
        }
        CHECK(incremental_stats.tokens_evaluated == linear);
        CHECK(rescoring_stats.tokens_evaluated > 2 * linear);  // re-scoring is quadratic in the answer length
    }
}
