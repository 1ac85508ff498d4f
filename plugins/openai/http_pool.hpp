#pragma once
// Many JSON requests in flight over one or more servers, through libcurl's multi interface (one thread, no sockets of
// our own). Each request goes to the server with the fewest requests in flight; a connection error, a timeout, 429 or
// a 5xx is retried with exponential backoff and jitter, on any server, up to `retries` times; anything else, or a
// request budget spent, fails the whole batch with a message that names the server and what to do. The API key is
// sent as a bearer token and never appears in a message.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

namespace clika::openai {

struct HttpSettings {
    int concurrency = 8;
    int retries = 5;
    std::uint64_t max_requests = 0;  // 0: no budget
    double timeout_seconds = 600;
    std::string api_key;              // empty: no Authorization header
    std::string api_key_env = "CLIKA_API_KEY";  // named in messages about the key
};

struct HttpRequest {
    std::string path;  // "/completion"
    std::string body;  // JSON; empty: GET
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
        for (std::string& url : servers) {
            while (!url.empty() && url.back() == '/') url.pop_back();
            servers_.push_back({std::move(url), 0, 0});
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
    [[nodiscard]] const std::string& server_url(std::size_t i) const { return servers_[i].url; }

    // One request to one server (server discovery at open): the status and body; `quiet` requests are not retried and
    // a connection error returns status 0.
    struct Answer {
        long status = 0;
        std::string body;
    };
    [[nodiscard]] Answer probe(std::size_t server, const HttpRequest& request, HttpCounters& counters) {
        Transfer t;
        t.request = &request;
        t.server = server;
        CURL* easy = start(t);
        counters.sent++;
        CURLcode code = curl_easy_perform(easy);
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(easy);
        if (code != CURLE_OK) return {0, curl_easy_strerror(code)};
        return {status, std::move(t.body)};
    }

    // Sends every request (to the least loaded servers) and returns their parsed bodies in request order. `budgeted`:
    // the requests count against max_requests (completions do; tokenization does not).
    [[nodiscard]] std::vector<nlohmann::json> send_all(std::span<const HttpRequest> requests, HttpCounters& counters, bool budgeted) {
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
                start(t);
                curl_multi_add_handle(multi_.get(), t.easy);
                servers_[t.server].in_flight++;
                servers_[t.server].sent++;
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
                servers_[t.server].in_flight--;
                in_flight--;
                std::string why;
                if (code != CURLE_OK) why = curl_easy_strerror(code);
                else if (status == 200) {
                    try {
                        out[index] = nlohmann::json::parse(t.body);
                        ++done;
                        continue;
                    } catch (const nlohmann::json::exception&) {
                        why = "answered 200 with a body that is not JSON (" + excerpt(t.body) + ")";
                    }
                } else if (status == 401 || status == 403) {
                    throw HttpFailure(key_message(servers_[t.server].url, status, t.body));
                } else if (status == 429 || status >= 500) {
                    why = "HTTP " + std::to_string(status) + " " + excerpt(t.body);
                } else {
                    throw HttpFailure(servers_[t.server].url + t.request->path + " answered HTTP " + std::to_string(status) + ": " + excerpt(t.body));
                }
                // Retry, after a backoff: 0.5 s doubling to at most 30 s, times a jitter in [0.5, 1.5).
                if (t.attempt >= settings_.retries)
                    throw HttpFailure(servers_[t.server].url + t.request->path + ": " + why + ", still after " + std::to_string(settings_.retries) +
                                      " retries (--retries); the run keeps what it finished and resumes when run again");
                const double delay = std::min(30.0, 0.5 * std::pow(2.0, t.attempt)) * std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
                t.attempt++;
                counters.retries++;
                std::fprintf(stderr, "clika openai: %s%s: %s; retry %d of %d in %.1f s\n", servers_[t.server].url.c_str(), t.request->path.c_str(),
                             why.c_str(), t.attempt, settings_.retries, delay);
                t.body.clear();
                t.not_before = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
                waiting.push_back(index);
            }
            if (done == requests.size()) break;
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

    [[nodiscard]] std::string key_message(const std::string& url, long status, const std::string& body) const {
        const std::string head = url + " answered HTTP " + std::to_string(status) + " (" + excerpt(body) + "): ";
        if (settings_.api_key.empty())
            return head + "the server wants an API key; put it in the environment variable " + settings_.api_key_env +
                   " (or name another with --api-key-env)";
        return head + "it refused the API key in $" + settings_.api_key_env;
    }

private:
    using Clock = std::chrono::steady_clock;

    struct Server {
        std::string url;
        std::size_t in_flight = 0;
        std::uint64_t sent = 0;
    };

    struct Transfer {
        const HttpRequest* request = nullptr;
        CURL* easy = nullptr;
        std::size_t server = 0;
        int attempt = 0;
        std::string body;
        std::string url;
        Clock::time_point not_before{};
    };

    struct MultiCloser {
        void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
    };

    static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
        static_cast<std::string*>(user)->append(data, size * count);
        return size * count;
    }

    [[nodiscard]] static std::string excerpt(const std::string& body) {
        std::string text = body.substr(0, 300);
        for (char& c : text)
            if (c == '\n' || c == '\r') c = ' ';
        return text.empty() ? "no body" : text;
    }

    [[nodiscard]] std::size_t least_loaded() const {
        std::size_t best = 0;
        for (std::size_t i = 1; i < servers_.size(); ++i)
            if (servers_[i].in_flight < servers_[best].in_flight ||
                (servers_[i].in_flight == servers_[best].in_flight && servers_[i].sent < servers_[best].sent))
                best = i;
        return best;
    }

    CURL* start(Transfer& t) {
        t.easy = curl_easy_init();
        if (t.easy == nullptr) throw HttpFailure("libcurl could not create a request");
        t.url = servers_[t.server].url + t.request->path;
        curl_easy_setopt(t.easy, CURLOPT_URL, t.url.c_str());
        curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, headers_);
        curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &HttpPool::on_data);
        curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t.body);
        curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_seconds * 1000.0));
        curl_easy_setopt(t.easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        if (!t.request->body.empty()) {
            curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, t.request->body.c_str());
            curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request->body.size()));
        }
        return t.easy;
    }

    HttpSettings settings_;
    std::vector<Server> servers_;
    std::unique_ptr<CURLM, MultiCloser> multi_;
    curl_slist* headers_ = nullptr;
    std::mt19937_64 rng_{std::random_device{}()};
    std::uint64_t budget_used_ = 0;
};

}  // namespace clika::openai
