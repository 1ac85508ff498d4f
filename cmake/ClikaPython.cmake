# The one Python interpreter of the Python module (python/) and of every Python test and helper in tests/: CLIKA_PYTHON.
# Not given, it is the venv scripts/python-venv.sh makes in the build tree (pinned, hash-checked python/requirements/
# test.txt; a no-op once made), so a fresh clone configures without Debian's Python packages. In a pip build
# (scikit-build-core, SKBUILD) it is the interpreter the wheel is built for.
include_guard(GLOBAL)

set(CLIKA_PYTHON "" CACHE FILEPATH
    "Python interpreter of the Python module and the Python tests (empty: the venv scripts/python-venv.sh makes in <build>/venv)")
set(_clika_managed_venv "${CMAKE_BINARY_DIR}/venv")
if(SKBUILD AND NOT CLIKA_PYTHON)
  set(CLIKA_PYTHON "${Python_EXECUTABLE}")
elseif(NOT CLIKA_PYTHON OR CLIKA_PYTHON STREQUAL "${_clika_managed_venv}/bin/python")
  find_program(CLIKA_BASH_EXECUTABLE bash REQUIRED)
  message(STATUS "clika: Python venv of the tests in ${_clika_managed_venv} (scripts/python-venv.sh)")
  execute_process(COMMAND "${CLIKA_BASH_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/python-venv.sh" "${_clika_managed_venv}"
                  RESULT_VARIABLE _clika_venv_rc)
  if(NOT _clika_venv_rc EQUAL 0)
    message(FATAL_ERROR "clika: scripts/python-venv.sh ${_clika_managed_venv} failed (exit ${_clika_venv_rc}); "
                        "or pass -DCLIKA_PYTHON=an interpreter with python/requirements/test.txt installed")
  endif()
  set(CLIKA_PYTHON "${_clika_managed_venv}/bin/python" CACHE FILEPATH "" FORCE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/python/requirements/test.txt")
endif()
if(NOT EXISTS "${CLIKA_PYTHON}")
  message(FATAL_ERROR "clika: CLIKA_PYTHON=${CLIKA_PYTHON} does not exist")
endif()
# find_package(Python) (the module) takes this very interpreter.
set(Python_EXECUTABLE "${CLIKA_PYTHON}")
message(STATUS "clika: Python ${CLIKA_PYTHON}")

# lm-evaluation-harness's interpreter, for the tests of `--model clika` (python.lm_eval_Harness/ClikaTasks): a second
# venv, scripts/python-venv.sh DIR lm-eval (~760 MB, so not made by configure; scripts/test.sh makes it while the build
# runs, so it may not exist yet: then the tests fail without it). It imports the module built for CLIKA_PYTHON, so both
# must be the same Python version. Empty: those tests skip, saying so.
set(CLIKA_LM_EVAL_PYTHON "" CACHE FILEPATH
    "Python interpreter with python/requirements/lm-eval.txt installed (scripts/python-venv.sh build/venv-lmeval lm-eval)")
if(CLIKA_LM_EVAL_PYTHON AND NOT EXISTS "${CLIKA_LM_EVAL_PYTHON}")
  message(STATUS "clika: lm-evaluation-harness Python ${CLIKA_LM_EVAL_PYTHON} is not made yet: the lm-eval tests need it")
elseif(CLIKA_LM_EVAL_PYTHON)
  set(_clika_version_of "import sys; print('%d.%d' % sys.version_info[:2])")
  execute_process(COMMAND "${CLIKA_PYTHON}" -c "${_clika_version_of}" OUTPUT_VARIABLE _clika_py OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND "${CLIKA_LM_EVAL_PYTHON}" -c "${_clika_version_of}" OUTPUT_VARIABLE _clika_lm_py
                  RESULT_VARIABLE _clika_lm_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _clika_lm_rc EQUAL 0)
    message(FATAL_ERROR "clika: CLIKA_LM_EVAL_PYTHON=${CLIKA_LM_EVAL_PYTHON} does not run")
  elseif(NOT _clika_lm_py STREQUAL _clika_py)
    message(FATAL_ERROR "clika: CLIKA_LM_EVAL_PYTHON=${CLIKA_LM_EVAL_PYTHON} is Python ${_clika_lm_py}, but the module is "
                        "built for CLIKA_PYTHON=${CLIKA_PYTHON}, Python ${_clika_py}: expected the same version")
  endif()
  message(STATUS "clika: lm-evaluation-harness Python ${CLIKA_LM_EVAL_PYTHON}")
  unset(_clika_version_of)
  unset(_clika_py)
  unset(_clika_lm_py)
  unset(_clika_lm_rc)
endif()
unset(_clika_managed_venv)
unset(_clika_venv_rc)

# Every test added so far in the calling directory gets CLIKA_PYTHON in its environment: the shell tests run their
# Python through "$CLIKA_PYTHON".
function(clika_tests_use_python)
  get_property(_tests DIRECTORY PROPERTY TESTS)
  if(_tests)
    set_property(TEST ${_tests} APPEND PROPERTY ENVIRONMENT "CLIKA_PYTHON=${CLIKA_PYTHON}")
  endif()
endfunction()
