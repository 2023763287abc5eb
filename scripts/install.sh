#!/usr/bin/env bash
# Install aksguard for the GitHub Action (or any CI): a prebuilt release binary, checksum-verified
# and cached, or a build from source.
#
# Environment:
#   AKSGUARD_VERSION      release to install, e.g. 0.2.0 (empty: build AKSGUARD_SOURCE_DIR)
#   AKSGUARD_BASE_URL     where releases live; the asset is $BASE/v$VERSION/aksguard-$TARGET.tar.gz
#                         (.zip on Windows) beside $BASE/v$VERSION/SHA256SUMS
#                         (default https://github.com/aksguard/aksguard/releases/download)
#   AKSGUARD_FROM_SOURCE  "true": skip the download, `cargo install` (the version from crates.io,
#                         or AKSGUARD_SOURCE_DIR when no version is given)
#   AKSGUARD_SOURCE_DIR   source checkout for builds without a version (the Action's own path)
#   RUNNER_TOOL_CACHE     cache root (default $HOME/.cache/aksguard-tools); the binary is kept in
#                         $RUNNER_TOOL_CACHE/aksguard/$VERSION/$ARCH/
#   GITHUB_PATH           when set, the binary's directory is appended to it
# A release that does not exist (the download fails) falls back to `cargo install`; a checksum
# that does not match fails, always. The last line printed is the installed binary's directory.
set -euo pipefail

version=${AKSGUARD_VERSION:-}
version=${version#v}
base=${AKSGUARD_BASE_URL:-https://github.com/aksguard/aksguard/releases/download}
from_source=${AKSGUARD_FROM_SOURCE:-false}
cache_root=${RUNNER_TOOL_CACHE:-$HOME/.cache/aksguard-tools}

log() { echo "aksguard install: $*" >&2; }

publish() {
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$1" >>"$GITHUB_PATH"; fi
  echo "$1"
}

build_from_source() {
  local root="$cache_root/aksguard/${version:-source}/cargo"
  if [ -n "$version" ]; then
    log "cargo install aksguard $version from crates.io"
    cargo install --locked --root "$root" aksguard --version "$version" >&2
  else
    log "cargo install from ${AKSGUARD_SOURCE_DIR:?AKSGUARD_SOURCE_DIR or AKSGUARD_VERSION is needed}"
    cargo install --locked --root "$root" --path "$AKSGUARD_SOURCE_DIR" >&2
  fi
  publish "$root/bin"
}

if [ "$from_source" = "true" ] || [ -z "$version" ]; then
  build_from_source
  exit 0
fi

os=$(uname -s)
arch=$(uname -m)
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) log "no release binary for architecture $arch"; build_from_source; exit 0 ;;
esac
ext=tar.gz
exe=aksguard
case "$os" in
  Linux) target="$arch-unknown-linux-musl" ;;
  Darwin) target="$arch-apple-darwin" ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) target="$arch-pc-windows-msvc"; ext=zip; exe=aksguard.exe ;;
  *) log "no release binary for $os"; build_from_source; exit 0 ;;
esac
asset="aksguard-$target.$ext"
dir="$cache_root/aksguard/$version/$arch"

if [ -x "$dir/$exe" ]; then
  log "using the cached $dir/$exe"
  publish "$dir"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="$base/v$version"
log "downloading $url/$asset"
if ! curl --fail --silent --show-error --location --retry 3 -o "$work/$asset" "$url/$asset" \
  || ! curl --fail --silent --show-error --location --retry 3 -o "$work/SHA256SUMS" "$url/SHA256SUMS"; then
  log "no release asset $asset for $version; building from source instead"
  build_from_source
  exit 0
fi

expected=$(awk -v name="$asset" '{ f = $2; sub(/^\*/, "", f) } f == name { print $1 }' "$work/SHA256SUMS")
if [ -z "$expected" ]; then
  log "error: SHA256SUMS has no entry for $asset"
  exit 1
fi
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$work/$asset" | awk '{ print $1 }')
else
  actual=$(shasum -a 256 "$work/$asset" | awk '{ print $1 }')
fi
if [ "$actual" != "$expected" ]; then
  log "error: checksum mismatch for $asset: expected $expected, got $actual"
  exit 1
fi

mkdir -p "$work/unpacked"
# GNU tar (Git Bash's on Windows runners) cannot read a zip; unzip ships with Git for Windows.
if [ "$ext" = zip ] && command -v unzip >/dev/null 2>&1; then
  unzip -q "$work/$asset" -d "$work/unpacked"
else
  tar -xf "$work/$asset" -C "$work/unpacked"
fi
found=$(find "$work/unpacked" -type f -name "$exe" | head -n 1)
if [ -z "$found" ]; then
  log "error: $asset holds no $exe"
  exit 1
fi
mkdir -p "$dir"
cp "$found" "$dir/$exe.partial"
chmod +x "$dir/$exe.partial"
mv "$dir/$exe.partial" "$dir/$exe"
log "installed $dir/$exe (sha256 $actual)"
publish "$dir"
