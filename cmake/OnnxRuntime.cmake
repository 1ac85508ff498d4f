# OnnxRuntime.cmake -- the pinned ONNX Runtime (prebuilt CPU library + C API headers) as an imported target.
#
# Usage (top-level CMakeLists.txt, CMake >= 3.25):
#     include(cmake/OnnxRuntime.cmake)
#     target_link_libraries(my_plugin PRIVATE onnxruntime::onnxruntime)
#
# Provides:
#   target    onnxruntime::onnxruntime     SHARED IMPORTED (libonnxruntime.so.1 + include dir)
#   variables CLIKA_ORT_DIR                where the runtime lives (cache, PATH): lib/, include/
#             CLIKA_ORT_LIBRARY            lib/libonnxruntime.so.1
#             CLIKA_ORT_API_VERSION        ORT_API_VERSION of the headers
#             CLIKA_ORT_MIN_API_VERSION    the oldest C API the ONNX plugin compiles against
#
# Sources: scripts/fetch-onnxruntime.sh (npm package com.github.asus4.onnxruntime, version and sha256 pinned) runs at
# configure time into ${CMAKE_BINARY_DIR}/_deps/onnxruntime; once the stamp matches it is a no-op that does not touch
# the network. Set CLIKA_ORT_DIR to an existing tree (lib/libonnxruntime.so.1, include/onnxruntime_c_api.h) to use
# another ONNX Runtime; with CLIKA_ORT_GPU=ON the CUDA execution provider package is fetched too.

include_guard(GLOBAL)

set(CLIKA_ORT_MIN_API_VERSION 17)   # ORT 1.17: every C API function plugins/onnx calls

set(_clika_ort_fetch_script "${CMAKE_CURRENT_LIST_DIR}/../scripts/fetch-onnxruntime.sh")
cmake_path(NORMAL_PATH _clika_ort_fetch_script)
set(_clika_ort_default_dir "${CMAKE_BINARY_DIR}/_deps/onnxruntime")

set(CLIKA_ORT_DIR "${_clika_ort_default_dir}" CACHE PATH
    "ONNX Runtime tree with lib/ and include/ (fetched by scripts/fetch-onnxruntime.sh if it is the default)")
option(CLIKA_ORT_GPU "Also fetch ONNX Runtime's CUDA execution provider (com.github.asus4.onnxruntime.linux-x64-gpu, ~180 MB)" OFF)

cmake_path(ABSOLUTE_PATH CLIKA_ORT_DIR BASE_DIRECTORY "${CMAKE_BINARY_DIR}" NORMALIZE OUTPUT_VARIABLE _clika_ort_dir)
cmake_path(ABSOLUTE_PATH _clika_ort_default_dir NORMALIZE OUTPUT_VARIABLE _clika_ort_default_dir)

if(_clika_ort_dir STREQUAL _clika_ort_default_dir OR NOT EXISTS "${_clika_ort_dir}/include/onnxruntime_c_api.h")
    find_program(CLIKA_BASH_EXECUTABLE bash REQUIRED)
    message(STATUS "onnxruntime: ensuring the pinned runtime in ${_clika_ort_dir}")
    if(CLIKA_ORT_GPU)
        set(_clika_ort_gpu 1)
    else()
        set(_clika_ort_gpu 0)
    endif()
    execute_process(
        COMMAND ${CMAKE_COMMAND} -E env CLIKA_ORT_GPU=${_clika_ort_gpu}
                "${CLIKA_BASH_EXECUTABLE}" "${_clika_ort_fetch_script}" "${_clika_ort_dir}"
        RESULT_VARIABLE _clika_ort_rc
        OUTPUT_VARIABLE _clika_ort_out
        ERROR_VARIABLE  _clika_ort_out
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if(NOT _clika_ort_rc EQUAL 0)
        message(FATAL_ERROR "onnxruntime: fetching the runtime failed (exit ${_clika_ort_rc}):\n${_clika_ort_out}\n"
                            "Configure with -DCLIKA_BUILD_ONNX=OFF to build without the ONNX plugin.")
    endif()
    message(STATUS "${_clika_ort_out}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_clika_ort_fetch_script}")
endif()

set(CLIKA_ORT_LIBRARY "${_clika_ort_dir}/lib/libonnxruntime.so.1")
if(NOT EXISTS "${CLIKA_ORT_LIBRARY}" OR NOT EXISTS "${_clika_ort_dir}/include/onnxruntime_c_api.h")
    message(FATAL_ERROR "onnxruntime: ${_clika_ort_dir} lacks lib/libonnxruntime.so.1 or include/onnxruntime_c_api.h")
endif()

# The build-time half of the version check (the plugin checks the runtime library's version when it loads).
file(STRINGS "${_clika_ort_dir}/include/onnxruntime_c_api.h" _clika_ort_api_line REGEX "^#define ORT_API_VERSION [0-9]+")
string(REGEX REPLACE "^#define ORT_API_VERSION ([0-9]+).*" "\\1" CLIKA_ORT_API_VERSION "${_clika_ort_api_line}")
if(NOT CLIKA_ORT_API_VERSION MATCHES "^[0-9]+$")
    message(FATAL_ERROR "onnxruntime: no ORT_API_VERSION in ${_clika_ort_dir}/include/onnxruntime_c_api.h")
endif()
if(CLIKA_ORT_API_VERSION LESS CLIKA_ORT_MIN_API_VERSION)
    message(FATAL_ERROR "onnxruntime: the headers in ${_clika_ort_dir}/include are of C API ${CLIKA_ORT_API_VERSION}; "
                        "the ONNX plugin needs at least ${CLIKA_ORT_MIN_API_VERSION} (ONNX Runtime 1.${CLIKA_ORT_MIN_API_VERSION})")
endif()

if(NOT TARGET onnxruntime::onnxruntime)
    add_library(onnxruntime::onnxruntime SHARED IMPORTED GLOBAL)
    set_target_properties(onnxruntime::onnxruntime PROPERTIES
        IMPORTED_LOCATION "${CLIKA_ORT_LIBRARY}"
        IMPORTED_SONAME "libonnxruntime.so.1"
        INTERFACE_INCLUDE_DIRECTORIES "${_clika_ort_dir}/include")
endif()
set(CLIKA_ORT_DIR_RESOLVED "${_clika_ort_dir}")

message(STATUS "onnxruntime: ${_clika_ort_dir} (header C API ${CLIKA_ORT_API_VERSION})")

unset(_clika_ort_rc)
unset(_clika_ort_out)
unset(_clika_ort_gpu)
unset(_clika_ort_api_line)
