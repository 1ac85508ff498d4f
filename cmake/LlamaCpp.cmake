# LlamaCpp.cmake -- vendored llama.cpp (CPU backend only), built inside our build tree.
#
# Usage (top-level CMakeLists.txt, CMake >= 3.25):
#     include(cmake/LlamaCpp.cmake)
#     target_link_libraries(my_plugin PRIVATE llama ggml)
#
# Provides:
#   targets   llama, ggml                 static, PIC (safe to link into a shared library)
#             llama-perplexity, llama-server (and the other llama.cpp tools) -- EXCLUDE_FROM_ALL,
#                                          build explicitly: cmake --build B --target llama-perplexity
#                                          (binary lands in ${CMAKE_BINARY_DIR}/bin/)
#   variables CLIKA_LLAMA_CPP_SOURCE      llama.cpp source tree (cache, PATH)
#             CLIKA_LLAMA_VOCAB_DIR       <src>/models (holds models/ggml-vocab-*.gguf)
#             CLIKA_LLAMA_CPP_BINARY_DIR  build dir of the llama.cpp subproject
#
# Sources: scripts/fetch-llama-cpp.sh (pinned node-llama-cpp npm package, sha256-verified)
# is run at configure time; it is the only network step and is a ~30 ms no-op once the
# tree is in place. Both the source tree and the object files live under
# ${CMAKE_BINARY_DIR}/_deps, so they are cached with the build directory.

include_guard(GLOBAL)

set(_clika_llama_fetch_script "${CMAKE_CURRENT_LIST_DIR}/../scripts/fetch-llama-cpp.sh")
cmake_path(NORMAL_PATH _clika_llama_fetch_script)
set(_clika_llama_default_src "${CMAKE_BINARY_DIR}/_deps/llama.cpp")

set(CLIKA_LLAMA_CPP_SOURCE "${_clika_llama_default_src}" CACHE PATH
    "llama.cpp source tree (fetched by scripts/fetch-llama-cpp.sh if missing)")
option(CLIKA_LLAMA_NATIVE
    "Build ggml with -march=native (OFF: portable x86-64-v3 = AVX2/FMA/F16C baseline)" OFF)
option(CLIKA_LLAMA_AVX512
    "With CLIKA_LLAMA_NATIVE=OFF on x86-64: also enable AVX512F/BW/VL/DQ/CD+VBMI+VNNI+BF16 and AVX-VNNI" OFF)
option(CLIKA_LLAMA_OPTIMIZE_IN_DEBUG
    "Compile llama.cpp/ggml with -O2 even when CMAKE_BUILD_TYPE=Debug" ON)

# ---------------------------------------------------------------------------
# 1. sources (configure-time fetch)
# ---------------------------------------------------------------------------
cmake_path(ABSOLUTE_PATH CLIKA_LLAMA_CPP_SOURCE BASE_DIRECTORY "${CMAKE_BINARY_DIR}" NORMALIZE
           OUTPUT_VARIABLE _clika_llama_src)
cmake_path(ABSOLUTE_PATH _clika_llama_default_src NORMALIZE OUTPUT_VARIABLE _clika_llama_default_src)

# The default (managed) location is always handed to the script: it is a fast no-op when
# the stamp matches, and it transparently updates the tree when the pin in the script
# changes. A user-provided tree is only fetched into if it does not exist yet.
if(_clika_llama_src STREQUAL _clika_llama_default_src OR NOT EXISTS "${_clika_llama_src}/CMakeLists.txt")
    find_program(CLIKA_BASH_EXECUTABLE bash REQUIRED)
    message(STATUS "llama.cpp: ensuring sources in ${_clika_llama_src}")
    execute_process(
        COMMAND "${CLIKA_BASH_EXECUTABLE}" "${_clika_llama_fetch_script}" "${_clika_llama_src}"
        RESULT_VARIABLE _clika_llama_rc
        OUTPUT_VARIABLE _clika_llama_out
        ERROR_VARIABLE  _clika_llama_out
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if(NOT _clika_llama_rc EQUAL 0)
        message(FATAL_ERROR "llama.cpp: fetching sources failed (exit ${_clika_llama_rc}):\n${_clika_llama_out}")
    endif()
    message(STATUS "${_clika_llama_out}")
    # re-run configure when the pin changes
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_clika_llama_fetch_script}")
endif()
if(NOT EXISTS "${_clika_llama_src}/CMakeLists.txt" OR NOT EXISTS "${_clika_llama_src}/include/llama.h")
    message(FATAL_ERROR "llama.cpp: ${_clika_llama_src} is not a llama.cpp source tree")
