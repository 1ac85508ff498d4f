// clika/eval/lm_eval_requests.hpp: lm-evaluation-harness's rolling windows, as lm_eval/utils.py computes them.
#include <catch2/catch.hpp>

#include "clika/eval/lm_eval_requests.hpp"

using clika::Tokens;

TEST_CASE("rolling windows predict every token once, as lm-eval's disjoint windows do") {
    // lm-eval 0.4: get_rolling_token_windows([1..10], prefix_token=0, max_seq_len=4, context_len=1) made disjoint.
    const auto windows = clika::rolling_windows({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 4);
    REQUIRE(windows.size() == 3);
    CHECK(windows[0].context == Tokens{0});
    CHECK(windows[0].continuation == Tokens{1, 2, 3, 4});
    CHECK(windows[1].context == Tokens{4});
    CHECK(windows[1].continuation == Tokens{5, 6, 7, 8});
    CHECK(windows[2].context == Tokens{6, 7, 8});  // a short last window keeps max_seq_len + 1 tokens in all
    CHECK(windows[2].continuation == Tokens{9, 10});
}

TEST_CASE("a text shorter than a window is one window after the prefix token, and an empty text none") {
    const auto windows = clika::rolling_windows({5, 6}, 1, 8);
    REQUIRE(windows.size() == 1);
    CHECK(windows[0].context == Tokens{1});
    CHECK(windows[0].continuation == Tokens{5, 6});
    CHECK(clika::rolling_windows({}, 1, 8).empty());
}
