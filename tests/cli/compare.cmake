# `clika compare` on two published models: per-cell McNemar rows and level rows; a source compared with itself shows
# no difference; a bad source spec is exit 2.
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
if(NOT rc EQUAL 0 OR NOT out MATCHES "x_copa +en +[0-9]+ +[0-9.]+ +[0-9.]+ +\\+0\\.0000 .* +0 +0 +1\\.0000 +1\\.0000")
  message(FATAL_ERROR "self-comparison should show 0 differences and p = 1 (${rc}):\n${out}${err}")
endif()

execute_process(COMMAND ${CLIKA} compare llama_13b model:vicuna_13b_v1.5 --data ${DATA}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "run:DIR, model:STEM or lm-eval:DIR")
  message(FATAL_ERROR "a source without a kind should be exit 2 naming the kinds (${rc}): ${err}")
endif()