endif()

set(CLIKA_LLAMA_VOCAB_DIR "${_clika_llama_src}/models")
set(CLIKA_LLAMA_CPP_BINARY_DIR "${CMAKE_BINARY_DIR}/_deps/llama.cpp-build")

# llama.cpp FORCE-sets CMAKE_BUILD_TYPE=Release in the cache if it is empty, which would
# silently change the build type of the whole project; make that explicit instead.
get_property(_clika_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
if(NOT _clika_multi_config AND NOT CMAKE_BUILD_TYPE)
    message(STATUS "llama.cpp: CMAKE_BUILD_TYPE not set, defaulting to Release")
    set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# ---------------------------------------------------------------------------
# 2. add the subproject
# ---------------------------------------------------------------------------
# Everything is set as *normal* variables inside a function scope: llama.cpp/ggml use
# cmake_minimum_required(3.14...3.28), so option() honours them (CMP0077) while nothing
# leaks into our own scope (BUILD_SHARED_LIBS, PIC, visibility, ...).
function(_clika_add_llama_cpp src bin)
    # --- language level: build llama.cpp as upstream does (gnu++17), not with whatever
    #     CMAKE_CXX_STANDARD/EXTENSIONS our project uses (C++20 changes e.g. u8"" literals) ---
    set(CMAKE_CXX_STANDARD 17)
    set(CMAKE_CXX_STANDARD_REQUIRED ON)
    set(CMAKE_CXX_EXTENSIONS ON)
    unset(CMAKE_C_STANDARD)
    unset(CMAKE_C_EXTENSIONS)

    # --- library form: static + PIC so it can go into our shared plugin ---
    set(BUILD_SHARED_LIBS OFF)
    set(CMAKE_POSITION_INDEPENDENT_CODE ON)
    # hide llama/ggml symbols inside the plugin (avoids clashes with other copies of
    # llama.cpp/ggml loaded into the same host process)
    set(CMAKE_C_VISIBILITY_PRESET hidden)
    set(CMAKE_CXX_VISIBILITY_PRESET hidden)
    set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)

    # --- backends: CPU only ---
    set(GGML_CPU ON)
    set(GGML_BACKEND_DL OFF)
    set(GGML_CPU_ALL_VARIANTS OFF)
    foreach(_b CUDA METAL VULKAN HIP MUSA SYCL OPENCL WEBGPU RPC CANN BLAS KOMPUTE ZDNN VIRTGPU HEXAGON ZENDNN)
        set(GGML_${_b} OFF)
    endforeach()
    set(GGML_OPENMP_FETCH OFF)
    # ggml's ccache support sets the GLOBAL RULE_LAUNCH_COMPILE property (i.e. for our
    # whole project); use CMAKE_<LANG>_COMPILER_LAUNCHER at top level instead if wanted.
    set(GGML_CCACHE OFF)

    # --- CPU ISA ---
    # Default: GGML_NATIVE OFF + explicit x86-64-v3 (AVX2/FMA/F16C/BMI2) baseline, so the
    # objects (and a cached build dir) run on any AVX2 host and results do not depend on
    # which machine configured the build.
    # Measured on the CI machine kind (AMD EPYC with AVX512, 2 cores, llama-perplexity,
    # random 4-layer n_embd=1024 model, 64k vocab, c=512, 4 chunks, -t 1, user CPU s):
    #            baseline   CLIKA_LLAMA_AVX512   CLIKA_LLAMA_NATIVE
    #   F16        4.8           3.3                 3.3
    #   Q8_0       4.7           3.8                 3.9
    #   F32        5.3           4.0                 4.4
    # i.e. AVX512 is worth ~20-30%; -march=native adds nothing beyond it. Not a
    # show-stopper, so it stays opt-in (turn CLIKA_LLAMA_AVX512 ON where all hosts have it).
    if(CLIKA_LLAMA_NATIVE)
        set(GGML_NATIVE ON)
    else()
        set(GGML_NATIVE OFF)
        if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
            # ggml only enables these by itself when not cross-compiling and when
            # SOURCE_DATE_EPOCH is unset; pin them so the baseline is deterministic.
            foreach(_isa SSE42 AVX AVX2 BMI2 FMA F16C)
                set(GGML_${_isa} ON)
            endforeach()
            if(CLIKA_LLAMA_AVX512)
                foreach(_isa AVX512 AVX512_VBMI AVX512_VNNI AVX512_BF16 AVX_VNNI)
                    set(GGML_${_isa} ON)
                endforeach()
            endif()
        endif()
    endif()

    # --- llama.cpp parts ---
    set(LLAMA_BUILD_IS_DEV OFF)      # pinned release tag -> version "X.Y.Z", not "X.Y.Z-dev"
    set(LLAMA_CURL OFF)              # (deprecated/ignored in this version, kept for older pins)
    set(LLAMA_OPENSSL OFF)           # no HTTPS in llama-common's downloader
    set(LLAMA_BUILD_COMMON ON)       # needed by llama-perplexity
    set(LLAMA_BUILD_TOOLS ON)        # defines llama-perplexity (built only on request)
    set(LLAMA_BUILD_TESTS OFF)
    set(LLAMA_BUILD_EXAMPLES OFF)
    # llama-server (built only on request: the openai plugin's tests run it), without its web UI: no npm build and no
    # download of prebuilt assets (LLAMA_USE_PREBUILT_UI would fetch them from Hugging Face at build time).
    set(LLAMA_BUILD_SERVER ON)
    set(LLAMA_BUILD_APP OFF)
    set(LLAMA_BUILD_UI OFF)
    set(LLAMA_USE_PREBUILT_UI OFF)
    set(LLAMA_BUILD_MTMD OFF)
    set(LLAMA_LLGUIDANCE OFF)
    set(LLAMA_TOOLS_INSTALL OFF)
    set(LLAMA_TESTS_INSTALL OFF)
    set(LLAMA_FATAL_WARNINGS OFF)

    if(CLIKA_LLAMA_OPTIMIZE_IN_DEBUG AND NOT MSVC)
        # only affects targets defined in this subtree (Debug builds of our own code stay -O0)
        set(CMAKE_C_FLAGS_DEBUG   "-O2 -g")
        set(CMAKE_CXX_FLAGS_DEBUG "-O2 -g")
    endif()

    add_subdirectory("${src}" "${bin}" EXCLUDE_FROM_ALL SYSTEM)
endfunction()

_clika_add_llama_cpp("${_clika_llama_src}" "${CLIKA_LLAMA_CPP_BINARY_DIR}")

foreach(_t llama ggml)
    if(NOT TARGET ${_t})
        message(FATAL_ERROR "llama.cpp: expected target '${_t}' was not defined")
    endif()
endforeach()

message(STATUS "llama.cpp: source=${_clika_llama_src} native=${CLIKA_LLAMA_NATIVE} avx512=${CLIKA_LLAMA_AVX512} vocab_dir=${CLIKA_LLAMA_VOCAB_DIR}")

unset(_clika_llama_rc)
unset(_clika_llama_out)
unset(_clika_multi_config)
