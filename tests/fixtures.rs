//! Fixture tests: every directory under `testdata/` that holds an `expected.txt` is scanned by the
//! real binary, from inside that directory, and its compact output must equal the file.
//!
//! Under `testdata/rules/<ID>/` only rule `<ID>` runs (so a fixture tests one rule), and the case's
//! name states its intent, which is checked apart from the expected text (so re-blessing cannot
//! turn a failing fixture into a passing one): `fail*` must report a violation of the rule,
//! `pass*` no result of it but passing advice, `unknown*` an unknown result and `covered*` a covered one.
//! Elsewhere a fixture exercises a front end or a feature, and names the rules it exercises in
//! `rules.txt` (rule IDs separated by spaces or newlines): only they run, so rewording one rule's
//! message does not touch the fixtures of the others. A fixture directory may hold `args.txt` with
//! extra arguments, one per line.
//! `AKSGUARD_BLESS=1 cargo test --test fixtures` rewrites the expected files; review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture_dirs(root: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.join("expected.txt").is_file() {
                found.push(path.clone());
            }
            fixture_dirs(&path, found);
        }
    }
}

/// The rule a `testdata/rules/<ID>/<case>/` fixture tests, and its case name.
fn rule_under_test(dir: &Path, testdata: &Path) -> Option<(String, String)> {
    let relative = dir.strip_prefix(testdata).ok()?;
    let mut parts = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    if parts.next()? != "rules" {
        return None;
    }
    Some((parts.next()?, parts.next().unwrap_or_default()))
}

/// The rules a fixture outside `testdata/rules/` declares in its `rules.txt`.
fn declared_rules(dir: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(dir.join("rules.txt")).map_err(|error| {
        format!("no rules.txt ({error}): name the rules this fixture exercises, e.g. `AKS001`")
    })?;
    let rules: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    if rules.is_empty() {
        return Err("rules.txt names no rule".to_string());
    }
    Ok(rules)
}

/// The outcomes of `rule` in compact output: `violation`, `unknown` or `covered`, one per result.
fn outcomes<'a>(output: &'a str, rule: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let tag = format!("[{rule}] ");
    output.lines().filter_map(move |line| {
        let rest = &line[line.find(&tag)? + tag.len()..];
        Some(if rest.starts_with("(unknown)") {
            "unknown"
        } else if rest.starts_with("(covered)") {
            "covered"
        } else if rest.starts_with("(pass)") {
            "pass"
        } else {
            "violation"
        })
    })
}

/// What is wrong with a rule fixture's output given the intent its name states, if anything.
fn intent_problem(case: &str, rule: &str, output: &str) -> Option<String> {
    let found: Vec<&str> = outcomes(output, rule).collect();
    let wanted = ["fail", "pass", "unknown", "covered"]
        .into_iter()
        .find(|intent| case.starts_with(intent));
    let ok = match wanted {
        Some("fail") => found.contains(&"violation"),
        // A passing result with advice (`(pass)`) is still a pass.
        Some("pass") => found.iter().all(|outcome| *outcome == "pass"),
        Some("unknown") => found.contains(&"unknown"),
        Some("covered") => found.contains(&"covered"),
        _ => {
            return Some(format!(
                "case `{case}` does not start with fail, pass, unknown or covered"
            ))
        }
    };
    (!ok).then(|| match wanted {
        Some("pass") => format!("a `pass` fixture must report no {rule} result, found {found:?}"),
        Some(intent) => {
            format!("a `{intent}` fixture must report a {rule} {intent} result, found {found:?}")
        }
        None => unreachable!(),
    })
}

#[test]
fn fixtures_match_expected_results() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut dirs = Vec::new();
    fixture_dirs(&testdata, &mut dirs);
    assert!(
        dirs.len() >= 10,
        "expected fixture directories under testdata/, found {}",
        dirs.len()
    );
    let bless = std::env::var_os("AKSGUARD_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in &dirs {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aksguard"));
        command
            .current_dir(dir)
            .args(["scan", ".", "--format", "compact", "--fail-on", "never"])
            .env_remove("NO_COLOR")
            // Suppression expiry compares with "today": pin it so fixtures never rot.
            .env("AKSGUARD_TODAY", "2025-06-01");
        let under_test = rule_under_test(dir, &testdata);
        let rules = match &under_test {
            Some(_) if dir.join("rules.txt").exists() => {
                failures.push(format!(
                    "{}: rules.txt is not read under testdata/rules/<ID>/, where only <ID> runs",
                    dir.display()
                ));
                continue;
            }
            Some((rule, _)) => vec![rule.clone()],
            None => match declared_rules(dir) {
                Ok(rules) => rules,
                Err(problem) => {
                    failures.push(format!("{}: {problem}", dir.display()));
                    continue;
                }
            },
        };
        for rule in &rules {
            command.args(["--rule", rule]);
        }
        if let Ok(extra) = std::fs::read_to_string(dir.join("args.txt")) {
            command.args(extra.lines().map(str::trim).filter(|l| !l.is_empty()));
        }
        let output = command.output().expect("run aksguard");
        let actual = String::from_utf8(output.stdout).expect("utf-8 output");
        let expected_path = dir.join("expected.txt");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if !output.status.success() {
            failures.push(format!(
                "{}: exit {:?}\n{}",
                dir.display(),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ));
        } else if let Some(problem) = under_test
            .as_ref()
            .and_then(|(rule, case)| intent_problem(case, rule, &actual))
        {
            failures.push(format!("{}: {problem}\n{actual}", dir.display()));
        } else if bless {
            std::fs::write(&expected_path, &actual).expect("write expected.txt");
        } else if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}+++ actual\n{actual}",
                dir.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn intent_check_bites() {
    let violation = "main.tf:2:1: error[AKS001] `a` has no sensor\n";
    let unknown = "main.tf:2:1: warning[AKS001] (unknown) cannot tell\n";
    assert!(intent_problem("fail", "AKS001", violation).is_none());
    assert!(intent_problem("fail", "AKS001", "").is_some());
    assert!(intent_problem("fail", "AKS001", unknown).is_some());
    assert!(intent_problem("fail", "AKS002", violation).is_some());
    assert!(intent_problem("pass", "AKS001", "").is_none());
    assert!(intent_problem("pass", "AKS001", unknown).is_some());
    let advice = "main.tf:2:1: note[AKS001] (pass) migrate\n";
    assert!(intent_problem("pass-legacy", "AKS001", advice).is_none());
    assert!(intent_problem("fail", "AKS001", advice).is_some());
    assert!(intent_problem("unknown", "AKS001", unknown).is_none());
    assert!(intent_problem("covered-by-initiative", "AKS001", violation).is_some());
    assert!(intent_problem("misc", "AKS001", violation).is_some());
}
