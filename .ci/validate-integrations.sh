#!/usr/bin/env bash
# Validate the files that plug aksguard into other tools, with those tools themselves:
#  - action.yml against GitHub's action schema (check-jsonschema, from PyPI);
#  - .pre-commit-hooks.yaml with `pre-commit validate-manifest`;
#  - a real `pre-commit try-repo` of this repository (HEAD: commit first) on a scratch git
#    repository holding a failing Terraform fixture: the hook must fail and print the findings.
# Python tools go into a virtualenv under $INTEGRATIONS_VENV (default .ci/.cache/venv), once.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

venv=${INTEGRATIONS_VENV:-.ci/.cache/venv}
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/check-jsonschema" ]; then
  echo "== installing check-jsonschema and pre-commit into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema pre-commit
fi

echo "== check-jsonschema: action.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

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
set +e
# pre-commit builds the hook with `cargo install` of this repository's HEAD (language: rust).
(cd "$scratch" && PRE_COMMIT_HOME="$repo/.ci/.cache/pre-commit" \
  "$repo/$venv/bin/pre-commit" try-repo "$repo" aksguard --all-files --color never) >"$scratch/out.txt" 2>&1
hook_status=$?
set -e
cat "$scratch/out.txt"
if [ "$hook_status" -eq 0 ]; then
  echo "error: the hook passed on a failing fixture" >&2
  exit 1
fi
for expected in "error[AKS001]" "warning[AKS003]" "infra/main.tf:1:1:"; do
  if ! grep -qF "$expected" "$scratch/out.txt"; then
    echo "error: the hook's output lacks '$expected'" >&2
    exit 1
  fi
done
echo "pre-commit try-repo: the hook failed and printed the findings, as it should"
