# A plugin author's path: build examples/minimal_plugin against an installed clika (find_package), install the plugin
# into the same prefix, and see the installed clika find it in <prefix>/lib/clika/plugins without being told.
include(${CMAKE_CURRENT_LIST_DIR}/build_example.cmake)
install_and_build_example(minimal_plugin)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${WORK}/build RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing minimal_plugin failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CLIKA_PLUGIN_PATH ${WORK}/prefix/bin/clika plugins
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(FIND "${out}" " ${WORK}/prefix/lib/clika/plugins/libclika_example.so\n" found)
if(NOT rc EQUAL 0 OR found EQUAL -1 OR NOT out MATCHES "\nexample +1\\.0\\.0 ")
  message(FATAL_ERROR "the installed clika does not list the installed example plugin (${rc}):\n${out}\n${err}")
endif()
message(STATUS "${out}")
