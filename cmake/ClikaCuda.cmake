# ClikaCuda.cmake -- the CUDA language for the cuda_native plugin, only where a CUDA compiler is found.
#
# Included from the top-level CMakeLists.txt (enable_language must run in the top directory so that tests and
# benchmarks in other directories can compile and link CUDA code too). Sets CLIKA_CUDA_ENABLED (ON/OFF).
#
#   CMAKE_CUDA_ARCHITECTURES   default "90-real;80-virtual": Hopper (H100/H200) machine code plus compute_80 PTX that
#                              the driver JIT-compiles on any other GPU from Ampere on (two compilations per .cu file)
#   CMAKE_CUDA_COMPILER        nvcc; found in PATH, $CUDACXX, <build>/_deps/cuda (scripts/install-cuda.sh: NVIDIA's
#                              PyPI wheels) or /usr/local/cuda/bin

include_guard(GLOBAL)
include(CheckLanguage)

set(CLIKA_CUDA_ENABLED OFF)
if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
  find_program(_clika_nvcc nvcc HINTS ${CMAKE_BINARY_DIR}/_deps/cuda/nvidia/cu13/bin /usr/local/cuda/bin)
  if(_clika_nvcc)
    set(CMAKE_CUDA_COMPILER "${_clika_nvcc}" CACHE FILEPATH "CUDA compiler")
  endif()
endif()
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(WARNING "cuda_native: SKIPPED -- no CUDA compiler (nvcc) found in PATH, $CUDACXX, "
    "${CMAKE_BINARY_DIR}/_deps/cuda or /usr/local/cuda: the cuda_native plugin and its tests are not built. "
    "Run scripts/install-cuda.sh (nvcc and cuBLAS from NVIDIA's PyPI wheels) and configure again.")
  return()
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "90-real;80-virtual" CACHE STRING "CUDA architectures (default: sm_90 SASS + compute_80 PTX)")
endif()
enable_language(CUDA)
# .cu files are C++17 (CMake 3.25 knows no CUDA20 flags for nvcc 13): targets set CUDA_STANDARD 17 themselves.
# CMake 3.25's FindCUDAToolkit fails on a toolkit without the long-deprecated nvToolsExt (the PyPI wheels have none)
# when the project asks for CMake >= 3.25; in a function the older minimum applies to the lookup alone. The imported
# CUDA:: targets are directory-scoped, so they outlive the function.
function(_clika_find_cuda_toolkit)
  set(CMAKE_MINIMUM_REQUIRED_VERSION 3.24)
  find_package(CUDAToolkit REQUIRED)
endfunction()
_clika_find_cuda_toolkit()
# The toolkit's lib folder is one of nvcc's implicit link directories, which CMake leaves out of RPATH: name it, so
# that the plugin and the tests find libcublas.so.13 in the build tree without LD_LIBRARY_PATH.
get_target_property(_clika_cublas CUDA::cublas IMPORTED_LOCATION)
get_filename_component(_clika_cuda_libdir "${_clika_cublas}" DIRECTORY)
list(APPEND CMAKE_BUILD_RPATH "${_clika_cuda_libdir}")
set(CLIKA_CUDA_ENABLED ON)
message(STATUS "cuda_native: CUDA ${CMAKE_CUDA_COMPILER_VERSION} (${CMAKE_CUDA_COMPILER}), architectures ${CMAKE_CUDA_ARCHITECTURES}")
