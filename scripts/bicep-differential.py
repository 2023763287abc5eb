#!/usr/bin/env python3
"""Differential check of the Bicep front end against the Bicep compiler's own output.

For each module directory given (a folder that commits `main.bicep` and the `main.json` that
`bicep build` made from it, as Azure Verified Modules do), scan the `.bicep` sources alone and the
compiled `main.json` alone, and compare the (rule, outcome, resource) triples aksguard reports.
Module test folders (`tests/`) are left out of both sides: the compiler's output for them is not
committed. Prints one line per module and the triples that differ, then a summary; exits 1 if
any module differs for a reason other than registry modules (which `bicep build` inlines into
main.json and aksguard does not fetch, E003).

usage: scripts/bicep-differential.py AKSGUARD_BINARY MODULE_DIR...
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def copy_tree(source: Path, target: Path, keep) -> None:
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if "tests" in relative.parts or not path.is_file() or not keep(path):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def results(binary: str, directory: Path) -> set:
    run = subprocess.run(
        [binary, "scan", ".", "--format", "json", "--fail-on", "never"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode not in (0, 1):
        raise SystemExit(f"aksguard failed in {directory}: {run.stderr}")
    report = json.loads(run.stdout)
    return {
        (r["rule"], r["outcome"], normalise(r.get("resource") or ""))
        for r in report["results"]
    }


def normalise(address: str) -> str:
    """A name that cannot be evaluated is shown as its source: ARM `[parameters('name')]`, Bicep
    `${name}`. Map the simple ARM forms onto the Bicep one so that the same resource compares
    equal."""
    return re.sub(r"\[(?:parameters|variables)\('(\w+)'\)\]", r"${\1}", address)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    differ = 0
    counts = {}
    for module in map(Path, sys.argv[2:]):
        with tempfile.TemporaryDirectory() as bicep_dir, tempfile.TemporaryDirectory() as json_dir:
            # The whole folder: files that loadJsonContent() reads stay beside the sources, and
            # aksguard itself leaves out each main.json compiled from the main.bicep beside it.
            copy_tree(module, Path(bicep_dir), lambda p: True)
            # Only the top template: child modules' main.json are inlined in it as nested deployments.
            shutil.copyfile(module / "main.json", Path(json_dir) / "main.json")
            from_bicep = results(binary, Path(bicep_dir))
            from_json = results(binary, Path(json_dir))
        only_bicep = from_bicep - from_json
        only_json = from_json - from_bicep
        # `bicep build` inlines registry modules into main.json; aksguard does not fetch them from
        # the .bicep (E003). Differences of that kind alone are explained.
        registry = any(rule == "E003" for rule, _, _ in only_bicep)
        explained = registry and all(rule == "E003" for rule, _, _ in only_bicep)
        if not only_bicep and not only_json:
            verdict = "same"
        elif explained:
            verdict = "DIFFER (explained: registry modules, inlined in main.json, not fetched from .bicep)"
        else:
            verdict = "DIFFER (unexplained)"
            differ += 1
        counts[verdict] = counts.get(verdict, 0) + 1
        print(f"{verdict}  {module}  ({len(from_bicep)} results from .bicep, {len(from_json)} from main.json)")
        for triple in sorted(only_bicep):
            print(f"    only .bicep: {triple}")
        for triple in sorted(only_json):
            print(f"    only .json:  {triple}")
        for triple in sorted(from_bicep & from_json):
            print(f"    both:        {triple}")
    for verdict, count in sorted(counts.items()):
        print(f"{count} modules: {verdict}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
