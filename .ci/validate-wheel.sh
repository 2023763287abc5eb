#!/usr/bin/env bash
# Build the Python wheel (maturin, `bindings = "bin"`, from pyproject.toml), install it into a
# fresh virtualenv with no index (only the wheel), and run the `aksguard` it installs on the
# examples: it must fail on their findings and report exactly what the cargo-built binary does.
# maturin builds into cargo's target/ (release profile), so a later CI run reuses the build.
# The builder's virtualenv is cached under $WHEEL_BUILDER_VENV (default .ci/.cache/wheel-builder).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
builder=${WHEEL_BUILDER_VENV:-.ci/.cache/wheel-builder}
if [ ! -x "$builder/bin/maturin" ]; then
  echo "== installing maturin into $builder"
  python3 -m venv "$builder"
  "$builder/bin/pip" install --quiet --disable-pip-version-check "maturin>=1,<2"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== maturin build --release (wheel)"
"$builder/bin/maturin" build --release --locked --quiet -o "$work/wheels" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 1; }
wheel=$(find "$work/wheels" -name 'aksguard-*.whl' | head -n 1)
if [ -z "$wheel" ]; then
  echo "error: maturin wrote no aksguard wheel" >&2
  cat "$work/build.log"
  exit 1
fi
echo "built $(basename "$wheel")"
built=$(date +%s)

echo "== pip install of the wheel into a fresh virtualenv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
installed=$(date +%s)

echo "== the installed aksguard on testdata/examples"
"$work/venv/bin/aksguard" --version
set +e
"$work/venv/bin/aksguard" scan testdata/examples --format compact >"$work/wheel.txt" 2>&1
status=$?
set -e
# The examples hold violations: exit status 1, and the same report as the binary cargo builds.
if [ "$status" -ne 1 ]; then
  cat "$work/wheel.txt"
  echo "error: the wheel's aksguard exited $status on testdata/examples (expected 1: findings)" >&2
  exit 1
fi
finished=$(date +%s)
cargo run --locked --quiet -- scan testdata/examples --format compact >"$work/cargo.txt" 2>&1 || true
if ! diff -u "$work/cargo.txt" "$work/wheel.txt"; then
  echo "error: the wheel's aksguard reports differently from the cargo-built one" >&2
  exit 1
fi
for expected in "error[AKS001]" "testdata/examples/bicep/main.json:"; do
  if ! grep -qF "$expected" "$work/wheel.txt"; then
    echo "error: the wheel's report lacks '$expected'" >&2
    exit 1
  fi
done
echo "wheel: $(grep -c . "$work/wheel.txt") report lines, the same as the cargo-built binary's"
echo "wheel timings: build $((built - started))s, install $((installed - built))s, scan $((finished - installed))s, total $((finished - started))s"
