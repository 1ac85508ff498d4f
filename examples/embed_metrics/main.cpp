// Scores per-question outcomes you already have (from any harness) with the paper's metrics.

#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include <clika/metrics/consistency.hpp>
#include <clika/metrics/rescaled_accuracy.hpp>
#include <clika/metrics/scorecard.hpp>

int main() {
    // One model's answers on four x_geo questions, in English and German: 1 = correct.
    const std::vector<std::uint8_t> english{1, 1, 1, 0};
    const std::vector<std::uint8_t> german{1, 0, 1, 1};

    const clika::TaskSpec& geo = clika::spec(clika::Task::x_geo);
    const double ra_de = clika::rescaled_accuracy(clika::accuracy(german), geo.chance(), geo.paper_reference_percent / 100.0);
    fmt::print("x_geo de: accuracy {:.2f}, RA {:.2f}, en-CO {:.4f}\n", clika::accuracy(german), ra_de * 100.0,
               clika::en_consistency(english, german));

    // The same through a ResultSet, with bootstrap intervals, as `clika score` does.
    clika::ResultSet results;
    results.model = "my-model";
    results.put(clika::Task::x_geo, clika::Lang::en, {"", {"q1", "q2", "q3", "q4"}, english, {}, {}});
    results.put(clika::Task::x_geo, clika::Lang::de, {"", {"q1", "q2", "q3", "q4"}, german, {}, {}});
    const clika::Scorecard card = clika::score(results);
    fmt::print("x_geo de accuracy 95% CI [{:.2f}, {:.2f}]\n", card.low.accuracy(clika::Task::x_geo, clika::Lang::de),
               card.high.accuracy(clika::Task::x_geo, clika::Lang::de));
    return 0;
}
