#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "clika/compare.hpp"
#include "clika/metrics/paired.hpp"
#include "clika/predictions.hpp"
#include "clika/report/compare.hpp"
#include "test_support.hpp"

using namespace clika;
using Catch::Matchers::Contains;

namespace {

// n questions q0..q(n-1) of one task and language; the first `right` are answered correctly.
LangResults synthetic(const std::string& source, std::size_t n, std::size_t right) {
    LangResults r;
    r.source = source;
    for (std::size_t i = 0; i < n; ++i) {
        r.uuids.push_back(fmt::format("q{}", i));
        r.correct.push_back(i < right ? 1 : 0);
    }
    return r;
}

// Basic level in en and zh: every cell `right` of 400 correct.
ResultSet basic_model(const std::string& name, std::size_t right) {
    ResultSet out;
    out.model = name;
    for (Task task : {Task::x_copa, Task::x_csqa})
        for (Lang lang : {Lang::en, Lang::zh}) out.put(task, lang, synthetic(fmt::format("{}/{}_{}", name, clika::name(task), code(lang)), 400, right));
    return out;
}

CompareSettings quick(std::size_t resamples = 300) {
    CompareSettings s;
    s.scoring.bootstrap_resamples = resamples;
    s.scoring.threads = 2;
    return s;
}

}  // namespace

TEST_CASE("McNemar's exact p-value is twice the smaller binomial tail of the discordant pairs") {
    CHECK(mcnemar_exact_p(0, 5) == Approx(0.0625).epsilon(1e-12));       // 2 * 0.5^5
    CHECK(mcnemar_exact_p(5, 0) == Approx(0.0625).epsilon(1e-12));
    CHECK(mcnemar_exact_p(1, 9) == Approx(0.021484375).epsilon(1e-12));  // 2 * (1 + 10) / 1024
    CHECK(mcnemar_exact_p(3, 3) == 1.0);                                  // capped at 1
    CHECK(mcnemar_exact_p(0, 0) == 1.0);                                  // nothing discordant: no evidence
    // Python: from math import comb; 2 * sum(comb(1040, k) for k in range(481)) / 2**1040 = 0.014259079095386026
    CHECK(mcnemar_exact_p(480, 560) == Approx(0.014259079095386026).epsilon(1e-9));
}

TEST_CASE("Holm and Benjamini-Hochberg adjust a hand-worked vector, leaving non-tests out of the count") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Holm: sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> running max 0.06.
    const std::vector<double> p{0.01, 0.04, nan, 0.03, 0.005};
    const std::vector<double> holm = adjust_p_values(p, Correction::holm);
    CHECK(holm[0] == Approx(0.03));
    CHECK(holm[1] == Approx(0.06));
    CHECK(std::isnan(holm[2]));
    CHECK(holm[3] == Approx(0.06));
    CHECK(holm[4] == Approx(0.02));
    // BH: 0.02*3/1 = 0.06, 0.021*3/2 = 0.0315, 0.9*3/3 = 0.9 -> running min from the top: 0.0315, 0.0315, 0.9.
    const std::vector<double> bh = adjust_p_values(std::vector<double>{0.9, 0.02, 0.021}, Correction::bh);
    CHECK(bh[0] == Approx(0.9));
    CHECK(bh[1] == Approx(0.0315));
    CHECK(bh[2] == Approx(0.0315));
    CHECK(adjust_p_values(std::vector<double>{0.5, 0.9}, Correction::holm)[0] == 1.0);  // 0.5*2 capped at 1
    CHECK(adjust_p_values(p, Correction::none)[4] == 0.005);
}

TEST_CASE("the minimum detectable difference follows (z_{1-a/2} + z_power) sqrt(psi / n)") {
    // z_0.975 = 1.959964, z_0.8 = 0.841621; psi = 100/400.
    CHECK(min_detectable_difference(100, 400) == Approx((1.959964 + 0.841621) * std::sqrt(0.25 / 400)).epsilon(1e-5));
    CHECK(std::isnan(min_detectable_difference(0, 400)));
}

TEST_CASE("a source compared with itself differs by 0 everywhere with every p = 1") {
    const ResultSet llama = load_published(test::data_dir(), "llama_13b");
    const Comparison c = compare(llama, llama, quick(200));
    REQUIRE(c.cells.size() == 40);
    for (const CellComparison& cell : c.cells) {
        CHECK(cell.difference == 0.0);
        CHECK(cell.a_only + cell.b_only == 0);
        CHECK(cell.p == 1.0);
        CHECK(cell.p_adjusted == 1.0);
        CHECK(cell.interval.low == 0.0);
        CHECK(cell.interval.high == 0.0);
    }
    REQUIRE_FALSE(c.levels.empty());
    for (const LevelComparison& row : c.levels) {
        CHECK(row.difference == 0.0);
        CHECK(row.p == 1.0);
    }
}

