#pragma once
// Kept for includers of the former header: reading a run directory now lives in clika/run/.

#include "clika/run/manifest.hpp"  // read_run_manifest
#include "clika/run/paths.hpp"     // run_predictions_path
#include "clika/run/reader.hpp"    // load_run, run_gaps
