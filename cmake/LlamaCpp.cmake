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
#   files     ${CMAKE_BINARY_DIR}/clika-llama-cpp-prebuilt.cmake
#                                          llama, ggml and what they link as imported targets of this build
#                                          tree's static libraries (export(TARGETS)), for CLIKA_LLAMA_CPP_PREBUILT
#   variables CLIKA_LLAMA_CPP_SOURCE      llama.cpp source tree (cache, PATH)
#             CLIKA_LLAMA_CPP_PREBUILT    (cache, PATH; empty by default) another build tree of this project whose
#                                          llama.cpp libraries to link instead of compiling llama.cpp here: the
#                                          sanitizer build of scripts/ci-hardening.sh links the normal build's.
#                                          Its source tree (and vocab dir) is used; CLIKA_LLAMA_CPP_SOURCE is ignored.
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

set(CLIKA_LLAMA_CPP_PREBUILT "" CACHE PATH
    "Build tree of this project whose llama.cpp static libraries to link instead of compiling llama.cpp (empty: compile)")

# ---------------------------------------------------------------------------
# 0. prebuilt: import another build tree's llama.cpp libraries and stop here
# ---------------------------------------------------------------------------
if(CLIKA_LLAMA_CPP_PREBUILT)
    set(_clika_llama_prebuilt "${CLIKA_LLAMA_CPP_PREBUILT}/clika-llama-cpp-prebuilt.cmake")
    if(NOT EXISTS "${_clika_llama_prebuilt}")
        message(FATAL_ERROR "llama.cpp: CLIKA_LLAMA_CPP_PREBUILT=${CLIKA_LLAMA_CPP_PREBUILT} has no clika-llama-cpp-prebuilt.cmake "
                            "(configure that build tree with CLIKA_BUILD_LLAMACPP=ON first)")
    endif()
    include("${_clika_llama_prebuilt}")  # sets CLIKA_LLAMA_PREBUILT_SOURCE, CLIKA_LLAMA_PREBUILT_LIBS, imports the targets
    foreach(_t llama ggml)
        if(NOT TARGET ${_t})
            message(FATAL_ERROR "llama.cpp: ${_clika_llama_prebuilt} did not define target '${_t}'")
        endif()
    endforeach()
    # The libraries must have been built there: say so now rather than with a linker error.
    foreach(_lib IN LISTS CLIKA_LLAMA_PREBUILT_LIBS)
        if(NOT EXISTS "${_lib}")
            message(FATAL_ERROR "llama.cpp: ${_lib} is missing: build ${CLIKA_LLAMA_CPP_PREBUILT} first "
                                "(cmake --build ${CLIKA_LLAMA_CPP_PREBUILT} --target clika_llamacpp)")
        endif()
    endforeach()
    set(CLIKA_LLAMA_VOCAB_DIR "${CLIKA_LLAMA_PREBUILT_SOURCE}/models")
    set(CLIKA_LLAMA_CPP_BINARY_DIR "${CLIKA_LLAMA_CPP_PREBUILT}/_deps/llama.cpp-build")
    # relinking follows the imported .a files; re-configure when that tree is re-configured
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_clika_llama_prebuilt}")
    message(STATUS "llama.cpp: prebuilt libraries of ${CLIKA_LLAMA_CPP_PREBUILT} (source=${CLIKA_LLAMA_PREBUILT_SOURCE})")
    unset(_clika_llama_prebuilt)
    return()
endif()

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

    # --- sanitizer builds (CLIKA_SANITIZE, cmake/ClikaHardening.cmake) instrument clika's code only: llama.cpp is
    #     compiled as in a Release build, uninstrumented (static libraries without ASan are fine in a sanitized
    #     plugin; ASan sees their heap through its malloc, and they are not the code under test) ---
    if(CLIKA_SANITIZE)
        get_directory_property(_clika_saved_compile_options COMPILE_OPTIONS)
        get_directory_property(_clika_saved_link_options LINK_OPTIONS)
        set(_clika_compile_options ${_clika_saved_compile_options})
        set(_clika_link_options ${_clika_saved_link_options})
        list(REMOVE_ITEM _clika_compile_options ${CLIKA_SANITIZE_COMPILE_OPTIONS})
        list(REMOVE_ITEM _clika_link_options ${CLIKA_SANITIZE_LINK_OPTIONS})
        set_directory_properties(PROPERTIES COMPILE_OPTIONS "${_clika_compile_options}" LINK_OPTIONS "${_clika_link_options}")
        if(NOT MSVC AND CMAKE_BUILD_TYPE)
            string(TOUPPER "${CMAKE_BUILD_TYPE}" _clika_cfg)
            set(CMAKE_C_FLAGS_${_clika_cfg}   "-O3 -DNDEBUG")
            set(CMAKE_CXX_FLAGS_${_clika_cfg} "-O3 -DNDEBUG")
        endif()
    endif()

    if(CLIKA_LLAMA_OPTIMIZE_IN_DEBUG AND NOT MSVC)
        # only affects targets defined in this subtree (Debug builds of our own code stay -O0)
        set(CMAKE_C_FLAGS_DEBUG   "-O2 -g")
        set(CMAKE_CXX_FLAGS_DEBUG "-O2 -g")
    endif()

    add_subdirectory("${src}" "${bin}" EXCLUDE_FROM_ALL SYSTEM)

    if(CLIKA_SANITIZE)  # (the subproject has copied the directory properties; clika's own targets keep the flags)
        set_directory_properties(PROPERTIES COMPILE_OPTIONS "${_clika_saved_compile_options}" LINK_OPTIONS "${_clika_saved_link_options}")
    endif()
