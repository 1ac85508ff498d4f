#!/usr/bin/env bash
# fetch-onnxruntime.sh DEST_DIR
#
# Materialises a pinned ONNX Runtime (Linux x86-64, CPU) in DEST_DIR:
#   DEST_DIR/lib/libonnxruntime.so            the runtime library
#   DEST_DIR/lib/libonnxruntime.so.1          the same file under its SONAME (what the loader looks for)
#   DEST_DIR/lib/libonnxruntime_providers_shared.so   needed by optional execution providers (CUDA)
#   DEST_DIR/include/onnxruntime_*.h          the C/C++ API headers (onnxruntime_c_api.h needs its siblings)
#   DEST_DIR/VERSION                          "ort=<runtime version> api=<ORT_API_VERSION of the headers>"
#
# Both come from the npm package `com.github.asus4.onnxruntime` (a Unity package that ships the official ONNX Runtime
# binaries): Plugins/Linux/x64/libonnxruntime.so is runtime 1.29.0 and the iOS framework folders hold the C API
# headers of API version 29. We pin the npm version and the sha256 of the tarball and of the library, so the result is
# reproducible and tamper-evident.
#
# Optional: with CLIKA_ORT_GPU=1 the matching CUDA execution provider package
# (`com.github.asus4.onnxruntime.linux-x64-gpu`, same version, also sha256-pinned) is added to DEST_DIR/lib.
#
# This touches the network (npm registry) only when DEST_DIR does not hold this exact pin yet. Idempotent: a stamp
# file records the pin; when it matches, the script exits at once.
#
# Offline use: set CLIKA_ORT_TGZ=/path/to/com.github.asus4.onnxruntime-<ver>.tgz to use a previously downloaded
# tarball instead of `npm pack` (still verified).

set -euo pipefail

# ---- pins -------------------------------------------------------------------
ORT_NPM_PACKAGE="com.github.asus4.onnxruntime"
ORT_NPM_VERSION="0.4.9"
ORT_TGZ_SHA256="e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d"
ORT_LIB_SHA256="5715f06d8992ca8eeeddcce43df3a7d38f97d537052126f558e912cb312460ca"
ORT_RUNTIME_VERSION="1.29.0"   # what the library reports (OrtGetApiBase()->GetVersionString())
ORT_HEADER_API="29"            # ORT_API_VERSION in the headers
ORT_HEADERS_IN="package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
ORT_GPU_NPM_PACKAGE="com.github.asus4.onnxruntime.linux-x64-gpu"
ORT_GPU_TGZ_SHA256="2b459e0c17f340c92970c10ed86de4f37a3009f93c14053e6ad4334cbb6be412"
# -----------------------------------------------------------------------------

STAMP_NAME=".clika-onnxruntime.stamp"

die() { echo "fetch-onnxruntime: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-onnxruntime: $*" >&2; }

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 DEST_DIR"
command -v tar >/dev/null 2>&1 || die "'tar' is required but not found in PATH"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{print $1}'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | awk '{print $1}'
    else
        die "neither sha256sum nor shasum found"
    fi
}

verify() {  # verify FILE EXPECTED WHAT
    local got
    got="$(sha256_of "$1")"
    [[ "$got" == "$2" ]] || die "sha256 mismatch for $3
    expected: $2
    got:      $got
  The registry content differs from the pinned one. Do NOT just update the pin unless you have verified the new file."
    log "$3 sha256 OK"
}

DEST_ARG="${1%/}"
DEST_PARENT="$(dirname -- "$DEST_ARG")"
mkdir -p -- "$DEST_PARENT"
DEST="$(cd -- "$DEST_PARENT" && pwd -P)/$(basename -- "$DEST_ARG")"
STAMP="$DEST/$STAMP_NAME"
WANT_GPU="${CLIKA_ORT_GPU:-0}"

EXPECTED_STAMP="${ORT_NPM_PACKAGE}=${ORT_NPM_VERSION}
tgz-sha256=${ORT_TGZ_SHA256}
lib-sha256=${ORT_LIB_SHA256}
onnxruntime=${ORT_RUNTIME_VERSION}
api=${ORT_HEADER_API}
gpu=${WANT_GPU}"

# ---- fast path: already there ----------------------------------------------
if [[ -f "$STAMP" && -f "$DEST/lib/libonnxruntime.so.1" && -f "$DEST/include/onnxruntime_c_api.h" ]] \
    && [[ "$(cat -- "$STAMP")" == "$EXPECTED_STAMP" ]]; then
    log "ONNX Runtime ${ORT_RUNTIME_VERSION} (API ${ORT_HEADER_API}) already present in $DEST (up to date)"
    exit 0
fi

if [[ -e "$DEST" ]]; then
    if [[ -f "$STAMP" ]]; then
        log "existing $DEST has a different pin; replacing it"
    elif [[ -d "$DEST" && -z "$(ls -A -- "$DEST")" ]]; then
        :
    else
        die "$DEST exists and was not created by this script (no $STAMP_NAME); remove it or choose another DEST_DIR"
    fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fetch-onnxruntime.XXXXXX")"
