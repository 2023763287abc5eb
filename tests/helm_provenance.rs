//! Provenance through a Helm chart, as the JSON report shows it: a finding decided by a values
//! key points at that key with the template action as related location, and a block an
//! `{{ if }}` left out names the values key that left it out.

use std::process::Command;

fn scan_json(dir: &str, args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .args(["scan", ".", "--format", "json", "--fail-on", "never"])
        .args(args)
        .output()
        .expect("run aksguard");
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).expect("json report")
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report}"))
}

fn place(location: &serde_json::Value) -> String {
    format!(
        "{}:{}:{}",
        location["path"].as_str().unwrap(),
        location["start"]["line"],
        location["start"]["column"]
    )
}

#[test]
fn a_value_finding_points_at_the_values_line_with_the_template_as_related() {
    let report = scan_json("testdata/helm/defender-off", &[]);
    let aks001 = finding(&report, "AKS001");
    assert_eq!(place(&aks001["location"]), "values.yaml:5:12");
    let related = &aks001["related"][0];
    assert_eq!(place(&related["location"]), "templates/cluster.yaml:14:18");
    assert!(related["message"]
        .as_str()
        .unwrap()
        .contains("template action"));
}

#[test]
fn a_block_left_out_names_the_values_key_only_on_the_finding_about_it() {
    let args = [
        "--values",
        "env/prod.yaml",
        "--set",
        "defender.enabled=true,name=aks-prod",
    ];
    let report = scan_json("testdata/helm/values-override", &args);
    let aks002 = finding(&report, "AKS002");
    assert_eq!(
        place(&aks002["location"]),
        "chart/templates/cluster.yaml:5:1"
    );
    let related = &aks002["related"][0];
    assert_eq!(place(&related["location"]), "env/prod.yaml:3:12");
    assert!(related["message"]
        .as_str()
        .unwrap()
        .contains(".Values.policy.enabled"));
    // The tag finding is about a value, not about the block the condition left out.
    let aks003 = finding(&report, "AKS003");
    assert!(!aks003["related"].to_string().contains("left a block"));
}

#[test]
fn a_template_scanned_alone_is_rendered_with_its_chart() {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm/defender-off"),
        )
        .args([
            "scan",
            "templates/cluster.yaml",
            "--format",
            "compact",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run aksguard");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("values.yaml:5:12: error[AKS001]"),
        "{stdout}"
    );
    assert!(!stdout.contains("E001"), "{stdout}");
}
