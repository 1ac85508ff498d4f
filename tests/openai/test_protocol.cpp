// The openai plugin's reading of server answers, on responses in the formats llama-server's source and vLLM's
// documentation give. No vLLM server runs in these tests: its request and response handling is checked here only.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "answer_json.hpp"
#include "protocol.hpp"
#include "server_settings.hpp"

using namespace clika::openai;

namespace {

auto ignore_pieces = [](Token, const std::string&) {};

// llama-server /completion with n_predict 1, n_probs 3 (server-task.cpp: probs_vector_to_json, post_sampling_probs off).
const Json llama_answer = Json::parse(R"({
  "content": " B", "tokens": [29933], "stop": true, "stop_type": "limit", "id_slot": 0,
  "completion_probabilities": [{
    "id": 29933, "token": " B", "bytes": [32, 66], "logprob": -0.51,
    "top_logprobs": [
      {"id": 29933, "token": " B", "bytes": [32, 66], "logprob": -0.51},
      {"id": 29909, "token": " A", "bytes": [32, 65], "logprob": -1.25},
      {"id": 13, "token": "\n", "bytes": [10], "logprob": -2.75}
    ]
  }]
})");

// vLLM /v1/completions, max_tokens 1, logprobs 3, return_tokens_as_token_ids (OpenAI completions logprobs format).
const Json vllm_answer = Json::parse(R"({
  "id": "cmpl-1", "object": "text_completion", "model": "m",
  "choices": [{"index": 0, "text": " B", "finish_reason": "length",
    "logprobs": {"text_offset": [0], "tokens": ["token_id:29933"], "token_logprobs": [-0.51],
                 "top_logprobs": [{"token_id:29909": -1.25, "token_id:29933": -0.51, "token_id:13": -2.75}]}}]
})");

// vLLM with echo: the 4 prompt tokens (the first has no log-probability) and one generated token.
const Json vllm_echo = Json::parse(R"({
  "choices": [{"index": 0, "text": "x", "finish_reason": "length",
    "logprobs": {"tokens": ["token_id:1", "token_id:450", "token_id:4799", "token_id:310", "token_id:7"],
                 "token_logprobs": [null, -3.5, -0.25, -1.5, -0.1],
                 "top_logprobs": [null, {"token_id:450": -3.5, "token_id:9": -0.5}, {"token_id:4799": -0.25},
                                  {"token_id:310": -1.5, "token_id:311": -0.75}, {"token_id:7": -0.1}]}}]
})");

}  // namespace

TEST_CASE("llama-server next-token answers give exact values inside the top K and the K-th value as a bound outside") {
    std::vector<std::pair<Token, std::string>> pieces;
    const NextToken next = llama_next_token(llama_answer, 0, [&](Token id, const std::string& b) { pieces.emplace_back(id, b); });
    CHECK(next.chosen == 29933);
    REQUIRE(next.top.size() == 3);
    const Bounded a = logprob_of(next, 29909);
    CHECK(a.logprob == -1.25);
    CHECK_FALSE(a.bounded);
    const Bounded d = logprob_of(next, 29935);  // " D": not in the top 3
    CHECK(d.logprob == -2.75);
    CHECK(d.bounded);
    // Token bytes come with the answer: pieces of byte tokens stay exact.
    CHECK(pieces.front() == std::pair<Token, std::string>{29933, " B"});
}

TEST_CASE("vLLM next-token answers read token_id:N names, best first") {
    const NextToken next = vllm_next_token(vllm_answer);
    CHECK(next.chosen == 29933);
    REQUIRE(next.top.size() == 3);
    CHECK(next.top.front() == std::pair<Token, double>{29933, -0.51});
    CHECK(logprob_of(next, 13).logprob == -2.75);
    CHECK(logprob_of(next, 42).bounded);
}

