#!/usr/bin/env python3
"""Render a Helm chart with the real Helm engine (PyPI `helm-python-sdk`, Helm v4 as a library,
offline) and with `aksguard render`, and compare the manifests as parsed YAML.

Used as an oracle only: aksguard never depends on it.

    pip install helm-python-sdk pyyaml
    scripts/helm-oracle.py CHART_DIR [--values FILE]... [--set K=V]... [--record FILE]
    scripts/helm-oracle.py --survey DIR...     # every chart below DIR, one line each

`--record FILE` writes Helm's answer (parsed manifests per template) as JSON, the form
tests/helm_oracle.rs compares against without the SDK. Exit status 1 when a chart differs.
"""

import argparse
import json
import os
import subprocess
import sys

import yaml

AKSGUARD = os.environ.get("AKSGUARD", "target/debug/aksguard")


def deep_merge(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def parse_docs(text):
    """Documents of a manifest stream, empty ones dropped (as Kubernetes tools drop them)."""
    return [d for d in yaml.safe_load_all(text) if d is not None]


def helm_render(chart_dir, values_files, sets):
    import helm_python as helm

    values = {}
    for path in values_files:
        with open(path) as f:
            deep_merge(values, yaml.safe_load(f) or {})
    for assignment in sets:
        deep_merge(values, helm.parse_set_string(assignment) if hasattr(helm, "parse_set_string") else {})
    chart = helm.Chart.load(chart_dir)
    rendered = chart.render(values, name="release-name", namespace="default")
    manifests = {}
    for name, text in sorted(rendered.items()):
        base = name.rsplit("/", 1)[-1]
        if base == "NOTES.txt" or base.startswith("_"):
            continue
        # `helm template` ends every manifest with a newline; so does `aksguard render`.
        if not text.endswith("\n"):
            text += "\n"
        docs = parse_docs(text)
        if docs:
            manifests[name] = docs
    return manifests


def aksguard_render(chart_dir, values_files, sets):
    args = [AKSGUARD, "render", chart_dir]
    for path in values_files:
        args += ["--values", path]
    for assignment in sets:
        args += ["--set", assignment]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    manifests, unknown = {}, {}
    for block in out.stdout.split("---\n# Source: ")[1:]:
        name, _, text = block.partition("\n")
        if text.startswith("# aksguard: not rendered: "):
            unknown[name] = text[len("# aksguard: not rendered: "):].strip()
            continue
        try:
            docs = parse_docs(text)
        except yaml.YAMLError as error:
            unknown[name] = f"rendering is not YAML: {error}"
            continue
        if docs:
            manifests[name] = docs
    return manifests, unknown


def compare(chart_dir, values_files, sets):
    """(verdict, detail): equal, unknown (aksguard names a construct), differ, helm-fails."""
    try:
        expected = helm_render(chart_dir, values_files, sets)
    except Exception as error:  # Helm itself fails: aksguard must say unknown, not E001.
        _, unknown = aksguard_render(chart_dir, values_files, sets)
        return "helm-fails", f"{str(error).splitlines()[0][:160]}; aksguard unknown in {len(unknown)} template(s)"
    actual, unknown = aksguard_render(chart_dir, values_files, sets)
    differing = [n for n in expected if n not in unknown and actual.get(n) != expected[n]]
    extra = [n for n in actual if n not in expected]
    if differing or extra:
        return "differ", f"{(differing + extra)[:3]}"
    if unknown:
        return "unknown", "; ".join(f"{n}: {m}" for n, m in list(unknown.items())[:2])
    return "equal", f"{len(expected)} template(s)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("charts", nargs="+")
    parser.add_argument("--values", action="append", default=[])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--record")
    parser.add_argument("--survey", action="store_true")
    args = parser.parse_args()
    if args.record:
        manifests = helm_render(args.charts[0], args.values, args.set)
        with open(args.record, "w") as f:
            json.dump({"values": args.values, "set": args.set, "manifests": manifests}, f, indent=1, sort_keys=True, default=str)
            f.write("\n")
        return 0
    charts = args.charts
    if args.survey:
        charts = []
        for root in args.charts:
            for dirpath, dirnames, filenames in os.walk(root):
                # A chart's own `charts/` holds its subcharts, rendered with it.
                skip = {".git", "charts"} if "Chart.yaml" in filenames else {".git"}
                dirnames[:] = sorted(d for d in dirnames if d not in skip)
                if "Chart.yaml" in filenames:
                    charts.append(dirpath)
    counts = {}
    for chart in charts:
        verdict, detail = compare(chart, args.values, args.set)
        counts[verdict] = counts.get(verdict, 0) + 1
        print(f"{verdict:10} {chart}: {detail}")
    print("summary:", json.dumps(counts, sort_keys=True))
    return 1 if counts.get("differ") else 0


if __name__ == "__main__":
    sys.exit(main())
