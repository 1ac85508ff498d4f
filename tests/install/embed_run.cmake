# Install the core, build examples/embed_run against it with find_package(clika), run it on the tiny model through
# the llama.cpp plugin, and require its predictions to be byte-identical to `clika run` with the same settings: the CLI
# is a thin caller of the core's pipeline.
include(${CMAKE_CURRENT_LIST_DIR}/build_example.cmake)
install_and_build_example(embed_run)
execute_process(COMMAND ${CLIKA} make-model --out ${WORK}/tiny.gguf --seed 1 RESULT_VARIABLE rc OUTPUT_QUIET)
execute_process(COMMAND ${WORK}/build/embed_run ${PLUGIN} ${WORK}/tiny.gguf ${DATA} ${WORK}/embedded
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "x_geo zh: [0-9]+ of 20 correct")
  message(FATAL_ERROR "embed_run failed: ${rc}\n${out}\n${err}")
endif()
message(STATUS "${out}")
execute_process(COMMAND ${CLIKA} run --data ${DATA} --model ${WORK}/tiny.gguf --plugin ${PLUGIN} --threads 1 --tasks x_geo
                        --langs en,zh --limit 20 --no-report --out ${WORK}/cli RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika run failed")
endif()
file(GLOB_RECURSE embedded RELATIVE ${WORK}/embedded ${WORK}/embedded/*.jsonl)
list(LENGTH embedded n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected 2 prediction files from embed_run, found ${n}")
endif()
foreach(file ${embedded})
  file(SHA256 ${WORK}/embedded/${file} a)
  file(SHA256 ${WORK}/cli/${file} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${file} differs between embed_run and clika run")
  endif()
endforeach()