TEST_CASE("a synthetic pair 50% apart has a tiny p and intervals that exclude 0") {
    const Comparison c = compare(basic_model("weak", 100), basic_model("strong", 300), quick());
    REQUIRE(c.cells.size() == 4);
    for (const CellComparison& cell : c.cells) {
        CHECK(cell.difference == Approx(0.5));
        CHECK(cell.a_only == 0);
        CHECK(cell.b_only == 200);
        CHECK(cell.p < 1e-50);
        CHECK(cell.p_adjusted < 1e-50);
        CHECK(cell.interval.low > 0.4);
    }
    bool saw_basic_ra_en = false;
    for (const LevelComparison& row : c.levels)
        if (row.level == Level::basic && row.measure == LevelMeasure::ra && row.column == index(Lang::en)) {
            saw_basic_ra_en = true;
            CHECK(row.difference > 0);
            CHECK(row.interval.low > 0);
            CHECK(row.p == 0.0);  // no resample on the other side of 0
        }
    CHECK(saw_basic_ra_en);
}

TEST_CASE("the paired bootstrap resamples each side exactly as clika score does") {
    const ResultSet llama = load_published(test::data_dir(), "llama_13b");
    const ResultSet vicuna = load_published(test::data_dir(), "vicuna_13b_v1.5");
    CompareSettings settings = quick(200);
    const Comparison c = compare(llama, vicuna, settings);
    const Comparison reversed = compare(vicuna, llama, settings);
    const Scorecard a = score(llama, settings.scoring), b = score(vicuna, settings.scoring);
    for (std::size_t i = 0; i < c.cells.size(); ++i) {
        const CellComparison& cell = c.cells[i];
        CHECK(cell.accuracy_a == a.point.accuracy(cell.task, cell.lang));
        CHECK(cell.accuracy_b == b.point.accuracy(cell.task, cell.lang));
        CHECK(reversed.cells[i].p == cell.p);  // McNemar is symmetric
        CHECK(reversed.cells[i].interval.low == Approx(-cell.interval.high));
    }
}

TEST_CASE("sources over different question sets are refused, naming the first unmatched uuid") {
    ResultSet a = basic_model("a", 200);
    ResultSet b = basic_model("b", 200);
    LangResults changed = *b.get(Task::x_csqa, Lang::zh);
    changed.uuids[7] = "not-in-a";
    b.put(Task::x_csqa, Lang::zh, changed);
    try {
        (void)compare(a, b, quick(0));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        CHECK_THAT(std::string(e.what()), Contains("q7") && Contains("a/x_csqa_zh"));
    }
}

TEST_CASE("a cell in one source only is left out with a warning") {
    ResultSet a = basic_model("a", 200);
    ResultSet b = basic_model("b", 250);
    b.drop(Task::x_copa, Lang::zh);
    const Comparison c = compare(a, b, quick(0));
    CHECK(c.cells.size() == 3);
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Contains("x_copa zh is only in A"));
}

TEST_CASE("the compare table and Markdown print accuracy, differences, intervals and MDD in percent; CSV and JSON fractions") {
    const Comparison c = compare(basic_model("weak", 100), basic_model("strong", 300), quick());
    const CellComparison& cell = c.cells.front();
    REQUIRE(cell.accuracy_a == 0.25);
    const std::string mdd = fmt::format("{:.2f}", cell.min_detectable * 100.0);
    const std::string row = fmt::format("{:>7} {:>7} {:>8} {:>20}", "25.00", "75.00", "+50.00",
                                        fmt::format("[{:+.2f}, {:+.2f}]", cell.interval.low * 100.0, cell.interval.high * 100.0));
    const std::string table = report::to_table(c);
    CHECK_THAT(table, Contains(row));
    CHECK_THAT(table, Contains(" " + mdd + "\n"));
    CHECK_THAT(table, Contains("accuracy, RA, their differences, intervals and MDD in percent; en-CO as a fraction"));
    CHECK_THAT(report::to_markdown(c), Contains("| 25.00 | 75.00 | +50.00 |"));
    CHECK_THAT(report::to_csv(c), Contains(",0.25,0.75,0.5,"));
    CHECK(report::to_json(c)["cells"][0]["accuracy_a"] == 0.25);
}
