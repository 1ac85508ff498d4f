#pragma once
// Kept for includers of the former grab-bag: the fictional (Conductivity) pieces now live one job per header.

#include "clika/case_fold.hpp"                 // fold_case
#include "clika/fictional/alpaca.hpp"          // the prompt template
#include "clika/fictional/grading.hpp"         // named_continent, answer_text, answer_prefix
#include "clika/fictional/results.hpp"         // FictionalRun, FictionalRunLang, FictionalMode(s)
#include "clika/fictional/test_set.hpp"        // FictionalTestSet, load_fictional_test_set, limited_items
#include "clika/run/fictional_lines.hpp"       // the run's lines, written and read
#include "clika/run/paths.hpp"                 // fictional_predictions_path, fictional_translate_run_path
