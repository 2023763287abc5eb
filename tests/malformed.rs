//! Malformed input never panics, never overflows the stack, and never loses the other files.

use std::process::Command;

fn scan(dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["scan", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .expect("run aksguard")
}

fn write(dir: &std::path::Path, name: &str, content: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), content).unwrap();
}

const GOOD: &str = r#"resource "azurerm_kubernetes_cluster" "good" {
  azure_policy_enabled = false
}
"#;

#[test]
fn hostile_files_become_e001_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    write(path, "a_binary.tf", [0u8, 159, 146, 150, 255, 0, 1, 2]);
    write(
        path,
        "b_deep.tf",
        format!(
            "locals {{ x = {}1{} }}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    write(
        path,
        "c_deep_parens.tf",
        format!(
            "locals {{ x = {}1{} }}\n",
            "(".repeat(50_000),
            ")".repeat(50_000)
        ),
    );
    write(path, "d_deep_blocks.tf", "a {\n".repeat(20_000));
    write(path, "e_empty.tf", "");
    write(
        path,
        "f_unterminated.tf",
        "resource \"azurerm_kubernetes_cluster\" \"x\" {\n  tags = \"unterminated\n",
    );
    write(
        path,
        "g_heredoc.tf",
        "locals {\n  x = <<EOT\nnever closed\n",
    );
    write(
        path,
        "h_ops.tf",
        format!("locals {{ x = {}1 }}\n", "!".repeat(100_000)),
    );
    write(
        path,
        "i_binops.tf",
        format!("locals {{ x = 1{} }}\n", " + 1".repeat(100_000)),
    );
    write(path, "z_good.tf", GOOD);
    let output = scan(path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let results = report["results"].as_array().unwrap();
    let e001: Vec<&str> = results
        .iter()
        .filter(|r| r["rule"] == "E001")
        .map(|r| r["location"]["path"].as_str().unwrap())
        .collect();
    for name in [
        "a_binary.tf",
        "b_deep.tf",
        "c_deep_parens.tf",
        "d_deep_blocks.tf",
        "f_unterminated.tf",
        "g_heredoc.tf",
    ] {
        assert!(
            e001.iter().any(|p| p.ends_with(name)),
            "{name} not reported: {e001:?}"
        );
    }
    // The good file is still checked.
    assert!(results
        .iter()
        .any(|r| r["rule"] == "AKS002" && r["resource"] == "azurerm_kubernetes_cluster.good"));
    // Every location is a real position.
    for result in results {
        assert!(result["location"]["start"]["line"].as_u64().unwrap() >= 1);
        assert!(result["location"]["start"]["column"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn non_utf8_error_points_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin1.tf",
        b"# caf\xe9\nresource \"a\" \"b\" {}\n",
    );
    let output = scan(dir.path());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &report["results"][0];
    assert_eq!(result["rule"], "E001");
    assert_eq!(result["location"]["start"]["line"], 1);
    assert_eq!(result["location"]["start"]["column"], 6);
    assert!(result["message"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn byte_order_marks_are_read_as_terraform_and_arm_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    // A UTF-8 BOM is accepted and ignored by Terraform and ARM: the clusters behind it count.
    let mut tf = vec![0xEF, 0xBB, 0xBF];
    tf.extend_from_slice(GOOD.as_bytes());
    write(path, "bom.tf", tf);
    let mut arm = vec![0xEF, 0xBB, 0xBF];
    arm.extend_from_slice(
        br#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-02-01",
      "name": "aks-bom", "location": "westeurope", "properties": {} }
  ]
}"#,
    );
    write(path, "bom.json", arm);
    // UTF-16 (with its BOM) is not read, and the error says why.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in GOOD.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(path, "wide.tf", utf16);
    let output = scan(path);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let results = report["results"].as_array().unwrap();
    let has = |rule: &str, resource: &str| {
        results
            .iter()
            .any(|r| r["rule"] == rule && r["resource"] == resource)
    };
    assert!(
        has("AKS002", "azurerm_kubernetes_cluster.good"),
        "{results:?}"
    );
    assert!(
        has(
            "AKS002",
            "Microsoft.ContainerService/managedClusters 'aks-bom'"
        ),
        "{results:?}"
    );
    let bom_first_line = results
        .iter()
        .find(|r| {
            r["rule"] == "AKS002" && r["location"]["path"].as_str().unwrap().ends_with("bom.tf")
        })
        .unwrap();
    assert_eq!(bom_first_line["location"]["start"]["line"], 2);
    let wide = results
        .iter()
        .find(|r| r["rule"] == "E001")
        .expect("UTF-16 file reported");
    assert!(wide["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("wide.tf"));
    assert!(
        wide["message"].as_str().unwrap().contains("UTF-16"),
        "{wide}"
    );
    assert!(!results
        .iter()
        .any(|r| r["rule"] == "E001"
            && !r["location"]["path"].as_str().unwrap().ends_with("wide.tf")));
}

/// Multiplying loops end within their budget and still report their clusters.
#[test]
fn runaway_expansion_finishes_and_reports_clusters() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/malformed");
    // Seconds allowed to a debug build on a loaded CI machine; release takes well under 1 s.
    for (dir, bound, seconds) in [
        ("arm-copy-800x800", "limit of 2000 resource instances", 3.0),
        ("terraform-count-1e9", "count", 3.0),
        // A million cluster instances (1,000 module instances of 1,000 each) without the bound;
        // with it, the 10,000 it allows are reported, which takes a debug build a few seconds.
        (
            "terraform-module-counts",
            "past the limit of 1000 instances per resource or of 10000 through one root module",
            15.0,
        ),
        // 800 × 800 × 800 property copies: the cluster is still found, and fast.
        ("arm-property-copy-800-cubed", "aks-cubed", 3.0),
    ] {
        let started = std::time::Instant::now();
        let output = scan(&root.join(dir));
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs_f64() < seconds, "{dir} took {elapsed:?}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
        let text = report.to_string();
        assert!(text.contains("AKS001"), "{dir}: no cluster findings");
        assert!(text.contains(bound), "{dir}: bound not named");
    }
}

/// Hostile YAML (an alias bomb, deep nesting, an alias to itself) ends fast as E001, and the
/// other manifests are still scanned.
#[test]
fn hostile_yaml_ends_fast_as_e001() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let head = "apiVersion: containerservice.azure.com/v1api20240901\nkind: ManagedCluster\n";
    let mut bomb =
        format!("{head}metadata:\n  name: bomb\nspec:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..=12 {
        let refs = vec![format!("*{}", (b'a' + level - 1) as char); 10].join(", ");
        bomb.push_str(&format!("  {0}: &{0} [{refs}]\n", (b'a' + level) as char));
    }
    write(path, "a_bomb.yaml", bomb);
    write(
        path,
        "b_deep_flow.yaml",
        format!(
            "{head}spec: {}1{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let mut deep_block = format!("{head}spec:\n");
    for level in 0..5_000 {
        deep_block.push_str(&format!("{}k{level}:\n", " ".repeat(level + 2)));
    }
    write(path, "c_deep_block.yaml", deep_block);
    write(path, "d_self.yaml", format!("{head}spec: &s\n  x: *s\n"));
    write(
        path,
        "z_good.yaml",
        format!("{head}metadata:\n  name: good\nspec:\n  owner:\n    name: rg\n"),
    );
    let started = std::time::Instant::now();
    let output = scan(path);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let results = report["results"].as_array().unwrap();
    for name in [
        "a_bomb.yaml",
        "b_deep_flow.yaml",
        "c_deep_block.yaml",
        "d_self.yaml",
    ] {
        assert!(
            results
                .iter()
                .any(|r| r["rule"] == "E001"
                    && r["location"]["path"].as_str().unwrap().ends_with(name)),
            "{name} not reported: {results:?}"
        );
    }
    assert!(results
        .iter()
        .any(|r| r["rule"] == "AKS001" && r["resource"] == "ManagedCluster 'good'"));
}

/// Every fixture manifest, cut and mutated at pseudo-random places (a fixed seed, so the test is
/// deterministic): parsing and lowering never panic, and spans stay inside the text.
#[test]
fn mutated_manifests_never_panic() {
    use aksguard::frontend::{kubernetes, yaml};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kubernetes");
    let mut texts = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    texts.sort();
    assert!(texts.len() >= 10);
    let mut seed: u64 = 0x5eed;
    let mut next = |bound: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % bound.max(1)
    };
    const PIECES: [&str; 12] = [
        "\n", " ", "- ", ": ", "&a ", "*a", "<<: ", "[", "{", "\"", "'", "${X:=",
    ];
    for text in &texts {
        for _ in 0..150 {
            let mut mutated = text.clone();
            for _ in 0..1 + next(4) {
                let mut at = next(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => mutated.truncate(at),
                    1 => mutated.insert_str(at, PIECES[next(PIECES.len())]),
                    _ => {
                        let mut end = (at + next(8)).min(mutated.len());
                        while !mutated.is_char_boundary(end) {
                            end -= 1;
                        }
                        mutated.replace_range(at..end, "");
                    }
                }
            }
            match yaml::parse_stream(&mutated) {
                Ok(documents) => {
                    let model = kubernetes::lower_documents(&documents, &[]);
                    for cluster in &model.clusters {
                        assert!(cluster.header.end as usize <= mutated.len());
                        assert!(cluster.defender.span().end as usize <= mutated.len());
                    }
                }
                Err(error) => assert!(error.offset <= mutated.len(), "{error:?}"),
            }
        }
    }
}

/// Every Terraform and ARM fixture, cut and mutated at pseudo-random places (a fixed seed, so the
/// test is deterministic), is scanned through the whole pipeline: no panic (an internal error),
/// and every file ends as results or E001.
#[test]
fn mutated_terraform_and_arm_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("terraform"), root.join("arm"), root.join("rules")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "tf" || e == "json" || e == "tfvars")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 30, "{}", files.len());
    let mut seed: u64 = 0xfeed;
    let mut next = |bound: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % bound.max(1)
    };
    const PIECES: [&str; 14] = [
        "\n",
        " ",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "${",
        "[concat(",
        "copyIndex()",
        "=",
        ":",
        "#",
        ",",
    ];
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for _ in 0..40 {
            let mut mutated = text.clone();
            for _ in 0..1 + next(3) {
                let mut at = next(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => mutated.truncate(at),
                    1 => mutated.insert_str(at, PIECES[next(PIECES.len())]),
                    _ => {
                        let mut end = (at + next(12)).min(mutated.len());
                        while !mutated.is_char_boundary(end) {
                            end -= 1;
                        }
                        mutated.replace_range(at..end, "");
                    }
                }
            }
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), &name, &mutated);
            let options = aksguard::ScanOptions {
                paths: vec![dir.path().to_path_buf()],
                ..Default::default()
            };
            let output = aksguard::scan(&options).expect("the path exists");
            assert!(
                output.errors.is_empty(),
                "{name} mutated: {:?}\n{mutated}",
                output.errors
            );
        }
    }
}

