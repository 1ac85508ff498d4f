# `clika compare` on two published models: per-cell McNemar rows and level rows; a source compared with itself shows
# no difference (the table in percent: +0.00); a bad source spec is exit 2.
execute_process(COMMAND ${CLIKA} compare model:llama_13b model:vicuna_13b_v1.5 --data ${DATA} --bootstrap 200 --format csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika compare failed (${rc}): ${err}")
endif()
string(REGEX MATCHALL "\ntask,[^\n]*" cells "${out}")
list(LENGTH cells n)
if(NOT n EQUAL 40)
  message(FATAL_ERROR "expected 40 task x language rows, got ${n}:\n${out}")
endif()
foreach(row "\nlevel,basic,RA,en," "\nlevel,factual,en-CO,others,")
  if(NOT out MATCHES "${row}")
    message(FATAL_ERROR "missing row '${row}' in:\n${out}")
  endif()
endforeach()

execute_process(COMMAND ${CLIKA} compare model:llama_13b model:llama_13b --data ${DATA} --bootstrap 50 --tasks x_copa --langs en,zh
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "x_copa +en +[0-9]+ +[0-9.]+ +[0-9.]+ +\\+0\\.00 .* +0 +0 +1\\.0000 +1\\.0000")
  message(FATAL_ERROR "self-comparison should show 0 differences and p = 1 (${rc}):\n${out}${err}")
endif()

execute_process(COMMAND ${CLIKA} compare llama_13b model:vicuna_13b_v1.5 --data ${DATA}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "run:DIR, model:STEM or lm-eval:DIR")
  message(FATAL_ERROR "a source without a kind should be exit 2 naming the kinds (${rc}): ${err}")
endif()

# lm-eval samples of clika_x_geo (written by tests/cli/samples.cmake): a folder compared with itself, with
# a folder over other documents (refused naming the first unmatched doc_id), and with published predictions of more.
file(REMOVE_RECURSE ${WORK})
set(date 2024-05-13T12-34-56.123456)
include(${CMAKE_CURRENT_LIST_DIR}/samples.cmake)
geo_sample(0 0 0 g0)
geo_sample(1 1 1 g1)
geo_sample(2 2 3 g2)
geo_sample(3 3 0 g3)
geo_sample(7 3 0 g7)
file(WRITE ${WORK}/a/org__tiny/samples_clika_x_geo_en_${date}.jsonl "${g0}${g1}${g2}${g3}")
file(WRITE ${WORK}/b/org__tiny/samples_clika_x_geo_en_${date}.jsonl "${g0}${g1}${g2}${g7}")
execute_process(COMMAND ${CLIKA} compare lm-eval:${WORK}/a lm-eval:${WORK}/a --bootstrap 20 --format csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\ntask,x_geo,accuracy,en,4,0.5,0.5,0,0,0,0,0,1,1,\n")
  message(FATAL_ERROR "lm-eval samples compared with themselves should differ by 0 with p = 1 (${rc}):\n${out}${err}")
endif()
execute_process(COMMAND ${CLIKA} compare lm-eval:${WORK}/a lm-eval:${WORK}/b RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "question \"3\" is not among the questions of")
  message(FATAL_ERROR "sources over other questions should be exit 2 naming the first unmatched uuid (${rc}): ${err}")
endif()
execute_process(COMMAND ${CLIKA} compare lm-eval:${WORK}/a model:llama_13b --data ${DATA} --tasks x_geo --langs en RESULT_VARIABLE rc ERROR_VARIABLE err)
# The published uuids of x_geo are doc ids too: A's four are among them, the fifth of llama_13b's is the first unmatched.
if(NOT rc EQUAL 2 OR NOT err MATCHES "llama_13b[^:]*:5: field \"uuid\": question \"4\" is not among the questions of")
  message(FATAL_ERROR "four samples against 200 published questions should be refused naming the fifth (${rc}): ${err}")
endif()
