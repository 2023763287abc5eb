//! Where users run aksguard: config files, suppressions, baselines and the CI-facing formats
//! (GitHub workflow commands, JUnit XML, SARIF for code scanning), through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn aksguard_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("AKSGUARD_TODAY", "2025-06-01")
        .output()
        .expect("run aksguard")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

const FAILING: &str = "testdata/rules/AKS003/fail";

#[test]
fn config_mistakes_exit_2_with_a_snippet_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join(FAILING).join("main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".aksguard.toml"),
        "[tags]\nrequried = [\"owner\"]\n\n[[ignore]]\nrule = \"AKS003\"\n",
    )
    .unwrap();
    let output = aksguard_in(dir.path(), &["scan", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    insta::assert_snapshot!("config_error", text(&output.stderr));
}

#[test]
fn config_is_found_from_the_scanned_path_upwards() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("infra/aks");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::copy(repo().join(FAILING).join("main.tf"), module.join("main.tf")).unwrap();
    std::fs::write(
        dir.path().join(".aksguard.toml"),
        "[rules]\nAKS001 = \"off\"\nAKS002 = \"off\"\nAKS003 = \"note\"\n",
    )
    .unwrap();
    let output = aksguard_in(dir.path(), &["scan", "infra/aks", "--format", "compact"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout.lines().all(|l| l.contains("note[AKS003]")),
        "{stdout}"
    );
    // --config overrides discovery.
    let explicit = aksguard_in(
        dir.path(),
        &[
            "scan",
            "infra/aks",
            "--format",
            "compact",
            "--config",
            "/dev/null",
        ],
    );
    assert_eq!(explicit.status.code(), Some(1));
}

#[test]
fn unknown_config_file_is_an_error() {
    let output = aksguard_in(repo(), &["scan", FAILING, "--config", "no/such.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot read"));
}

#[test]
fn github_format_annotates_ten_per_level_then_logs() {
    let dir = tempfile::tempdir().unwrap();
    // 12 clusters without anything: 12 AKS001 + 12 AKS002 errors, 12 AKS003 warnings.
    let mut tf = String::new();
    for i in 0..12 {
        tf.push_str(&format!(
            "resource \"azurerm_kubernetes_cluster\" \"c{i:02}\" {{\n  name = \"a,b:c%\"\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.tf"), tf).unwrap();
    let output = aksguard_in(dir.path(), &["scan", ".", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("::warning "))
            .count(),
        10
    );
    assert!(stdout.ends_with(
        "aksguard: 16 result(s) above were not annotated: GitHub shows at most 10 annotations per level in a step; use SARIF upload (code scanning) to see them all\n"
    ), "{stdout}");
}

#[test]
fn github_format_on_a_fixture() {
    let output = aksguard_in(
        repo(),
        &["scan", FAILING, "--format", "github", "--rule", "AKS003"],
    );
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("github", text(&output.stdout));
}

#[test]
fn junit_format_on_a_fixture() {
    let output = aksguard_in(repo(), &["scan", FAILING, "--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    let xml = text(&output.stdout);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert_eq!(xml.matches("<failure ").count(), 9);
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn baseline_round_trip_reports_only_new_findings_and_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let tf = std::fs::read_to_string(repo().join(FAILING).join("main.tf")).unwrap();
    std::fs::write(dir.path().join("main.tf"), &tf).unwrap();
    let written = aksguard_in(dir.path(), &["baseline", ".", "--output", "baseline.json"]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    insta::assert_snapshot!("baseline", serde_json::to_string_pretty(&baseline).unwrap());

    // Unchanged code: nothing new, even after lines move.
    std::fs::write(dir.path().join("main.tf"), format!("\n\n# moved\n{tf}")).unwrap();
    let clean = aksguard_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--format",
            "compact",
        ],
    );
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));
    assert!(clean.stdout.is_empty());
    assert!(text(&clean.stderr).contains("9 known finding(s) left out by the baseline"));

    // One cluster fixed, one added: the new one is reported, the fixed one is stale.
    let changed = tf.replace("\"untagged\"", "\"brand_new\"");
    std::fs::write(dir.path().join("main.tf"), changed).unwrap();
    let output = aksguard_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--format",
            "compact",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.lines().all(|l| l.contains("brand_new")), "{stdout}");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("3 baselined findings no longer found"),
        "{stderr}"
    );
    assert!(stderr.contains("AKS001 main.tf azurerm_kubernetes_cluster.untagged (x1)"));
}

#[test]
fn bad_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        "{\"version\": 9, \"entries\": []}",
    )
    .unwrap();
    let output = aksguard_in(dir.path(), &["scan", "--baseline", "b.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("version 9 is not supported"));
}

#[test]
fn sarif_leaves_suppressed_results_out_unless_asked() {
    let fixture = "testdata/suppressions/inline";
    let sarif = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["scan", fixture, "--format", "sarif"];
        args.extend_from_slice(extra);
        let output = aksguard_in(repo(), &args);
        serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
    };
    let plain = sarif(&[]);
    let results = plain["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
    assert!(plain["runs"][0].get("automationDetails").is_none());

    let with = sarif(&["--sarif-include-suppressed", "--category", "aksguard/prod"]);
    let run = &with["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "aksguard/prod/");
    let all = run["results"].as_array().unwrap();
    let suppressed: Vec<_> = all
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(all.len(), results.len() + suppressed.len());
    assert_eq!(suppressed.len(), 6);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    for result in all {
        let location = &result["locations"][0]["physicalLocation"];
        assert!(!location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        let region = &location["region"];
        assert_eq!(
            region["startLine"], region["endLine"],
            "primary regions are one line"
        );
        assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
}

#[test]
fn no_ignore_reports_suppressed_findings() {
    let fixture = "testdata/suppressions/inline";
    let count = |extra: &[&str]| {
        let mut args = vec!["scan", fixture, "--format", "compact"];
        args.extend_from_slice(extra);
        text(&aksguard_in(repo(), &args).stdout).lines().count()
    };
    assert!(count(&["--no-ignore"]) > count(&[]));
}

#[test]
fn today_can_be_pinned_and_must_be_a_date() {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(repo())
        .args(["scan", FAILING])
        .env("AKSGUARD_TODAY", "tomorrow")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("AKSGUARD_TODAY=tomorrow"));
}
