// The lm-evaluation-harness samples loader (load_lm_eval_samples, clika/lm_eval.hpp) on one samples_<task>_<date>.jsonl
// file, and what `clika score --lm-eval-samples` does next with what it accepts (score_families). Input: a metric byte
// (even: acc, odd: acc_norm), then the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "clika/lm_eval.hpp"
#include "clika/metrics/family_scorecard.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    if (size == 0) return 0;
    const LmEvalMetric metric = data[0] % 2 == 0 ? LmEvalMetric::acc : LmEvalMetric::acc_norm;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const fuzz::fs::path file = fuzz::scratch() / "samples_xcopa_it_2024-05-13T12-34-56.123456.jsonl";
    fuzz::write_bytes(file, bytes);
    LmEvalSamplesFile loaded;
    try {
        loaded = load_lm_eval_samples(file, "xcopa_it", FamilyAndLang{"xcopa", "it"}, metric);
    } catch (const Error&) {
        return 0;
    }
    fuzz::require(loaded.lang.has_value() != !loaded.skipped.empty(), "a file is either read or skipped with the reason");
    if (!loaded.lang) return 0;
    const FamilyLang& lang = *loaded.lang;
    const std::size_t n = lang.doc_ids.size();
    fuzz::require(n > 0 && lang.correct.size() == n && lang.option_scores.size() == n, "one entry per sample");
    fuzz::require(loaded.option_count >= 2, "multiple choice means two options or more");
    fuzz::require(lang.lang == "it" && lang.source_task == "xcopa_it" && lang.source == file, "the language and its source");
    for (std::size_t i = 0; i < n; ++i) {
        fuzz::require(lang.option_scores[i].size() == loaded.option_count, "one score per option in every sample");
        fuzz::require(lang.correct[i] <= 1, "correct is 0 or 1");
    }
    fuzz::require(std::set<std::string>(lang.doc_ids.begin(), lang.doc_ids.end()).size() == n, "each doc_id once");

    // Scored as a family with a second language (the same answers, reversed), against English as the pivot.
    Family family;
    family.name = "xcopa";
    family.option_count = loaded.option_count;
    family.langs.push_back(lang);
    FamilyLang english = lang;
    english.lang = "en";
    std::reverse(english.correct.begin(), english.correct.end());
    std::reverse(english.option_scores.begin(), english.option_scores.end());
    family.langs.push_back(std::move(english));
    FamilySettings settings;
    settings.bootstrap_resamples = 20;
    settings.threads = 1;
    try {
        const std::vector<FamilyScore> scores = score_families({std::move(family)}, settings);
        fuzz::require(scores.size() == 1 && scores[0].langs.size() == 2, "one family with both languages");
        for (const FamilyLangScore& s : scores[0].langs) fuzz::require(s.questions == n && s.correct <= n, "every question counted once");
    } catch (const Error&) {
    }
    return 0;
}
