#pragma once
// One report in the format asked for (table, json, csv, md), for every source: a Scorecard (runs, published
// predictions, lm-eval samples of CLiKA's tasks), a FamilyScorecard (other lm-eval families), the Conductivity cards of
// a fictional run, and a Comparison.

#include <string>
#include <string_view>

#include "clika/report/compare.hpp"
#include "clika/report/conductivity.hpp"
#include "clika/report/csv.hpp"
#include "clika/report/families.hpp"
#include "clika/report/json.hpp"
#include "clika/report/tables.hpp"

namespace clika::report {

template <class Card>
[[nodiscard]] std::string render(const Card& card, std::string_view format) {
    if (format == "json") return to_json(card).dump(2) + "\n";
    if (format == "csv") return to_csv(card);
    if (format == "md") return to_markdown(card);
    return to_table(card);
}

}  // namespace clika::report