endfunction()

_clika_add_llama_cpp("${_clika_llama_src}" "${CLIKA_LLAMA_CPP_BINARY_DIR}")

foreach(_t llama ggml)
    if(NOT TARGET ${_t})
        message(FATAL_ERROR "llama.cpp: expected target '${_t}' was not defined")
    endif()
endforeach()

# ---------------------------------------------------------------------------
# 3. the built libraries for another build tree (CLIKA_LLAMA_CPP_PREBUILT)
# ---------------------------------------------------------------------------
# export(TARGETS) needs every target in the link closure of llama and ggml that is not imported itself.
function(_clika_llama_link_closure out)
    set(_todo llama ggml)
    set(_seen)
    while(_todo)
        list(POP_FRONT _todo _t)
        if(_t IN_LIST _seen OR NOT TARGET ${_t})
            continue()
        endif()
        get_target_property(_imported ${_t} IMPORTED)
        get_target_property(_aliased ${_t} ALIASED_TARGET)
        if(_imported OR _aliased)
            continue()
        endif()
        list(APPEND _seen ${_t})
        foreach(_prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
            get_target_property(_deps ${_t} ${_prop})
            if(_deps)
                foreach(_d IN LISTS _deps)
                    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" _d "${_d}")
                    if(NOT _d MATCHES "^\\$<" AND TARGET ${_d})
                        list(APPEND _todo ${_d})
                    endif()
                endforeach()
            endif()
        endforeach()
    endwhile()
    set(${out} ${_seen} PARENT_SCOPE)
endfunction()
_clika_llama_link_closure(_clika_llama_exported)
set(_clika_llama_libs)
foreach(_t IN LISTS _clika_llama_exported)
    get_target_property(_type ${_t} TYPE)
    if(_type STREQUAL "STATIC_LIBRARY")
        list(APPEND _clika_llama_libs "$<TARGET_FILE:${_t}>")
    endif()
endforeach()
export(TARGETS ${_clika_llama_exported} FILE "${CMAKE_BINARY_DIR}/clika-llama-cpp-targets.cmake")
# ggml links the OpenMP runtime of the compiler that built it (GCC's libgomp): the importing build gets those very
# libraries, whatever its own compiler (the sanitizer build uses Clang, whose FindOpenMP would look for libomp).
# (ggml's find_package(OpenMP) ran in its own directory; its cache entries name the libraries.)
set(_clika_llama_openmp "")
foreach(_lang C CXX)
    if(DEFINED CACHE{OpenMP_${_lang}_LIB_NAMES})
        set(_libs)
        foreach(_name IN LISTS OpenMP_${_lang}_LIB_NAMES)
            list(APPEND _libs "${OpenMP_${_name}_LIBRARY}")
        endforeach()
        string(APPEND _clika_llama_openmp
"if(NOT TARGET OpenMP::OpenMP_${_lang})
    add_library(OpenMP::OpenMP_${_lang} INTERFACE IMPORTED)
    set_target_properties(OpenMP::OpenMP_${_lang} PROPERTIES INTERFACE_LINK_LIBRARIES \"${_libs}\")
endif()
")
    endif()
endforeach()
unset(_libs)
# What the imported targets need (Threads, OpenMP of ggml's link interface) and where their files are.
file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/clika-llama-cpp-prebuilt.cmake" CONTENT
"# Generated by cmake/LlamaCpp.cmake: this build tree's llama.cpp libraries, for CLIKA_LLAMA_CPP_PREBUILT=${CMAKE_BINARY_DIR}
set(CLIKA_LLAMA_PREBUILT_SOURCE \"${_clika_llama_src}\")
set(CLIKA_LLAMA_PREBUILT_LIBS \"${_clika_llama_libs}\")
find_package(Threads REQUIRED)
${_clika_llama_openmp}include(\"\${CMAKE_CURRENT_LIST_DIR}/clika-llama-cpp-targets.cmake\")
")
unset(_clika_llama_openmp)

message(STATUS "llama.cpp: source=${_clika_llama_src} native=${CLIKA_LLAMA_NATIVE} avx512=${CLIKA_LLAMA_AVX512} vocab_dir=${CLIKA_LLAMA_VOCAB_DIR}")

unset(_clika_llama_rc)
unset(_clika_llama_out)
unset(_clika_multi_config)
