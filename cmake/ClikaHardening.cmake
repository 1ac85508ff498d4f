# ClikaHardening.cmake -- sanitizer and fuzzing switches for CI's hardening step (scripts/ci-hardening.sh).
#
#   CLIKA_SANITIZE=address,undefined   instruments clika's own targets configured after this include: the CLI, tests,
#                                       plugins, fixture plugins and the example plugin (a plugin dlopen'ed by a
#                                       sanitized process is built with the same flags). UBSan stops at the first report
#                                       (-fno-sanitize-recover). The vendored llama.cpp is NOT instrumented:
#                                       cmake/LlamaCpp.cmake takes these flags off its subproject and compiles it as in a
#                                       Release build (or links a normal build's libraries, CLIKA_LLAMA_CPP_PREBUILT).
#                                       Its static libraries inside the sanitized llama.cpp plugin are fine for ASan:
#                                       their allocations go through ASan's malloc, so clika's accesses to memory they
#                                       hand out are checked; only their own accesses are not -- upstream's code, not
#                                       the code under test, and instrumenting it made the run tests several times
#                                       slower (the sanitizer step took over an hour).
#   CLIKA_BUILD_FUZZERS=ON              builds the libFuzzer targets in fuzz/ (needs Clang: CXX=clang++-14); with
#                                       CLIKA_SANITIZE they carry the sanitizers too. scripts/ci-hardening.sh makes one
#                                       Clang build with both, for the sanitizer tests and the fuzzing.
#
# Sets CLIKA_SANITIZE_COMPILE_OPTIONS and CLIKA_SANITIZE_LINK_OPTIONS: what was added to the directory's options.
include_guard(GLOBAL)

set(CLIKA_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for clika's targets, e.g. address,undefined (empty: none)")
option(CLIKA_BUILD_FUZZERS "Build the libFuzzer targets in fuzz/ (Clang only)" OFF)

set(CLIKA_SANITIZE_COMPILE_OPTIONS)
set(CLIKA_SANITIZE_LINK_OPTIONS)
if(CLIKA_SANITIZE)
  set(_clika_flags -fsanitize=${CLIKA_SANITIZE} -fno-omit-frame-pointer)
  if(CLIKA_SANITIZE MATCHES "undefined")
    list(APPEND _clika_flags -fno-sanitize-recover=all)
  endif()
  # One generator expression per flag (not one around the list), so LlamaCpp.cmake can take them off item by item.
  foreach(_flag IN LISTS _clika_flags)
    list(APPEND CLIKA_SANITIZE_COMPILE_OPTIONS "$<$<COMPILE_LANGUAGE:C,CXX>:${_flag}>")
  endforeach()
  set(CLIKA_SANITIZE_LINK_OPTIONS -fsanitize=${CLIKA_SANITIZE})
  add_compile_options(${CLIKA_SANITIZE_COMPILE_OPTIONS})
  add_link_options(${CLIKA_SANITIZE_LINK_OPTIONS})
  message(STATUS "clika: sanitizers ${CLIKA_SANITIZE} on clika's targets (not on the vendored llama.cpp)")
  unset(_clika_flags)
  unset(_flag)
endif()

if(CLIKA_BUILD_FUZZERS AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CLIKA_BUILD_FUZZERS needs Clang for libFuzzer (configure with CXX=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
endif()
