#!/usr/bin/env bash
# Brings the CUDA toolkit pieces cuda_native compiles against (nvcc, runtime headers, static runtime, cuBLAS) from
# NVIDIA's PyPI wheels, pinned with hashes in scripts/cuda-requirements.txt, into build/_deps/cuda (CMake finds nvcc
# there by itself). Idempotent. Prints the toolkit root on its last line. Exits 0 without installing, saying why, where
# the wheels do not exist (not x86_64 Linux) or CLIKA_CUDA=off: the build then skips cuda_native and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${CLIKA_CUDA_DIR:-build/_deps/cuda}
root=$dest/nvidia/cu13
stamp=$dest/.installed
reqs=scripts/cuda-requirements.txt

if [[ ${CLIKA_CUDA:-on} == off ]]; then
  echo "install-cuda: CLIKA_CUDA=off, not installing (cuda_native will be skipped)"; exit 0
fi
if [[ $(uname -s)-$(uname -m) != Linux-x86_64 ]]; then
  echo "install-cuda: the pinned wheels are for Linux x86_64, this is $(uname -s)-$(uname -m): not installing (cuda_native will be skipped)"
  exit 0
fi
if [[ -f $stamp ]] && cmp -s "$stamp" "$reqs" && [[ -x $root/bin/nvcc ]]; then
  echo "install-cuda: present"; echo "$root"; exit 0
fi

python=${PYTHON:-python3}
echo "install-cuda: installing nvcc, the CUDA runtime and cuBLAS (CUDA 13.0, ~0.9 GB) from PyPI into $dest"
rm -rf "$dest"
"$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --require-hashes --only-binary=:all: \
  --target "$dest" -r "$reqs"

# The wheels hold one toolkit tree without the links a CUDA installation has: nvcc.profile looks under
# targets/<arch>/{include,lib}, FindCUDAToolkit links the unversioned libcublas.so / libcudart.so.
mkdir -p "$root/targets/x86_64-linux"
ln -sfn ../../include "$root/targets/x86_64-linux/include"
ln -sfn ../../lib "$root/targets/x86_64-linux/lib"
ln -sfn lib "$root/lib64"
for lib in "$root"/lib/lib*.so.*; do
  ln -sfn "$(basename "$lib")" "${lib%%.so.*}.so"
done
cp "$reqs" "$stamp"
"$root/bin/nvcc" --version | tail -2
echo "$root"
