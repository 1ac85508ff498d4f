# Configuring with a CLIKA_LM_EVAL_PYTHON of another Python version than CLIKA_PYTHON (whose build of the module it would
# import) stops, naming both interpreters and versions; the same version configures, and so does one not made yet. A
# project of its own that includes cmake/ClikaPython.cmake, with a stand-in interpreter that reports a version.
# cmake -DSOURCE=<repo> -DPYTHON=<CLIKA_PYTHON> -DWORK=<dir> -P lm_eval_python_version.cmake
file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/project/CMakeLists.txt "cmake_minimum_required(VERSION 3.20)\nproject(lm_eval_python NONE)\ninclude(${SOURCE}/cmake/ClikaPython.cmake)\n")
file(WRITE ${WORK}/python3.7 "#!/bin/sh\necho 3.7\n")
file(CHMOD ${WORK}/python3.7 PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK}/project -B ${WORK}/other -DCLIKA_PYTHON=${PYTHON}
                        -DCLIKA_LM_EVAL_PYTHON=${WORK}/python3.7
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " err "${err}")
if(rc EQUAL 0 OR NOT err MATCHES "CLIKA_LM_EVAL_PYTHON=${WORK}/python3.7 is Python 3.7, but the module is built for CLIKA_PYTHON=")
  message(FATAL_ERROR "another Python version should stop configure naming both (${rc}): ${out}${err}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK}/project -B ${WORK}/same -DCLIKA_PYTHON=${PYTHON} -DCLIKA_LM_EVAL_PYTHON=${PYTHON}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "lm-evaluation-harness Python ${PYTHON}")
  message(FATAL_ERROR "the same Python version should configure (${rc}): ${out}${err}")
endif()

# Not made yet (scripts/test.sh makes it while the build runs): configure says so and goes on.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK}/project -B ${WORK}/later -DCLIKA_PYTHON=${PYTHON}
                        -DCLIKA_LM_EVAL_PYTHON=${WORK}/venv-lmeval/bin/python
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "venv-lmeval/bin/python is not made yet")
  message(FATAL_ERROR "an interpreter not made yet should configure, saying so (${rc}): ${out}${err}")
endif()
