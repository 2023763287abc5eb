#!/usr/bin/env bash
# Release assets, laid out as scripts/install.sh downloads them:
#   scripts/release-assets.sh archive TARGET BINARY OUTDIR
#       OUTDIR/aksguard-TARGET.tar.gz (Windows targets: aksguard-TARGET.zip) holding the directory
#       aksguard-TARGET/ with the binary (aksguard or aksguard.exe), README.md and CHANGELOG.md
#   scripts/release-assets.sh checksums OUTDIR
#       OUTDIR/SHA256SUMS: "HASH  NAME" for every archive in OUTDIR, sorted by name
# Used by .github/workflows/release.yml and tested with install.sh in tests/release_assets.rs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# Python's zipfile CLI makes the Windows zip: Python is on every runner, `zip` is not.
python=${PYTHON:-python3}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  else
    shasum -a 256 "$1" | awk '{ print $1 }'
  fi
}

case "${1:-}" in
  archive)
    if [ $# -ne 4 ]; then
      echo "usage: $0 archive TARGET BINARY OUTDIR" >&2
      exit 2
    fi
    target=$2 binary=$3 outdir=$4
    if [ ! -f "$binary" ]; then
      echo "error: no binary at $binary" >&2
      exit 1
    fi
    case "$target" in
      *-windows-*) exe=aksguard.exe ext=zip ;;
      *) exe=aksguard ext=tar.gz ;;
    esac
    mkdir -p "$outdir"
    outdir=$(cd "$outdir" && pwd)
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    name="aksguard-$target"
    mkdir "$stage/$name"
    cp "$binary" "$stage/$name/$exe"
    chmod 755 "$stage/$name/$exe"
    cp "$root/README.md" "$root/CHANGELOG.md" "$stage/$name/"
    rm -f "$outdir/$name.$ext"
    if [ "$ext" = zip ]; then
      (cd "$stage" && "$python" -m zipfile -c "$outdir/$name.zip" "$name/")
    else
      tar -czf "$outdir/$name.tar.gz" -C "$stage" "$name"
    fi
    echo "$outdir/$name.$ext"
    ;;
  checksums)
    if [ $# -ne 2 ]; then
      echo "usage: $0 checksums OUTDIR" >&2
      exit 2
    fi
    cd "$2"
    shopt -s nullglob
    archives=(aksguard-*.tar.gz aksguard-*.zip)
    if [ ${#archives[@]} -eq 0 ]; then
      echo "error: no aksguard-*.tar.gz or aksguard-*.zip in $2" >&2
      exit 1
    fi
    : >SHA256SUMS.partial
    for archive in $(printf '%s\n' "${archives[@]}" | LC_ALL=C sort); do
      echo "$(sha256 "$archive")  $archive" >>SHA256SUMS.partial
    done
    mv SHA256SUMS.partial SHA256SUMS
    cat SHA256SUMS
    ;;
  *)
    echo "usage: $0 archive TARGET BINARY OUTDIR | checksums OUTDIR" >&2
    exit 2
    ;;
esac