TEST_CASE("vLLM echoed prompts give a continuation's log-likelihood and whether it was greedy") {
    const EchoedContinuation greedy = vllm_echoed(vllm_echo, 3, {4799});  // the prompt ended at 4799
    CHECK(greedy.logprob == -0.25);
    CHECK(greedy.greedy);
    const EchoedContinuation two = vllm_echoed(vllm_echo, 4, {4799, 310});
    CHECK(two.logprob == -1.75);
    CHECK_FALSE(two.greedy);  // 311 was likelier than 310
}

TEST_CASE("an echoed token other than the one planned is an error naming both") {
    try {
        (void)vllm_echoed(vllm_echo, 4, {4799, 999});
        FAIL("accepted a different token");
    } catch (const ProtocolError& e) {
        CHECK_THAT(e.what(), Catch::Contains("echoed token 310") && Catch::Contains("token 999 was sent"));
    }
}

TEST_CASE("an answer without the fields asked for says which") {
    CHECK_THROWS_WITH(vllm_next_token(Json::parse(R"({"choices": [{"logprobs": null}]})")), Catch::Contains("logprobs is null"));
    CHECK_THROWS_WITH(llama_next_token(Json::parse(R"({"content": ""})"), 0, ignore_pieces), Catch::Contains("completion_probabilities"));
    CHECK_THROWS_WITH(vllm_next_token(Json::parse(R"({"choices": [{"logprobs": {"tokens": ["B"], "top_logprobs": [{}]}}]})")),
                      Catch::Contains("token_id:N"));
}

TEST_CASE("a probability of zero reads as minus infinity, not as an error") {
    const Json answer = Json::parse(R"({"completion_probabilities": [{"id": 1, "logprob": null, "top_logprobs": [{"id": 1, "logprob": null}]}]})");
    const NextToken next = llama_next_token(answer, 0, ignore_pieces);
    CHECK(std::isinf(logprob_of(next, 1).logprob));
}

TEST_CASE("generation answers: llama-server tokens include the end token; length-limited answers are not complete") {
    const Completion eos = llama_completion(Json::parse(R"({"tokens": [5, 6, 2], "stop_type": "eos"})"));
    CHECK(eos.tokens == std::vector<Token>{5, 6, 2});
    CHECK(eos.complete);
    CHECK_FALSE(llama_completion(Json::parse(R"({"tokens": [5], "stop_type": "limit"})")).complete);
    const Completion v = vllm_completion(Json::parse(
        R"({"choices": [{"text": "ab", "finish_reason": "stop", "logprobs": {"tokens": ["token_id:5", "token_id:6"], "token_logprobs": [-1, -2], "top_logprobs": [{}, {}]}}]})"));
    CHECK(v.tokens == std::vector<Token>{5, 6});
    CHECK(v.complete);
}

TEST_CASE("llama-server /tokenize pieces: strings, and byte arrays for partial UTF-8") {
    std::vector<std::string> pieces;
    const std::vector<Token> ids = llama_tokens(Json::parse(R"({"tokens": [{"id": 1, "piece": "<s>"}, {"id": 232, "piece": [228]}]})"),
                                                [&](Token, const std::string& b) { pieces.push_back(b); });
    CHECK(ids == std::vector<Token>{1, 232});
    CHECK(pieces == std::vector<std::string>{"<s>", std::string(1, '\xe4')});
}

TEST_CASE("servers are told apart by /props and /v1/models") {
    CHECK(server_kind(Json::parse(R"({"total_slots": 4, "default_generation_settings": {}})"), Json()) == ServerKind::llama_server);
    CHECK(server_kind(Json(), Json::parse(R"({"object": "list", "data": [{"id": "m", "owned_by": "vllm", "max_model_len": 4096}]})")) ==
          ServerKind::vllm);
    CHECK_FALSE(server_kind(Json(), Json::parse(R"({"data": [{"id": "gpt", "owned_by": "openai"}]})")).has_value());
}

