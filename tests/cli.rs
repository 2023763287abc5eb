//! The real binary: exit codes, every output format, `rules`, `explain`, bad input, determinism.

use std::path::Path;
use std::process::{Command, Output};

fn aksguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run aksguard")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

const EXAMPLES: &str = "testdata/examples";

#[test]
fn human_report_on_examples() {
    let output = aksguard(&["scan", EXAMPLES]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("human", stdout(&output));
}

#[test]
fn compact_report_on_examples() {
    let output = aksguard(&["scan", EXAMPLES, "--format", "compact"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("compact", stdout(&output));
    assert!(
        stderr(&output).contains("8 errors, 6 warnings, 3 notes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_report_on_examples() {
    let output = aksguard(&["scan", EXAMPLES, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(report["version"], 1);
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), 17);
    for result in results {
        assert!(["violation", "unknown", "covered", "pass"]
            .contains(&result["outcome"].as_str().unwrap()));
        assert!(result["location"]["start"]["line"].as_u64().unwrap() >= 1);
    }
    let posture = &report["summary"]["posture"];
    // The subscription example's add-on assignment covers every cluster in the scan; its Defender
    // profile assignment is inert. The Bicep example is evaluated once per parameter file; the
    // Bicep source calls its module twice; the Kubernetes and Helm examples add one cluster each.
    assert_eq!(posture["clusters"], 10);
    assert_eq!(posture["defender_sensor"]["declared"], 3);
    assert_eq!(posture["defender_sensor"]["missing"], 7);
    assert_eq!(posture["azure_policy"]["covered"], 2);
    assert_eq!(posture["azure_policy"]["missing"], 0);
    assert_eq!(posture["containers_plan_standard"], 1);
    assert_eq!(posture["provisioning_assignments_inert"], 1);
    assert_eq!(
        posture["unprotected_by_owner"][0]["owner"],
        serde_json::Value::Null
    );
    assert_eq!(
        posture["unprotected_by_owner"][2]["clusters"][0],
        "Microsoft.ContainerService/managedClusters 'aks-analytics-dev'"
    );
    insta::assert_snapshot!("json", text);
}

#[test]
fn sarif_report_on_examples() {
    let output = aksguard(&["scan", EXAMPLES, "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Every rule is listed, not only those that fired.
    for rule in aksguard::rules::RULES {
        assert!(
            rules.contains(&rule.id),
            "{} missing from driver.rules",
            rule.id
        );
    }
    for result in run["results"].as_array().unwrap() {
        assert!(result["properties"]["outcome"].is_string());
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with("testdata/"),
            "repository-relative uri, got {uri}"
        );
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], result["ruleId"].as_str().unwrap());
    }
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn every_format_carries_the_same_results() {
    let compact = stdout(&aksguard(&["scan", EXAMPLES, "--format", "compact"]));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&aksguard(&["scan", EXAMPLES, "--format", "json"]))).unwrap();
    let sarif: serde_json::Value =
        serde_json::from_str(&stdout(&aksguard(&["scan", EXAMPLES, "--format", "sarif"]))).unwrap();
    let human = stdout(&aksguard(&["scan", EXAMPLES]));
    let from_json: Vec<String> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{} {}",
                r["location"]["path"].as_str().unwrap(),
                r["location"]["start"]["line"],
                r["location"]["start"]["column"],
                r["rule"].as_str().unwrap()
            )
        })
        .collect();
    let from_sarif: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            format!(
                "{}:{}:{} {}",
                location["artifactLocation"]["uri"].as_str().unwrap(),
                location["region"]["startLine"],
                location["region"]["startColumn"],
                r["ruleId"].as_str().unwrap()
            )
        })
        .collect();
    let from_compact: Vec<String> = compact
        .lines()
        .map(|line| {
            let (location, rest) = line.split_once(": ").unwrap();
            let rule = rest.split('[').nth(1).unwrap().split(']').next().unwrap();
            format!("{location} {rule}")
        })
        .collect();
    assert_eq!(from_json, from_sarif);
    assert_eq!(from_json, from_compact);
    for entry in &from_json {
        let (location, rule) = entry.split_once(' ').unwrap();
        assert!(human.contains(&format!("[{rule}]")));
        assert!(
            human.contains(&format!("{location}\n")),
            "human report lacks {location}"
        );
    }
}

