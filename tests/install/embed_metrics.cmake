# Install the core, then build examples/embed_metrics against the install tree with find_package(clika).
include(${CMAKE_CURRENT_LIST_DIR}/build_example.cmake)
install_and_build_example(embed_metrics)
execute_process(COMMAND ${WORK}/build/embed_metrics RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "en-CO")
  message(FATAL_ERROR "embed_metrics did not run: ${rc}\n${out}\n${err}")
endif()
message(STATUS "${out}")
