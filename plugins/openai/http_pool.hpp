#pragma once
// Many JSON requests in flight over one or more servers, through libcurl's multi interface (one thread, no sockets of
// our own). Each request goes to the server with the fewest requests in flight; a connection error, a timeout, 429 or
// a 5xx is retried with exponential backoff and jitter, on any server, up to `retries` times; anything else, or a
// request budget spent, fails the whole batch with a message that names the server and what to do. The API key is
// sent as a bearer token and never appears in a message, nor does a password in a server URL.
//
// Bounded waits and bodies: a server owed answers that answers nothing for max_wait seconds (it accepts connections
// but never responds) fails the batch naming the endpoint, with "waiting for" lines before; an answer longer than its
// request's limit (derived from what was asked, or max_body) fails naming the endpoint and the size; TLS failures are
// not retried.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "answer_json.hpp"
#include "server_settings.hpp"
#include "clika/redact.hpp"

namespace clika::openai {

struct HttpSettings {
    int concurrency = 8;
    int retries = 5;
    std::uint64_t max_requests = 0;  // 0: no budget
    double timeout_seconds = 600;     // one attempt of one request
    double discovery_timeout = 10;    // one request at open (GET /props, /v1/models)
    double max_wait = 300;            // a server owed answers that answers nothing this long is given up
    std::uint64_t max_body = 0;       // bytes of one answer; 0: each request's own limit
    std::string api_key;              // empty: no Authorization header
    std::string api_key_env = "CLIKA_API_KEY";  // named in messages about the key
};

// What an answer to a request that sets no limit of its own may hold: discovery (/props carries a chat template) and
// tokenization of a question.
inline constexpr std::size_t default_max_body = std::size_t{4} << 20;

struct HttpRequest {
    std::string path;       // "/completion"
    std::string body;       // JSON; empty: GET
    std::size_t max_body = 0;  // the longest answer this request can get, from what it asks for; 0: default_max_body
};

struct HttpCounters {
    std::uint64_t sent = 0;
    std::uint64_t retries = 0;
};

struct HttpFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HttpPool {
public:
    HttpPool(std::vector<std::string> servers, HttpSettings settings) : settings_(std::move(settings)) {
        static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
        if (!initialised) throw HttpFailure("libcurl could not initialise");
        remember_secret(settings_.api_key);
        for (std::string& url : servers) {
            while (!url.empty() && url.back() == '/') url.pop_back();
            if (const std::string_view password = url_password(url); !password.empty()) {
                remember_secret(std::string(password));
                // libcurl sends "user:password" as Basic credentials: a server that echoes its headers shows them so.
                const std::size_t user = url.find("://") + 3;
                remember_secret(base64(std::string_view(url).substr(user, static_cast<std::size_t>(password.data() - url.data()) + password.size() - user)));
            }
            Server server;
            server.shown = without_password(url);
            server.url = std::move(url);
            servers_.push_back(std::move(server));
        }
        if (servers_.empty()) throw HttpFailure("no server URL");
        multi_.reset(curl_multi_init());
        if (!multi_) throw HttpFailure("libcurl could not create a multi handle");
        headers_ = curl_slist_append(headers_, "Content-Type: application/json");
        headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip before each body
        if (!settings_.api_key.empty()) headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + settings_.api_key).c_str());
    }
    HttpPool(const HttpPool&) = delete;
    HttpPool& operator=(const HttpPool&) = delete;
    ~HttpPool() {
        if (headers_ != nullptr) curl_slist_free_all(headers_);
    }

    [[nodiscard]] std::size_t server_count() const noexcept { return servers_.size(); }
    // The server's URL as it may be shown: without a password.
    [[nodiscard]] const std::string& server_url(std::size_t i) const { return servers_[i].shown; }

    // `text` without any secret this pool knows (the API key, URL passwords and their Basic credentials).
    [[nodiscard]] std::string redact(std::string text) const {
        for (const std::string& secret : secrets_) text = without(std::move(text), secret);
        return text;
    }

    // One request to one server (discovery and the probe at open), within `timeout` seconds: the status and body, or
    // status 0 and why nothing answered (`timed_out` when the server accepted but said nothing). Not retried; a TLS
    // failure or an answer over its limit throws.
    struct Answer {
        long status = 0;
        std::string body;  // status 0: what went wrong
        bool timed_out = false;
    };
    [[nodiscard]] Answer probe(std::size_t server, const HttpRequest& request, HttpCounters& counters, double timeout) {
        Transfer t;
        t.request = &request;
        t.server = server;
        CURL* easy = start(t, timeout);
        counters.sent++;
        const CURLcode code = curl_easy_perform(easy);
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(easy);
        t.easy = nullptr;
        if (t.too_big) throw HttpFailure(too_big_message(t));
        if (is_tls_failure(code)) throw HttpFailure(tls_message(t, code));
        if (code == CURLE_OPERATION_TIMEDOUT)
            return {0, "no answer in " + seconds(timeout), true};
        if (code != CURLE_OK) return {0, curl_easy_strerror(code)};
        return {status, std::move(t.body)};
    }

    // Sends every request (to the least loaded servers) and returns their parsed bodies in request order. `budgeted`:
    // the requests count against max_requests (completions do; tokenization does not).
    [[nodiscard]] std::vector<nlohmann::json> send_all(std::span<const HttpRequest> requests, HttpCounters& counters, bool budgeted) {
        if (budgeted) check_budget(requests.size());
        std::vector<nlohmann::json> out(requests.size());
        std::vector<Transfer> transfers(requests.size());
        std::vector<std::size_t> waiting;  // not in flight, not done
        for (std::size_t i = 0; i < requests.size(); ++i) {
            transfers[i].request = &requests[i];
            waiting.push_back(i);
        }
        std::size_t done = 0, in_flight = 0;
        auto last_status = Clock::now();
        struct Cleanup {  // a failure leaves no transfer behind in the multi handle
            HttpPool& pool;
            std::vector<Transfer>& transfers;
            ~Cleanup() {
                for (Transfer& t : transfers)
                    if (t.easy != nullptr) {
                        curl_multi_remove_handle(pool.multi_.get(), t.easy);
                        curl_easy_cleanup(t.easy);
                        pool.servers_[t.server].in_flight--;
                        t.easy = nullptr;
                    }
                for (Server& s : pool.servers_) s.silent_since.reset();
            }
        } cleanup{*this, transfers};

        while (done < requests.size()) {
            const auto now = Clock::now();
            // Start what may start: within the concurrency, past its backoff.
            for (auto it = waiting.begin(); it != waiting.end() && in_flight < static_cast<std::size_t>(settings_.concurrency);) {
                Transfer& t = transfers[*it];
                if (t.not_before > now) {
                    ++it;
                    continue;
                }
                if (budgeted && settings_.max_requests > 0 && budget_used_ >= settings_.max_requests)
                    throw HttpFailure("the request budget of " + std::to_string(settings_.max_requests) +
                                      " requests (--max-requests) is spent; the run keeps what it finished and resumes when run again");
                t.server = least_loaded();
                start(t, settings_.timeout_seconds);
                curl_multi_add_handle(multi_.get(), t.easy);
                Server& server = servers_[t.server];
                server.in_flight++;
                server.sent++;
                if (!server.silent_since) server.silent_since = now;
                counters.sent++;
                if (budgeted) budget_used_++;
                in_flight++;
                it = waiting.erase(it);
            }
            int running = 0;
            curl_multi_perform(multi_.get(), &running);
            int queued = 0;
            while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
                if (msg->msg != CURLMSG_DONE) continue;
                std::size_t index = 0;
                while (transfers[index].easy != msg->easy_handle) ++index;
                Transfer& t = transfers[index];
                const CURLcode code = msg->data.result;
                long status = 0;
                curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
                curl_multi_remove_handle(multi_.get(), t.easy);
                curl_easy_cleanup(t.easy);
                t.easy = nullptr;
                Server& server = servers_[t.server];
                server.in_flight--;
                in_flight--;
                // Anything but a timeout is an answer of sorts: the server is not silent (a refusal is retried below).
                if (code != CURLE_OPERATION_TIMEDOUT) server.silent_since = server.in_flight > 0 ? std::optional(Clock::now()) : std::nullopt;
                if (t.too_big) throw HttpFailure(too_big_message(t));
                if (is_tls_failure(code)) throw HttpFailure(tls_message(t, code));
                std::string why;
                if (code == CURLE_OPERATION_TIMEDOUT) why = "no answer in " + seconds(settings_.timeout_seconds) + " (--request-timeout)";
                else if (code != CURLE_OK) why = curl_easy_strerror(code);
                else if (status == 200) {
                    try {
                        out[index] = parse_answer(t.body);
                        ++done;
                        continue;
                    } catch (const AnswerNotJson& e) {
                        why = "answered 200 with " + std::string(e.what()) + " (" + std::to_string(t.body.size()) + " bytes: " + excerpt(t.body) + ")";
                    }
                } else if (status == 401 || status == 403) {
                    throw HttpFailure(key_message(server.shown, status, t.body));
                } else if (status == 429 || status >= 500) {
                    why = "HTTP " + std::to_string(status) + " " + excerpt(t.body);
                } else {
                    if (const auto cap = vllm_logprobs_cap_message(t.body)) throw HttpFailure(endpoint(t) + ": " + *cap);
                    throw HttpFailure(endpoint(t) + " answered HTTP " + std::to_string(status) + ": " + excerpt(t.body));
                }
                // Retry, after a backoff: 0.5 s doubling to at most 30 s, times a jitter in [0.5, 1.5).
                if (t.attempt >= settings_.retries)
                    throw HttpFailure(endpoint(t) + ": " + why + ", still after " + std::to_string(settings_.retries) +
                                      " retries (--retries); the run keeps what it finished and resumes when run again");
                const double delay = std::min(30.0, 0.5 * std::pow(2.0, t.attempt)) * std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
                t.attempt++;
                counters.retries++;
                std::fprintf(stderr, "clika openai: %s: %s; retry %d of %d in %.1f s\n", endpoint(t).c_str(), why.c_str(), t.attempt, settings_.retries,
                             delay);
                t.body.clear();
                t.not_before = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
                waiting.push_back(index);
            }
            if (done == requests.size()) break;
            check_silence(transfers);
            // Wait for network activity, or until the next backoff ends (at most 100 ms: new starts are checked often).
            int wait_ms = 100;
            if (in_flight == 0 && !waiting.empty()) {
                auto earliest = transfers[waiting.front()].not_before;
                for (std::size_t i : waiting) earliest = std::min(earliest, transfers[i].not_before);
                wait_ms = static_cast<int>(std::clamp<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(earliest - Clock::now()).count(), 0, 100));
            }
            if (in_flight > 0 || wait_ms > 0) curl_multi_poll(multi_.get(), nullptr, 0, wait_ms, nullptr);
            if (Clock::now() - last_status >= std::chrono::seconds(15)) {
                last_status = Clock::now();
                std::fprintf(stderr, "clika openai: %zu of %zu requests done, %zu in flight, %llu sent, %llu retries\n", done, requests.size(),
                             in_flight, static_cast<unsigned long long>(counters.sent), static_cast<unsigned long long>(counters.retries));
            }
        }
        return out;
    }

    [[nodiscard]] std::string key_message(const std::string& shown_url, long status, const std::string& body) const {
        const std::string head = shown_url + " answered HTTP " + std::to_string(status) + " (" + excerpt(body) + "): ";
        // (The variable's name is shown: the plugin refuses at open a name that is not set, which may be a key typed in its place.)
        if (settings_.api_key.empty())
            return head + "the server wants an API key; put it in the environment variable " + settings_.api_key_env +
                   " (or name another with --api-key-env NAME)";
        return head + "it refused the API key in $" + settings_.api_key_env;
    }

    // The first 300 bytes of an answer, on one line, without secrets.
    [[nodiscard]] std::string excerpt(const std::string& body) const {
        std::string text = redact(body).substr(0, 300);
        for (char& c : text)
            if (c == '\n' || c == '\r') c = ' ';
        return text.empty() ? "no body" : text;
    }

    [[nodiscard]] static std::string seconds(double s) {
        char text[32];
        std::snprintf(text, sizeof text, "%g s", s);
        return text;
    }

