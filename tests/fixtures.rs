//! Fixture tests: every directory under `testdata/` that holds an `expected.txt` is scanned by the
//! real binary, from inside that directory, and its compact output must equal the file.
//!
//! Under `testdata/rules/<ID>/` only rule `<ID>` runs (so a fixture tests one rule); elsewhere all
//! rules run. A fixture directory may hold `args.txt` with extra arguments, one per line.
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

fn rule_under_test(dir: &Path, testdata: &Path) -> Option<String> {
    let relative = dir.strip_prefix(testdata).ok()?;
    let mut parts = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy());
    (parts.next()? == "rules").then(|| parts.next().map(|id| id.to_string()))?
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
        if let Some(rule) = rule_under_test(dir, &testdata) {
            command.args(["--rule", &rule]);
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