TEST_CASE("request bodies ask for what the plugin reads") {
    const Json l = llama_completion_body({1, 2, 3}, 1, 20, true);
    CHECK(l["prompt"] == Json::array({1, 2, 3}));
    CHECK(l["n_probs"] == 20);
    CHECK(l["temperature"] == 0.0);
    CHECK(l["post_sampling_probs"] == false);
    const Json v = vllm_completion_body("m", {1, 2}, 1, 5, true);
    CHECK(v["echo"] == true);
    CHECK(v["logprobs"] == 5);
    CHECK(v["return_tokens_as_token_ids"] == true);
}

TEST_CASE("a token id that is no whole number in 0..2^31-1 is an error naming the endpoint and field and never a wrapped id") {
    for (const char* id : {"1e12", "-1", "2147483648", "6.5", "\"6\"", "null"}) {
        const Json answer = Json::parse(std::string(R"({"completion_probabilities": [{"id": )") + id + R"(, "logprob": -1, "top_logprobs": []}]})");
        CAPTURE(id);
        CHECK_THROWS_WITH(llama_next_token(answer, 0, ignore_pieces),
                          Catch::Contains("llama-server /completion completion_probabilities.id: a token id must be a whole number"));
    }
    CHECK_THROWS_WITH(llama_completion(Json::parse(R"({"tokens": [5, 1e12]})")), Catch::Contains("llama-server /completion tokens"));
    CHECK_THROWS_WITH(vllm_tokens(Json::parse(R"({"tokens": [5, -3]})")), Catch::Contains("vLLM /tokenize tokens"));
    CHECK_THROWS_WITH(vllm_next_token(Json::parse(R"({"choices": [{"logprobs": {"tokens": ["token_id:99999999999"], "top_logprobs": [{}]}}]})")),
                      Catch::Contains("has no valid id"));
    CHECK_THROWS_WITH(vllm_next_token(Json::parse(R"({"choices": [{"logprobs": {"tokens": ["token_id:-5"], "top_logprobs": [{}]}}]})")),
                      Catch::Contains("has no valid id"));
}

TEST_CASE("a token listed twice in a top list is an error") {
    const Json llama = Json::parse(R"({"completion_probabilities": [{"id": 7, "logprob": -1,
        "top_logprobs": [{"id": 7, "logprob": -1}, {"id": 9, "logprob": -2}, {"id": 7, "logprob": -3}]}]})");
    CHECK_THROWS_WITH(llama_next_token(llama, 0, ignore_pieces), Catch::Contains("top_logprobs: token 7 is listed twice"));
    // vLLM names tokens by keys: the same id spelt twice ("token_id:7", "token_id:07") is the same token.
    const Json vllm = Json::parse(R"({"choices": [{"logprobs": {"tokens": ["token_id:7"], "top_logprobs": [{"token_id:7": -1, "token_id:07": -2}]}}]})");
    CHECK_THROWS_WITH(vllm_next_token(vllm), Catch::Contains("token 7 is listed twice"));
}

TEST_CASE("JSON of the wrong type names the endpoint and field and not the library's exception") {
    const auto message = [](auto&& read) -> std::string {
        try {
            read();
        } catch (const std::exception& e) {
            return e.what();
        }
        return "accepted";
    };
    const std::string bytes = message([] { (void)llama_next_token(Json::parse(R"({"completion_probabilities": [{"id": 1, "bytes": "ab", "logprob": -1, "top_logprobs": []}]})"), 0, ignore_pieces); });
    CHECK_THAT(bytes, Catch::Contains("llama-server /completion completion_probabilities.bytes") && !Catch::Contains("json.exception"));
    const std::string top = message([] { (void)llama_next_token(Json::parse(R"({"completion_probabilities": [{"id": 1, "logprob": -1, "top_logprobs": 5}]})"), 0, ignore_pieces); });
    CHECK_THAT(top, Catch::Contains("top_logprobs: expected an array, got 5 (number)"));
    const std::string stop = message([] { (void)llama_completion(Json::parse(R"({"tokens": [], "stop_type": 3})")); });
    CHECK_THAT(stop, Catch::Contains("llama-server /completion.stop_type: expected a string, got 3 (number)"));
    const std::string logprob = message([] { (void)vllm_next_token(Json::parse(R"({"choices": [{"logprobs": {"tokens": ["token_id:1"], "top_logprobs": [{"token_id:1": "x"}]}}]})")); });
    CHECK_THAT(logprob, Catch::Contains("vLLM /v1/completions top_logprobs: a log-probability must be a number, got \"x\" (string)"));
    const std::string piece = message([] { (void)llama_tokens(Json::parse(R"({"tokens": [{"id": 1, "piece": [300]}]})"), ignore_pieces); });
    CHECK_THAT(piece, Catch::Contains("llama-server /tokenize tokens.piece: a byte value must be a whole number in 0..255, got 300"));
    const std::string owned = message([] { (void)server_kind(Json(), Json::parse(R"({"data": [{"id": "m", "owned_by": 7}]})")); });
    CHECK_THAT(owned, Catch::Contains("GET /v1/models data[0].owned_by: expected a string"));
}