private:
    using Clock = std::chrono::steady_clock;

    struct Server {
        std::string url;    // as given (with a password, if any: libcurl sends it)
        std::string shown;  // for messages
        std::size_t in_flight = 0;
        std::uint64_t sent = 0;
        std::optional<Clock::time_point> silent_since;  // owed an answer since then, with none heard
        Clock::time_point last_waiting_line{};
    };

    struct Transfer {
        const HttpRequest* request = nullptr;
        CURL* easy = nullptr;
        std::size_t server = 0;
        int attempt = 0;
        std::string body;
        std::size_t cap = 0;  // the most `body` may hold
        bool too_big = false;
        std::string url;
        char error[CURL_ERROR_SIZE] = {};
        Clock::time_point started{};
        Clock::time_point not_before{};
    };

    struct MultiCloser {
        void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
    };

    void remember_secret(const std::string& secret) {
        if (secret.empty()) return;
        secrets_.push_back(secret);
    }

    [[nodiscard]] static std::string base64(std::string_view bytes) {
        static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string out;
        for (std::size_t i = 0; i < bytes.size(); i += 3) {
            const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
            std::uint32_t v = 0;
            for (std::size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
            for (std::size_t k = 0; k < 4; ++k) out.push_back(k <= n ? digits[(v >> (18 - 6 * k)) & 63] : '=');
        }
        return out;
    }

    static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
        Transfer& t = *static_cast<Transfer*>(user);
        const std::size_t n = size * count;
        if (t.body.size() + n > t.cap) {
            t.too_big = true;
            return 0;  // ends the transfer (CURLE_WRITE_ERROR)
        }
        t.body.append(data, n);
        return n;
    }

    [[nodiscard]] static bool is_tls_failure(CURLcode code) noexcept {
        switch (code) {
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_PEER_FAILED_VERIFICATION:
            case CURLE_SSL_CERTPROBLEM:
            case CURLE_SSL_CIPHER:
            case CURLE_SSL_CACERT_BADFILE:
            case CURLE_SSL_ENGINE_NOTFOUND:
            case CURLE_SSL_ENGINE_SETFAILED:
            case CURLE_SSL_ENGINE_INITFAILED:
            case CURLE_SSL_CRL_BADFILE:
            case CURLE_SSL_ISSUER_ERROR:
            case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            case CURLE_SSL_INVALIDCERTSTATUS:
            case CURLE_USE_SSL_FAILED:
                return true;
            default:
                return false;
        }
    }

    [[nodiscard]] std::string endpoint(const Transfer& t) const { return servers_[t.server].shown + t.request->path; }

    [[nodiscard]] std::string tls_message(const Transfer& t, CURLcode code) const {
        const std::string detail = t.error[0] != '\0' ? std::string(t.error) : std::string(curl_easy_strerror(code));
        return endpoint(t) + ": TLS failed (" + redact(detail) +
               "); a server that speaks plain HTTP (llama-server and vllm serve without certificates) is reached with http://, not https://";
    }

    [[nodiscard]] std::string too_big_message(const Transfer& t) const {
        return endpoint(t) + " answered more than " + std::to_string(t.cap) +
               " bytes, more than what was asked can take (a body without end?); the limit is derived from each request, "
               "--max-response-bytes sets it";
    }

    // Requests that cannot all be sent within the budget are not begun: they would spend it without finishing a chunk.
    void check_budget(std::size_t wanted) const {
        if (settings_.max_requests == 0 || budget_used_ + wanted <= settings_.max_requests) return;
        if (wanted > settings_.max_requests)
            throw HttpFailure("one chunk of this run needs " + std::to_string(wanted) + " requests, more than the whole budget of " +
                              std::to_string(settings_.max_requests) + " (--max-requests), so no chunk could ever finish: raise --max-requests to at "
                              "least " + std::to_string(wanted) + " or lower --chunk");
        throw HttpFailure("the request budget of " + std::to_string(settings_.max_requests) + " requests (--max-requests) is spent (" +
                          std::to_string(budget_used_) + " used, the next chunk needs " + std::to_string(wanted) +
                          "); the run keeps what it finished and resumes when run again");
    }

    // A server owed answers that has answered nothing for max_wait fails the batch; before that, "waiting for" lines.
    void check_silence(const std::vector<Transfer>& transfers) {
        const auto now = Clock::now();
        const auto interval = std::chrono::duration<double>(std::clamp(settings_.max_wait / 4, 1.0, 15.0));
        for (std::size_t s = 0; s < servers_.size(); ++s) {
            Server& server = servers_[s];
            if (server.in_flight == 0 || !server.silent_since) continue;
            const double silent = std::chrono::duration<double>(now - *server.silent_since).count();
            if (silent < interval.count()) continue;
            const Transfer* oldest = nullptr;
            for (const Transfer& t : transfers)
                if (t.easy != nullptr && t.server == s && (oldest == nullptr || t.started < oldest->started)) oldest = &t;
            const std::string where = oldest != nullptr ? endpoint(*oldest) : server.shown;
            if (silent >= settings_.max_wait)
                throw HttpFailure(where + " never answered: nothing from " + server.shown + " in " + seconds(settings_.max_wait) +
                                  " (--max-wait) although it accepts connections; the run keeps what it finished and resumes when run again");
            if (now - server.last_waiting_line >= interval) {
                server.last_waiting_line = now;
                std::fprintf(stderr, "clika openai: waiting for %s (%.0f s without an answer; gives up at %s, --max-wait)\n", where.c_str(), silent,
                             seconds(settings_.max_wait).c_str());
            }
        }
    }

    [[nodiscard]] std::size_t least_loaded() const {
        std::size_t best = 0;
        for (std::size_t i = 1; i < servers_.size(); ++i)
            if (servers_[i].in_flight < servers_[best].in_flight ||
                (servers_[i].in_flight == servers_[best].in_flight && servers_[i].sent < servers_[best].sent))
                best = i;
        return best;
    }

    CURL* start(Transfer& t, double timeout_seconds) {
        t.easy = curl_easy_init();
        if (t.easy == nullptr) throw HttpFailure("libcurl could not create a request");
        t.url = servers_[t.server].url + t.request->path;
        t.cap = settings_.max_body > 0 ? static_cast<std::size_t>(settings_.max_body) : t.request->max_body > 0 ? t.request->max_body : default_max_body;
        t.too_big = false;
        t.error[0] = '\0';
        t.started = Clock::now();
        const long timeout_ms = static_cast<long>(timeout_seconds * 1000.0);
        curl_easy_setopt(t.easy, CURLOPT_URL, t.url.c_str());
        curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, headers_);
        curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &HttpPool::on_data);
        curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(t.easy, CURLOPT_ERRORBUFFER, t.error);
        curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(t.easy, CURLOPT_CONNECTTIMEOUT_MS, std::min(10000L, timeout_ms));
        if (!t.request->body.empty()) {
            curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, t.request->body.c_str());
            curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request->body.size()));
        }
        return t.easy;
    }

    HttpSettings settings_;
    std::vector<Server> servers_;
    std::vector<std::string> secrets_;
    std::unique_ptr<CURLM, MultiCloser> multi_;
    curl_slist* headers_ = nullptr;
    std::mt19937_64 rng_{std::random_device{}()};
    std::uint64_t budget_used_ = 0;
};

}  // namespace clika::openai
