#!/usr/bin/env bash
# Validate aksguard's SARIF of testdata/ with the Microsoft SARIF Multitool, using the SARIF
# rules and GitHub's ingestion rules ("Sarif;Gh"). The Multitool exits 0 even when it finds
# errors, so this reads its output log and fails on any error-level result.
#
# Usage: .ci/validate-sarif.sh [path/to/aksguard]   (default: builds and uses target/debug)
# Needs node + npm (the npm registry). The tool is installed under $SARIF_TOOL_DIR (default
# .ci/.cache/sarif-multitool), once.
set -euo pipefail
cd "$(dirname "$0")/.."

aksguard=${1:-}
if [ -z "$aksguard" ]; then
  cargo build --locked --quiet
  aksguard="${CARGO_TARGET_DIR:-target}/debug/aksguard"
fi

tool_dir=${SARIF_TOOL_DIR:-.ci/.cache/sarif-multitool}
multitool="$tool_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$multitool" ]; then
  echo "== installing @microsoft/sarif-multitool into $tool_dir"
  mkdir -p "$tool_dir"
  npm install --prefix "$tool_dir" --no-audit --no-fund --silent @microsoft/sarif-multitool >/dev/null
fi
# The .NET single-file tool needs ICU unless told to run without it.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
validate() {
  local name=$1; shift
  local input="$work/$name.sarif" log="$work/$name.validation.sarif"
  # Findings make aksguard exit 1; only a usage/internal error (2) is a failure here.
  "$aksguard" scan "$@" --format sarif --output "$input" --fail-on never
  "$multitool" validate --rule-kind "Sarif;Gh" -o "$log" "$input" --log ForceOverwrite >/dev/null
  node - "$log" "$name" <<'JS' || status=1
const [log, name] = process.argv.slice(2);
const sarif = JSON.parse(require("fs").readFileSync(log, "utf8"));
const results = sarif.runs.flatMap((run) => run.results || []);
const errors = results.filter((r) => (r.level || "warning") === "error");
for (const r of results) {
  const where = r.locations?.[0]?.physicalLocation?.region?.startLine ?? "?";
  const text = r.message?.text ?? `${r.message?.id} ${JSON.stringify(r.message?.arguments)}`;
  console.log(`  ${r.level || "warning"} ${r.ruleId} (line ${where}): ${text}`);
}
const notifications = sarif.runs.flatMap((run) => run.invocations || [])
  .flatMap((i) => [...(i.toolExecutionNotifications || []), ...(i.toolConfigurationNotifications || [])])
  .filter((n) => n.level === "error");
for (const n of notifications) console.log(`  tool error: ${n.message?.text}`);
console.log(`${name}: ${errors.length} error(s), ${results.length - errors.length} other result(s)`);
process.exit(errors.length + notifications.length > 0 ? 1 : 0);
JS
}

# Every fixture but testdata/malformed, whose runaway inputs report ten thousand clusters by design
# (a 135 MB SARIF, past the Multitool's size limit and GitHub's 25,000 results): the report is
# checked for its format here, not its volume.
mapfile -t fixtures < <(find testdata -mindepth 1 -maxdepth 1 -type d ! -name malformed | sort)
echo "== SARIF Multitool (Sarif;Gh) on the SARIF of testdata/ (without malformed/)"
validate testdata "${fixtures[@]}"
validate testdata-with-suppressed "${fixtures[@]}" --sarif-include-suppressed --category aksguard/ci

# The check must be able to fail: an absolute URI is an error the Multitool reports (SARIF1004).
# If it goes unnoticed, the tool is not validating and the green result above means nothing.
echo "== self-check: a broken SARIF must be rejected"
"$aksguard" scan "${fixtures[@]}" --format sarif --fail-on never 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);
      j.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri="/absolute/main.tf";
      process.stdout.write(JSON.stringify(j));})' >"$work/broken.sarif"
"$multitool" validate --rule-kind "Sarif;Gh" -o "$work/broken.log.sarif" "$work/broken.sarif" --log ForceOverwrite >/dev/null
if node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
    process.exit(j.runs.flatMap(r=>r.results||[]).some(r=>r.level==="error")?0:1)' "$work/broken.log.sarif"; then
  echo "self-check: rejected as expected"
else
  echo "error: the Multitool accepted a SARIF with an absolute URI; the validation is not working" >&2
  status=1
fi
exit $status