namespace {

NextToken top_of(std::vector<std::pair<Token, double>> top) {
    NextToken n;
    n.chosen = top.front().first;
    n.top = std::move(top);
    return n;
}

}  // namespace

TEST_CASE("a server's fingerprint is the set of next tokens above the widest gap and is unmoved by noise in the last digits") {
    const std::vector<Token> probe{1, 84, 107, 104};
    // Ranks 1..8 with the widest gap (1.0) after the sixth.
    const NextToken a = top_of({{50, -0.5}, {40, -0.51}, {30, -0.9}, {20, -1.0}, {10, -1.2}, {60, -1.3}, {70, -2.3}, {80, -2.4}});
    const Fingerprint fa = fingerprint(probe, a);
    CHECK(fa.next == std::vector<Token>{10, 20, 30, 40, 50, 60});
    // The same weights on another machine: values moved by up to 1e-2, and a near tie swapped order.
    const NextToken noisy = top_of({{40, -0.499}, {50, -0.501}, {30, -0.91}, {20, -1.0}, {10, -1.19}, {60, -1.301}, {70, -2.299}, {80, -2.4}});
    const Fingerprint fn = fingerprint(probe, noisy);
    CHECK(fn.to_json() == fa.to_json());
    CHECK(largest_difference(fa, fn) < 0.25);
    // Other weights: another set.
    const NextToken other = top_of({{50, -0.5}, {41, -0.51}, {30, -0.9}, {20, -1.0}, {10, -1.2}, {60, -1.3}, {70, -2.3}, {80, -2.4}});
    CHECK(fingerprint(probe, other).to_json() != fa.to_json());
    // Another tokenizer: the probe's tokens differ.
    CHECK(fingerprint({1, 84, 107, 105}, a).to_json() != fa.to_json());
}

TEST_CASE("an answer that is not JSON gives the parser's reason and position and a key twice in one object is refused") {
    CHECK_THROWS_WITH(parse_answer(R"({"tokens": [1, 2)"), Catch::StartsWith("a body that is not JSON (parse error at line 1, column 17: ") &&
                                                               !Catch::Contains("json.exception"));
    CHECK_THROWS_WITH(parse_answer(R"({"choices": [{"logprobs": {"top_logprobs": [{"token_id:7": -1, "token_id:7": -2}]}}]})"),
                      Catch::Contains("names the key \"token_id:7\" twice in one object"));
    // The same key in different objects is fine.
    CHECK(parse_answer(R"([{"id": 1}, {"id": 2, "x": {"id": 3}}])").size() == 2);
}