NEW_TREE=""
cleanup() {
    rm -rf -- "$WORK"
    if [[ -n "$NEW_TREE" && -d "$NEW_TREE" ]]; then rm -rf -- "$NEW_TREE"; fi
}
trap cleanup EXIT

npm_pack() {  # npm_pack PACKAGE VERSION -> prints the tarball path
    command -v npm >/dev/null 2>&1 || die "'npm' is required to download $1@$2 (or set CLIKA_ORT_TGZ)"
    log "downloading $1@$2 via npm pack"
    (cd "$WORK" && npm pack --silent --ignore-scripts --pack-destination "$WORK" "$1@$2" >/dev/null 2>"$WORK/npm.log") \
        || die "npm pack $1@$2 failed (network / registry problem?):
$(grep -v 'Unknown user config' "$WORK/npm.log" | tail -n 5)"
    [[ -f "$WORK/$1-$2.tgz" ]] || die "npm pack did not produce $WORK/$1-$2.tgz"
    echo "$WORK/$1-$2.tgz"
}

# ---- 1. the tarball --------------------------------------------------------------
if [[ -n "${CLIKA_ORT_TGZ:-}" ]]; then
    [[ -f "$CLIKA_ORT_TGZ" ]] || die "CLIKA_ORT_TGZ=$CLIKA_ORT_TGZ does not exist"
    TGZ="$CLIKA_ORT_TGZ"
    log "using local tarball $TGZ"
else
    TGZ="$(npm_pack "$ORT_NPM_PACKAGE" "$ORT_NPM_VERSION")"
fi
verify "$TGZ" "$ORT_TGZ_SHA256" "${ORT_NPM_PACKAGE}-${ORT_NPM_VERSION}.tgz"

# ---- 2. extract library + headers -------------------------------------------------
tar -xzf "$TGZ" -C "$WORK" package/Plugins/Linux/x64/libonnxruntime.so package/Plugins/Linux/x64/libonnxruntime_providers_shared.so \
    "$ORT_HEADERS_IN" || die "the tarball lacks Plugins/Linux/x64/libonnxruntime.so or the C API headers"
verify "$WORK/package/Plugins/Linux/x64/libonnxruntime.so" "$ORT_LIB_SHA256" "libonnxruntime.so"

NEW_TREE="$(mktemp -d "${DEST}.tmp.XXXXXX")"
chmod 755 "$NEW_TREE"
mkdir -p "$NEW_TREE/lib" "$NEW_TREE/include"
cp "$WORK/package/Plugins/Linux/x64/libonnxruntime.so" "$NEW_TREE/lib/libonnxruntime.so.1"
ln -s libonnxruntime.so.1 "$NEW_TREE/lib/libonnxruntime.so"
cp "$WORK/package/Plugins/Linux/x64/libonnxruntime_providers_shared.so" "$NEW_TREE/lib/"
cp "$WORK/$ORT_HEADERS_IN"/*.h "$NEW_TREE/include/"

api="$(sed -n 's/^#define ORT_API_VERSION \([0-9]*\).*/\1/p' "$NEW_TREE/include/onnxruntime_c_api.h")"
[[ "$api" == "$ORT_HEADER_API" ]] || die "onnxruntime_c_api.h has ORT_API_VERSION '$api', expected $ORT_HEADER_API"
if command -v objdump >/dev/null 2>&1; then
    soname="$(objdump -p "$NEW_TREE/lib/libonnxruntime.so.1" | awk '$1 == "SONAME" {print $2}')"
    [[ "$soname" == "libonnxruntime.so.1" ]] || die "libonnxruntime.so has SONAME '$soname', expected libonnxruntime.so.1"
fi

# ---- 3. optional CUDA execution provider -------------------------------------------
if [[ "$WANT_GPU" == "1" ]]; then
    GPU_TGZ="$(npm_pack "$ORT_GPU_NPM_PACKAGE" "$ORT_NPM_VERSION")"
    verify "$GPU_TGZ" "$ORT_GPU_TGZ_SHA256" "${ORT_GPU_NPM_PACKAGE}-${ORT_NPM_VERSION}.tgz"
    mkdir -p "$WORK/gpu"
    tar -xzf "$GPU_TGZ" -C "$WORK/gpu" package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so
    [[ -f "$WORK/gpu/package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so" ]] \
        || die "$ORT_GPU_NPM_PACKAGE has no Plugins/Linux/x64/libonnxruntime_providers_cuda.so"
    cp "$WORK/gpu/package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so" "$NEW_TREE/lib/"
fi

printf 'ort=%s api=%s\n' "$ORT_RUNTIME_VERSION" "$ORT_HEADER_API" > "$NEW_TREE/VERSION"
printf '%s\n' "$EXPECTED_STAMP" > "$NEW_TREE/$STAMP_NAME"

# ---- 4. move into place ---------------------------------------------------------------
if [[ -e "$DEST" ]]; then rm -rf -- "$DEST"; fi
mv -- "$NEW_TREE" "$DEST"
NEW_TREE=""
log "ONNX Runtime ${ORT_RUNTIME_VERSION} (API ${ORT_HEADER_API}, ${ORT_NPM_PACKAGE}@${ORT_NPM_VERSION}) -> $DEST"
