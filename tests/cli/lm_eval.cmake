# `clika score --lm-eval-samples`: a folder as `lm_eval --log_samples --output_path WORK` leaves it (samples under
# <model>/, one line per document as lm_eval/loggers/evaluation_tracker.py::save_results_samples writes it), scored to
# JSON; then a bad sample exits 2 naming file, line and key.
file(REMOVE_RECURSE ${WORK})
set(model ${WORK}/org__tiny)
set(date 2024-05-13T12-34-56.123456)
function(sample doc_id target ll0 ll1 acc out)
  set(${out} "{\"doc_id\": ${doc_id}, \"doc\": {\"premise\": \"p${doc_id}\", \"label\": ${target}}, \"target\": \"${target}\", \"arguments\": {\"gen_args_0\": {\"arg_0\": \"p${doc_id} because\", \"arg_1\": \" a\"}, \"gen_args_1\": {\"arg_0\": \"p${doc_id} because\", \"arg_1\": \" b\"}}, \"resps\": [[[\"${ll0}\", \"False\"]], [[\"${ll1}\", \"False\"]]], \"filtered_resps\": [[\"${ll0}\", \"False\"], [\"${ll1}\", \"False\"]], \"filter\": \"none\", \"metrics\": [\"acc\"], \"doc_hash\": \"h\", \"prompt_hash\": \"h\", \"target_hash\": \"h\", \"acc\": ${acc}}\n" PARENT_SCOPE)
endfunction()
sample(0 0 -1.0 -2.0 1.0 en0)
sample(1 1 -1.0 -2.0 0.0 en1)
sample(0 0 -1.5 -2.5 1.0 de0)
sample(1 1 -2.0 -1.0 1.0 de1)
file(WRITE ${model}/samples_xstorycloze_en_${date}.jsonl "${en0}${en1}")
file(WRITE ${model}/samples_xstorycloze_de_${date}.jsonl "${de1}${de0}")
execute_process(COMMAND ${CLIKA} score --lm-eval-samples ${WORK} --format json --bootstrap 100
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika score --lm-eval-samples failed (${rc}): ${err}")
endif()
string(JSON model_name GET "${out}" model)
string(JSON acc_de GET "${out}" tasks xstorycloze de accuracy)
string(JSON co_de GET "${out}" tasks xstorycloze de en_co)
string(JSON rank_de GET "${out}" tasks xstorycloze de rank_c)
string(JSON rank_ci_type TYPE "${out}" tasks xstorycloze de rank_c_ci)
# de right on both docs, en on doc 0 only: en-CO 1/2; doc 1 ranked oppositely: RankC = (1 + 1/(e+1)) / 2 = 0.63447.
if(NOT model_name STREQUAL "org__tiny" OR NOT acc_de MATCHES "^1(\\.0)?$" OR NOT co_de MATCHES "^0\\.5$" OR NOT rank_de MATCHES "^0\\.6344"
   OR NOT rank_ci_type STREQUAL "ARRAY")
  message(FATAL_ERROR "unexpected report: ${out}")
endif()

sample(1 1 -2.0 -1.0 0.0 bad)
file(WRITE ${model}/samples_xstorycloze_de_${date}.jsonl "${de0}${bad}")
execute_process(COMMAND ${CLIKA} score --lm-eval-samples ${WORK} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "samples_xstorycloze_de_${date}.jsonl:2: field \"acc\": is 0 but filtered_resps and target give 1")
  message(FATAL_ERROR "a wrong acc should exit 2 naming file, line and key; got ${rc}: ${err}")
endif()