TEST_CASE("vLLM's cache settings are read from its /metrics gauge and absent without it") {
    const std::string metrics =
        "# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n# TYPE vllm:cache_config_info gauge\n"
        "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching=\"True\",num_gpu_blocks=\"2048\"} 1.0\n"
        "vllm:num_requests_running{engine=\"0\"} 0.0\n";
    const nlohmann::json settings = clika::openai::vllm_cache_settings(metrics);
    CHECK(settings == nlohmann::json{{"cache_dtype", "auto"}, {"enable_prefix_caching", "True"}});
    CHECK(clika::openai::prefix_caching_on(settings));
    CHECK(clika::openai::vllm_cache_settings("vllm:num_requests_running{engine=\"0\"} 0.0\n").is_null());
    CHECK_FALSE(clika::openai::prefix_caching_on(nlohmann::json{{"enable_prefix_caching", "False"}}));
}

TEST_CASE("vLLM's refusal of more log-probabilities than --max-logprobs is said with the server flag to raise") {
    const auto above = clika::openai::vllm_logprobs_cap_message(
        R"({"object":"error","message":"Requested sample logprobs of 30, which is greater than max allowed: 20","code":400})");
    REQUIRE(above);
    CHECK(*above == "vLLM allows at most 20 log-probabilities per token (its --max-logprobs), fewer than the 30 asked for: "
                    "start vLLM with --max-logprobs 30 or more, or lower --top-logprobs");
    const auto probe = clika::openai::vllm_logprobs_cap_message("Requested sample logprobs of 20, which is greater than max allowed: 5");
    REQUIRE(probe);
    CHECK(probe->find("lower --top-logprobs") == std::string::npos);  // the probe asks for 20 whatever --top-logprobs says
    CHECK_FALSE(clika::openai::vllm_logprobs_cap_message(R"({"message":"prompt too long"})"));
}

TEST_CASE("vLLM's version is read from GET /version, development and release-candidate suffixes included") {
    using V = std::array<int, 3>;
    CHECK(vllm_version(R"({"version": "0.11.0"})") == V{0, 11, 0});
    CHECK(vllm_version(R"({"version": "0.10.1.dev12+gabc1234"})") == V{0, 10, 1});
    CHECK(vllm_version(R"({"version": "0.9.0rc2"})") == V{0, 9, 0});
    CHECK(vllm_version(R"({"version": "1.2"})") == V{1, 2, 0});
    CHECK(*vllm_version(R"({"version": "0.8.5.post1"})") < vllm_checks_prompt_ids_since);
    CHECK(*vllm_version(R"({"version": "0.9.0"})") >= vllm_checks_prompt_ids_since);
    CHECK_FALSE(vllm_version(R"({"version": "dev"})"));
    CHECK_FALSE(vllm_version(R"({"detail": "Not Found"})"));
    CHECK_FALSE(vllm_version("not JSON"));
}

TEST_CASE("vLLM's refusal of a token id beyond its vocabulary is recognised in its flat and its nested error format") {
    CHECK(vllm_refused_token(400, R"({"object": "error", "message": "Token id 300 is out of vocabulary", "type": "BadRequestError", "code": 400})") == "300");
    // vLLM 0.32's answer, as a real server gave it:
    CHECK(vllm_refused_token(400, R"({"error":{"message":"Token id 2000 is out of vocabulary","type":"BadRequestError","param":null,"code":400}})") == "2000");
    CHECK_FALSE(vllm_refused_token(400, R"({"message": "Requested sample logprobs of 50, which is greater than max allowed: 20"})"));
    CHECK_FALSE(vllm_refused_token(500, "Token id 300 is out of vocabulary"));
}

TEST_CASE("the vocabulary size is the smallest id the server refuses, found in about two log2(size) requests") {
    for (const Token size : {1, 2, 259, 32000, 128256, 151936, std::numeric_limits<Token>::max()}) {
        INFO(size);
        int asked = 0;
        const auto accepts = [&](Token id) {
            ++asked;
            REQUIRE(id >= 0);
            return id < size;
        };
        CHECK(vocabulary_size(size > 100 ? size / 2 : 0, accepts) == size);
        CHECK(asked <= 64);
    }
    int asked = 0;
    CHECK_FALSE(vocabulary_size(100, [&](Token) { return ++asked > 0; }));  // it takes every id: it checks nothing
    CHECK(asked < 40);
}
