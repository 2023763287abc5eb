//! aksguard's Helm rendering against the real Helm engine: `helm-oracle.json` files under
//! `testdata/helm/` hold what Helm v4 (PyPI `helm-python-sdk`, run by `scripts/helm-oracle.py
//! --record`) renders for that chart, as parsed manifests per template. Each template aksguard
//! renders must parse to the same documents, so this test runs without the SDK.

use std::path::Path;
use std::process::Command;

use aksguard::value::{Value, ValueKind};

fn to_json(value: &Value) -> serde_json::Value {
    match &value.kind {
        ValueKind::Null | ValueKind::Unknown(_) => serde_json::Value::Null,
        ValueKind::Bool(b) => serde_json::Value::Bool(*b),
        ValueKind::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => serde_json::json!(*n as i64),
        ValueKind::Number(n) => serde_json::json!(n),
        ValueKind::String(s) => serde_json::Value::String(s.clone()),
        ValueKind::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        ValueKind::Object(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| (e.key.to_string(), to_json(&e.value)))
                .collect(),
        ),
    }
}

fn render(chart: &Path, values: &[String], set: &[String]) -> Vec<(String, String)> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aksguard"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("render")
        .arg(chart);
    for file in values {
        command.args(["--values", file]);
    }
    for assignment in set {
        command.args(["--set", assignment]);
    }
    let output = command.output().expect("run aksguard render");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    stdout
        .split("---\n# Source: ")
        .skip(1)
        .map(|block| {
            let (name, text) = block.split_once('\n').unwrap_or((block, ""));
            (name.to_string(), text.to_string())
        })
        .collect()
}

#[test]
fn rendering_matches_recorded_helm_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for case in entries {
        let oracle_path = case.join("helm-oracle.json");
        let Ok(oracle) = std::fs::read_to_string(&oracle_path) else {
            continue;
        };
        let oracle: serde_json::Value = serde_json::from_str(&oracle).unwrap();
        let strings = |key: &str| -> Vec<String> {
            oracle[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let chart = match oracle["chart"].as_str() {
            Some(chart) => Path::new("testdata/helm").join(chart),
            None => continue,
        };
        let expected = oracle["manifests"].as_object().unwrap();
        let rendered = render(&chart, &strings("values"), &strings("set"));
        let mut seen = Vec::new();
        for (name, text) in rendered {
            assert!(
                !text.starts_with("# aksguard: not rendered"),
                "{}: {name} is not rendered: {text}",
                case.display()
            );
            let documents: Vec<serde_json::Value> = aksguard::frontend::yaml::parse_stream(&text)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"))
                .iter()
                .filter(|d| !d.is_null())
                .map(to_json)
                .collect();
            if documents.is_empty() {
                continue;
            }
            assert_eq!(
                Some(&serde_json::Value::Array(documents)),
                expected.get(&name),
                "{}: {name} differs from Helm",
                case.display()
            );
            seen.push(name);
        }
        let mut wanted: Vec<&String> = expected.keys().collect();
        wanted.sort();
        seen.sort();
        assert_eq!(
            seen.iter().collect::<Vec<_>>(),
            wanted,
            "{}: templates",
            case.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected recorded Helm answers for 4 charts, found {checked}"
    );
}
