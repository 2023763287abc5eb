#!/usr/bin/env bash
# Fuzz smoke run: every cargo-fuzz target in fuzz/ (see fuzz/Cargo.toml), from its committed
# corpus, for an equal share of about 60 seconds in all. Runs on stable: `--sanitizer none` needs
# no nightly. Fails on any crash, hang (10 s on one input) or out-of-memory (2 GB); the input is
# left in fuzz/artifacts/<target>/ (`cargo fuzz run --sanitizer none <target> <file>` replays it).
# Prints what each step cost, in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.1
TOTAL_SECONDS=${AKSGUARD_FUZZ_SECONDS:-60}
# Debug assertions: integer overflow is a finding (it panics in `cargo test` builds).
FLAGS=(--sanitizer none --debug-assertions --codegen-units 16)

started=$SECONDS
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
installed=$SECONDS
# cargo fuzz has no --locked: fetching with it first fails when fuzz/Cargo.lock is stale.
cargo fetch --locked --manifest-path fuzz/Cargo.toml
cargo fuzz build "${FLAGS[@]}"
built=$SECONDS

mapfile -t targets < <(cargo fuzz list)
each=$((TOTAL_SECONDS / ${#targets[@]}))
((each >= 1)) || each=1
log=$(mktemp)
for target in "${targets[@]}"; do
  # New inputs go to a scratch directory: the committed corpus only changes by hand (cmin).
  scratch=$(mktemp -d)
  if ! cargo fuzz run "${FLAGS[@]}" "$target" "$scratch" "fuzz/corpus/$target" -- \
    -max_total_time="$each" -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "error: fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  # libFuzzer's closing line: `#<runs> DONE cov: <edges> ft: <features> corp: ...`.
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  echo "fuzz $target: ${each}s, ${done_line:-no DONE line}"
  rm -rf "$scratch"
done
finished=$SECONDS
echo "fuzz cost: install $((installed - started))s, build $((built - installed))s, run $((finished - built))s, total $((finished - started))s"