#[test]
fn fail_on_threshold_sets_exit_status() {
    // AKS003 only: warnings.
    let fail = "testdata/rules/AKS003/fail";
    assert_eq!(
        aksguard(&["scan", fail, "--rule", "AKS003"]).status.code(),
        Some(0)
    );
    assert_eq!(
        aksguard(&["scan", fail, "--rule", "AKS003", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        aksguard(&["scan", EXAMPLES, "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    for format in ["human", "compact", "json", "sarif"] {
        assert_eq!(
            aksguard(&["scan", EXAMPLES, "--format", format])
                .status
                .code(),
            Some(1),
            "{format}"
        );
        assert_eq!(
            aksguard(&["scan", "testdata/rules/AKS002/pass", "--format", format])
                .status
                .code(),
            Some(1),
            "AKS001/AKS003 still fire on the AKS002 pass fixture ({format})"
        );
    }
}

#[test]
fn clean_scan_exits_zero() {
    let output = aksguard(&["scan", "testdata/rules/AKS002/pass", "--rule", "AKS002"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 0 warnings, 0 notes"));
}

#[test]
fn strict_makes_unknown_fail() {
    let unknown = "testdata/rules/AKS002/unknown";
    let relaxed = aksguard(&["scan", unknown, "--rule", "AKS002", "--format", "json"]);
    assert_eq!(relaxed.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(&stdout(&relaxed)).unwrap();
    assert_eq!(report["results"][0]["outcome"], "unknown");
    assert_eq!(report["results"][0]["level"], "warning");
    let strict = aksguard(&[
        "scan", unknown, "--rule", "AKS002", "--strict", "--format", "json",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&strict)).unwrap();
    assert_eq!(report["results"][0]["outcome"], "unknown");
    assert_eq!(report["results"][0]["level"], "error");
}

#[test]
fn missing_path_is_a_usage_error() {
    let output = aksguard(&["scan", "testdata/does-not-exist"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no such file or directory"));
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert_eq!(
        aksguard(&["scan", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        aksguard(&["scan", "--rule", "NOPE001"]).status.code(),
        Some(2)
    );
    assert_eq!(aksguard(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(aksguard(&["--version"]).status.code(), Some(0));
}

#[test]
fn unparsable_file_is_reported_and_the_scan_goes_on() {
    for format in ["compact", "json", "sarif", "human"] {
        let output = aksguard(&["scan", "testdata/errors/unparsable", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = stdout(&output);
        assert!(text.contains("E001"), "{format}: {text}");
        assert!(
            text.contains("still_checked"),
            "{format}: good.tf must still be scanned"
        );
    }
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    let output = aksguard(&[
        "scan",
        EXAMPLES,
        "--format",
        "sarif",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("8 errors"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    let unwritable = aksguard(&["scan", EXAMPLES, "--output", "/nonexistent-dir/report.txt"]);
    assert_eq!(unwritable.status.code(), Some(2));
}

#[test]
fn rules_lists_every_rule() {
    let output = aksguard(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for rule in aksguard::rules::RULES {
        assert!(text.contains(rule.id), "{} missing", rule.id);
    }
}

#[test]
fn explain_prints_the_rule_documentation() {
    let output = aksguard(&["explain", "aks002"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("# AKS002"));
    assert!(text.contains("azure_policy_enabled = true"));
    let unknown = aksguard(&["explain", "AKS999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no rule `AKS999`"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = aksguard(&["scan", EXAMPLES]);
    assert!(!stdout(&plain).contains('\u{1b}'));
    let coloured = aksguard(&["scan", EXAMPLES, "--color", "always"]);
    assert!(stdout(&coloured).contains('\u{1b}'));
}

/// Copies the fixtures many times into one tree, so the parallel parser has work to interleave.
fn large_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut sources = Vec::new();
    collect_tf(&testdata, &mut sources);
    for copy in 0..40 {
        for (index, source) in sources.iter().enumerate() {
            let target = dir.path().join(format!("m{copy:02}/f{index:02}"));
            std::fs::create_dir_all(&target).unwrap();
            std::fs::copy(source, target.join(source.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn collect_tf(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_tf(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let tree = large_tree();
    let root = tree.path().to_str().unwrap();
    let one = aksguard(&["scan", root, "--format", "sarif", "-j", "1"]);
    let many = aksguard(&["scan", root, "--format", "sarif", "-j", "8"]);
    assert_eq!(one.status.code(), Some(1));
    assert!(stdout(&one).len() > 10_000);
    assert_eq!(stdout(&one), stdout(&many));
    let human_one = aksguard(&["scan", root, "-j", "1"]);
    let human_many = aksguard(&["scan", root, "-j", "3"]);
    assert_eq!(stdout(&human_one), stdout(&human_many));
    // Reports render results on every core and write them in order.
    let json_one = aksguard(&["scan", root, "--format", "json", "-j", "1"]);
    let json_many = aksguard(&["scan", root, "--format", "json", "-j", "5"]);
    assert!(stdout(&json_one).len() > 10_000);
    assert_eq!(stdout(&json_one), stdout(&json_many));
}

/// `--output-sarif` and `--output-json` write, from the same scan, exactly what `--format sarif`
/// and `--format json` print, beside the report chosen by `--format`.
#[test]
fn extra_reports_equal_their_formats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("extra.sarif");
    let json = dir.path().join("extra.json");
    let args = ["scan", EXAMPLES, "--category", "ci"];
    let mut combined: Vec<&str> = args.to_vec();
    combined.extend([
        "--format",
        "compact",
        "--output-sarif",
        sarif.to_str().unwrap(),
        "--output-json",
        json.to_str().unwrap(),
    ]);
    let output = aksguard(&combined);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let compact = aksguard(&[&args[..], &["--format", "compact"]].concat());
    assert_eq!(stdout(&output), stdout(&compact));
    let expected_sarif = aksguard(&[&args[..], &["--format", "sarif"]].concat());
    assert_eq!(
        std::fs::read_to_string(&sarif).unwrap(),
        stdout(&expected_sarif)
    );
    let expected_json = aksguard(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        std::fs::read_to_string(&json).unwrap(),
        stdout(&expected_json)
    );
}

/// With `--output`, the human report goes to its file and the extra reports to theirs.
#[test]
fn extra_reports_with_output_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let human = dir.path().join("report.txt");
    let sarif = dir.path().join("r.sarif");
    let output = aksguard(&[
        "scan",
        EXAMPLES,
        "--fail-on",
        "never",
        "--output",
        human.to_str().unwrap(),
        "--output-sarif",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let expected = aksguard(&["scan", EXAMPLES, "--format", "human"]);
    assert_eq!(std::fs::read_to_string(&human).unwrap(), stdout(&expected));
    let expected_sarif = aksguard(&["scan", EXAMPLES, "--format", "sarif"]);
    assert_eq!(
        std::fs::read_to_string(&sarif).unwrap(),
        stdout(&expected_sarif)
    );
}

/// An unwritable extra report is an error (exit status 2), not a silently missing file.
#[test]
fn unwritable_extra_report_fails() {
    let output = aksguard(&[
        "scan",
        EXAMPLES,
        "--output-json",
        "/nonexistent-dir/report.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot write"),
        "{}",
        stderr(&output)
    );
}

/// Configured levels apply to the tool's own results too (one step applies them all): E003 can be
/// raised to a warning, and then fails a `--fail-on warning` run.
#[test]
fn configured_level_applies_to_e003() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("aksguard.toml");
    std::fs::write(&config, "[rules]\nE003 = \"warning\"\n").expect("write config");
    let scan = |config: Option<&Path>| {
        let mut args = vec!["scan", "testdata/terraform/modules", "--format", "compact"];
        if let Some(config) = config {
            args.extend(["--config", config.to_str().expect("utf-8 path")]);
        }
        args.extend(["--rule", "E003", "--fail-on", "warning"]);
        aksguard(&args)
    };
    let default = scan(None);
    assert!(
        stdout(&default).contains("note[E003]"),
        "{}",
        stdout(&default)
    );
    assert_eq!(default.status.code(), Some(0));
    let raised = scan(Some(&config));
    assert!(
        stdout(&raised).contains("warning[E003]"),
        "{}",
        stdout(&raised)
    );
    assert_eq!(raised.status.code(), Some(1));
}

/// The legacy Defender shape passes AKS001 with a migration note: outcome `pass`, never failing a
/// run (not even `--fail-on note`), and SARIF `kind: pass` at level `none`, so code scanning does
/// not count a protected cluster as an alert.
#[test]
fn passing_advice_never_fails_a_run() {
    let fixture = "testdata/rules/AKS001/pass-legacy-shape";
    let compact = aksguard(&[
        "scan",
        fixture,
        "--format",
        "compact",
        "--rule",
        "AKS001",
        "--fail-on",
        "note",
    ]);
    assert!(
        stdout(&compact).contains("note[AKS001] (pass)"),
        "{}",
        stdout(&compact)
    );
    assert_eq!(compact.status.code(), Some(0));
    let sarif = aksguard(&["scan", fixture, "--format", "sarif", "--rule", "AKS001"]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF JSON");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["kind"], "pass");
    assert_eq!(result["level"], "none");
    assert_eq!(result["properties"]["outcome"], "pass");
}

/// `aksguard scan -` reads Kubernetes manifests from standard input (`helm template ... |`),
/// shown as `<stdin>`, with inline suppressions; any YAML error there is E001.
#[test]
fn scan_dash_reads_manifests_from_stdin() {
    use std::io::Write;
    let run = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .args(["scan", "-", "--format", "compact", "--fail-on", "never"])
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run aksguard");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n\
                    apiVersion: containerservice.azure.com/v1api20240901\nkind: ManagedCluster\n\
                    metadata:\n  name: piped\nspec:\n  owner: {name: rg}\n  tags: {owner: a, cost-center: b}\n  \
                    # aksguard:ignore AKS002 -- piped in a test\n  addonProfiles:\n    azurepolicy: {enabled: false}\n";
    let report = run(manifest);
    assert_eq!(
        report,
        "<stdin>:9:1: error[AKS001] `ManagedCluster 'piped'` has no Microsoft Defender for Containers sensor (no `securityProfile.defender.securityMonitoring.enabled`)\n"
    );
    let report = run("services: [\n");
    assert!(report.starts_with("<stdin>:2:1: error[E001]"), "{report}");
}

/// Output never depends on the order paths are given in (discovery sorts once).
#[test]
fn output_is_the_same_whatever_the_order_of_paths() {
    let forward = aksguard(&[
        "scan",
        "testdata/terraform",
        "testdata/arm",
        "testdata/kubernetes",
        "--format",
        "json",
    ]);
    let backward = aksguard(&[
        "scan",
        "testdata/kubernetes",
        "testdata/arm",
        "testdata/terraform",
        "--format",
        "json",
    ]);
    assert!(!forward.stdout.is_empty());
    assert_eq!(stdout(&forward), stdout(&backward));
}

/// `--plan` takes `terraform show -json` output; a JSON file that is not a plan is E001 saying
/// so, and a missing one is a usage error.
#[test]
fn plan_flag_checks_its_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_plan = dir.path().join("plan.json");
    std::fs::write(&not_plan, "{\"resources\": []}").expect("write");
    let output = aksguard(&[
        "scan",
        "testdata/terraform/plan/main.tf",
        "--plan",
        not_plan.to_str().expect("utf-8 path"),
        "--format",
        "compact",
    ]);
    assert!(
        stdout(&output).contains("not a Terraform plan"),
        "{}",
        stdout(&output)
    );
    let missing = aksguard(&["scan", ".", "--plan", "does-not-exist.json"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// A front end's config table (`[terraform] var_files`) and its older top-level spelling
/// (`var_files`) give the same defaults, and the command line's `--var-file` applies after them.
#[test]
fn front_end_config_tables_and_top_level_aliases_agree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "main.tf",
        "variable \"owner\" {}\nresource \"azurerm_kubernetes_cluster\" \"a\" {\n  tags = { owner = var.owner, cost-center = \"1\" }\n}\n",
    );
    write("config.tfvars", "owner = \"platform\"\n");
    write("flag.tfvars", "owner = \"\"\n");
    write(
        "table.toml",
        "[terraform]\nvar_files = [\"config.tfvars\"]\n",
    );
    write("alias.toml", "var_files = [\"config.tfvars\"]\n");
    let scan = |config: &str, extra: &[&str]| {
        let dir = dir.path().to_str().expect("utf-8 path");
        let config = format!("{dir}/{config}");
        let mut args = vec!["scan", dir, "--config", &config, "--format", "compact"];
        args.extend(["--rule", "AKS003", "--fail-on", "never"]);
        args.extend(extra);
        stdout(&aksguard(&args))
    };
    let flag = format!("{}/flag.tfvars", dir.path().display());
    for config in ["table.toml", "alias.toml"] {
        assert_eq!(
            scan(config, &[]),
            "",
            "{config}: the config's var file sets the owner"
        );
        let overridden = scan(config, &["--var-file", &flag]);
        assert!(
            overridden.contains("empty `owner` tag"),
            "{config}: --var-file applies after the config's: {overridden}"
        );
    }
}

/// A template compiled from the `.bicep` beside it is left to the source only when the source is
/// read: named alone, the compiled template is checked (and its findings point into it).
#[test]
fn a_compiled_template_named_alone_is_checked() {
    let compact = |path: &str| {
        let output = aksguard(&["scan", path, "--format", "compact"]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        stdout(&output)
    };
    let both = compact("testdata/bicep/compiled-twin");
    assert!(both.contains("main.bicep:6:15: error[AKS001]"), "{both}");
    assert!(!both.contains("main.json"), "{both}");
    let alone = compact("testdata/bicep/compiled-twin/main.json");
    assert!(alone.contains("main.json:18:21: error[AKS001]"), "{alone}");
}
