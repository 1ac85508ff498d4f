# ClikaCuda.cmake -- the CUDA language for the cuda_native plugin, only where a CUDA compiler is found.
#
# Included from the top-level CMakeLists.txt (enable_language must run in the top directory so that tests and
# benchmarks in other directories can compile and link CUDA code too). Sets CLIKA_CUDA_ENABLED (ON/OFF).
#
#   CMAKE_CUDA_ARCHITECTURES   default "90-real;80-virtual": Hopper (H100/H200) machine code plus compute_80 PTX that
#                              the driver JIT-compiles on any other GPU from Ampere on (two compilations per .cu file)
#   CMAKE_CUDA_COMPILER        nvcc; found in PATH, $CUDACXX or /usr/local/cuda/bin

include_guard(GLOBAL)
include(CheckLanguage)

set(CLIKA_CUDA_ENABLED OFF)
if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
  find_program(_clika_nvcc nvcc HINTS /usr/local/cuda/bin)
  if(_clika_nvcc)
    set(CMAKE_CUDA_COMPILER "${_clika_nvcc}" CACHE FILEPATH "CUDA compiler")
  endif()
endif()
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(STATUS "cuda_native: no CUDA compiler (nvcc) found -- the cuda_native plugin and its GPU tests are skipped")
  return()
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "90-real;80-virtual" CACHE STRING "CUDA architectures (default: sm_90 SASS + compute_80 PTX)")
endif()
enable_language(CUDA)
# .cu files are C++17 (CMake 3.25 knows no CUDA20 flags for nvcc 13): targets set CUDA_STANDARD 17 themselves.
find_package(CUDAToolkit REQUIRED)
set(CLIKA_CUDA_ENABLED ON)
message(STATUS "cuda_native: CUDA ${CMAKE_CUDA_COMPILER_VERSION} (${CMAKE_CUDA_COMPILER}), architectures ${CMAKE_CUDA_ARCHITECTURES}")
