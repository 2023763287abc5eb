#!/usr/bin/env python3
"""Record what `terraform console` answers for every expression in
testdata/terraform-functions/expressions.txt into testdata/terraform-functions/oracle.txt.

tests/terraform_functions.rs compares aksguard's evaluator with these answers, so it runs where no
terraform binary is. Rerun this where one is (TERRAFORM=/path/to/terraform, default
/usr/local/bin/terraform) after adding expressions:

    python3 scripts/terraform-oracle.py

Each expression runs as `jsonencode(EXPR)` in its own console process (offline, no providers), in
a copy of testdata/terraform-functions/main.tf, whose `variable "u" {}` has no value, so `var.u` is
unknown as in a plan. One
answer a line, tab-separated: the expression, then
  json <JSON text>          the value, as Terraform's jsonencode writes it
  sensitive-json <JSON>     a sensitive value (read back through nonsensitive)
  unknown                   Terraform prints (known after apply)
  infinity +Inf|-Inf         a number JSON cannot hold
  error <summary>: <detail> Terraform fails, with its message
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPRESSIONS = os.path.join(ROOT, "testdata", "terraform-functions", "expressions.txt")
ORACLE = os.path.join(ROOT, "testdata", "terraform-functions", "oracle.txt")
TERRAFORM = os.environ.get("TERRAFORM", "/usr/local/bin/terraform")


def hcl_unquote(text):
    """The string a console prints as an HCL quoted string."""
    assert text.startswith('"') and text.endswith('"'), text
    body, out, i = text[1:-1], [], 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
            elif nxt == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif nxt == "U":
                out.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                raise ValueError("unknown escape in " + text)
        elif body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(c + "{")
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def console(workdir, expression):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    run = subprocess.run(
        [TERRAFORM, "console", "-no-color"],
        input=expression + "\n",
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run.returncode, run.stdout.strip(), run.stderr


def error_message(stderr):
    lines = [re.sub(r"^[│╷╵ ]+", "", line).rstrip() for line in stderr.splitlines()]
    lines = [l for l in lines if l and not l.startswith("on <console-input>") and l != "(source code not available)"]
    summary = next((l[len("Error: "):] for l in lines if l.startswith("Error: ")), "")
    detail = " ".join(l for l in lines if not l.startswith("Error: ") and not l.startswith("Warning"))
    # A panic's stack trace says nothing stable.
    detail = " ".join(detail.split("goroutine")[0].split())
    return f"{summary}: {detail}".strip()


def answer(workdir, expression):
    code, out, err = console(workdir, f"jsonencode({expression})")
    if code != 0 and "cannot serialize infinity" in err:
        # JSON has no infinity: read the number back as a string.
        code, out, err = console(workdir, f"tostring({expression})")
        if code == 0:
            return "infinity " + hcl_unquote(out)
    if code != 0:
        return "error " + error_message(err)
    if out == "(known after apply)":
        return "unknown"
    if out == "(sensitive value)":
        code, out, err = console(workdir, f"nonsensitive(jsonencode({expression}))")
        if code != 0:
            return "error " + error_message(err)
        return "sensitive-json " + hcl_unquote(out)
    return "json " + hcl_unquote(out)


def main():
    with open(EXPRESSIONS, encoding="utf-8") as f:
        expressions = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    version = subprocess.run([TERRAFORM, "version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory() as workdir:
        shutil.copy(os.path.join(os.path.dirname(EXPRESSIONS), "main.tf"), workdir)
        lines = [f"# Answers of {version} (terraform console) for expressions.txt, by scripts/terraform-oracle.py.\n"]
        for expression in expressions:
            result = answer(workdir, expression)
            assert "\t" not in expression and "\n" not in result, expression
            lines.append(f"{expression}\t{result}\n")
    with open(ORACLE, "w", encoding="utf-8") as f:
        f.writelines(lines)
    print(f"{len(expressions)} answers written to {os.path.relpath(ORACLE, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