/// A template that exhausts its budget leaves every other template's budget whole: the nested
/// deployment read after it is still evaluated (a budget shared by the whole scan used to leave
/// it, and its cluster, out as "reached its limit").
#[test]
fn one_template_exhausting_its_budget_leaves_the_others_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let runaway = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/malformed/arm-copy-800x800/main.json"),
    )
    .unwrap();
    write(path, "a_runaway.json", runaway);
    write(
        path,
        "b_nested.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "inner",
      "properties": {
        "mode": "Incremental",
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [
            {
              "type": "Microsoft.ContainerService/managedClusters",
              "apiVersion": "2024-02-01",
              "name": "aks-after-the-runaway",
              "location": "westeurope",
              "properties": {}
            }
          ]
        }
      }
    }
  ]
}
"#,
    );
    let output = scan(path);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let results = report["results"].as_array().expect("results");
    let in_nested = |rule: &str| {
        results.iter().any(|r| {
            r["rule"] == rule
                && r["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("b_nested.json"))
        })
    };
    assert!(
        in_nested("AKS001"),
        "the nested deployment's cluster is missing"
    );
    assert!(
        !in_nested("E003"),
        "the nested deployment was left unevaluated"
    );
}

/// What the fuzz targets found (`fuzz/`): format widths and indexes past every bound, in
/// Terraform, Bicep and a Helm chart. Each once panicked (an internal error, exit 2); now each
/// cluster is reported.
#[test]
fn fuzz_found_format_inputs_are_scanned() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/malformed");
    let output = scan(&root.join("fuzz-found"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let text = report.to_string();
    for cluster in [
        "azurerm_kubernetes_cluster.formats",
        "aks-bicep-formats",
        "aks-helm-formats",
    ] {
        assert!(text.contains(cluster), "{cluster} not reported: {text}");
    }
}

/// `file("/dev/zero")` and `loadTextContent('/dev/zero')` (found fuzzing): a device reports no
/// length and never ends, so reading it took all memory; it is not a regular file, so it is not
/// read. Outside any repository, so that the absolute path may be followed at all.
#[cfg(unix)]
#[test]
fn reading_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    write(
        path,
        "main.tf",
        "resource \"azurerm_kubernetes_cluster\" \"dev\" {\n  name = \"aks-dev\"\n  tags = { owner = file(\"/dev/zero\"), team = templatefile(\"/dev/zero\", {}) }\n}\n",
    );
    write(
        path,
        "main.bicep",
        "resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {\n  name: 'aks-dev-bicep'\n  location: 'westeurope'\n  tags: { owner: loadTextContent('/dev/zero') }\n  properties: {}\n}\n",
    );
    let started = std::time::Instant::now();
    let output = scan(path);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("aks-dev-bicep"), "{text}");
    assert!(
        text.contains("/dev/zero, which is not a regular file"),
        "{text}"
    );
}

/// A chart whose rendering is not YAML, the error at a two-byte character (found fuzzing): the
/// E003 points at the whole character, never at half of it (reports slice the text there).
#[test]
fn a_yaml_error_in_a_rendered_template_points_at_a_whole_character() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("chart/templates")).unwrap();
    write(
        root,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    write(root, "chart/values.yaml", "enabled: true\n");
    let template =
        "apiVersion: containerservice.azure.com/v1api20240901\nkind: ManagedCluster\n\" \"é\" }}\n";
    write(root, "chart/templates/aks.yaml", template);
    let options = aksguard::ScanOptions {
        paths: vec![root.to_path_buf()],
        ..aksguard::ScanOptions::default()
    };
    let output = aksguard::scan(&options).expect("the directory exists");
    let note = output
        .findings
        .iter()
        .find(|f| f.rule == "E003" && f.message.contains("is not YAML"))
        .expect("the rendering's YAML error is reported");
    assert_eq!(output.sources.get(note.span.file).snippet(note.span), "é");
}
