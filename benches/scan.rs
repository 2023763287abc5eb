//! Throughput benchmark (not a timed test): generates a large Terraform tree and a set of Helm
//! charts and scans each with the library, printing files/s and MB/s. Run with
//! `cargo bench --bench scan`; set `AKSGUARD_BENCH_MODULES` (default 2000) and
//! `AKSGUARD_BENCH_CHARTS` (default 200) to change the sizes.

use std::path::Path;
use std::time::Instant;

const CLUSTER: &str = r#"
resource "azurerm_kubernetes_cluster" "cluster_INDEX" {
  name                 = "aks-INDEX"
  location             = "westeurope"
  resource_group_name  = "rg-INDEX"
  dns_prefix           = "aksINDEX"
  azure_policy_enabled = INDEX_POLICY

  default_node_pool {
    name       = "system"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    owner       = "team-INDEX"
    environment = "prod"
  }
}
"#;

const WORKSPACE: &str = r#"
resource "azurerm_log_analytics_workspace" "law_INDEX" {
  name                = "law-INDEX"
  location            = "westeurope"
  resource_group_name = "rg-INDEX"
  sku                 = "PerGB2018"
  retention_in_days   = 30
}
"#;

const CHART_HELPERS: &str = r#"{{- define "fleet.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
"#;

const CHART_CLUSTERS: &str = r#"{{- range $i, $c := .Values.clusters }}
---
apiVersion: containerservice.azure.com/v1api20240901
kind: ManagedCluster
metadata:
  name: {{ $c.name }}
  labels:
    {{- include "fleet.labels" $ | nindent 4 }}
spec:
  location: {{ $c.location | default "westeurope" }}
  securityProfile:
    defender:
      securityMonitoring:
        enabled: {{ $c.defender }}
  {{- if $c.policy }}
  addonProfiles:
    azurepolicy:
      enabled: true
  {{- end }}
  tags:
    {{- toYaml $.Values.tags | nindent 4 }}
{{- end }}
"#;

/// `charts` charts of 20 clusters each, rendered from a list in their values.
fn generate_charts(root: &Path, charts: usize) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for chart in 0..charts {
        let dir = root.join(format!("chart{chart:04}"));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        let mut values = String::from("tags:\n  owner: team\n  cost-center: \"1\"\nclusters:\n");
        for cluster in 0..20 {
            values.push_str(&format!(
                "  - name: aks-{chart}-{cluster}\n    defender: {}\n    policy: {}\n",
                cluster % 2 == 0,
                cluster % 3 != 0
            ));
        }
        let chart_yaml = format!("apiVersion: v2\nname: fleet{chart}\nversion: 1.0.0\n");
        for (name, text) in [
            ("Chart.yaml", chart_yaml.as_str()),
            ("values.yaml", values.as_str()),
            ("templates/_helpers.tpl", CHART_HELPERS),
            ("templates/clusters.yaml", CHART_CLUSTERS),
        ] {
            std::fs::write(dir.join(name), text).unwrap();
            files += 1;
            bytes += text.len() as u64;
        }
    }
    (files, bytes)
}

fn generate(root: &Path, modules: usize) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for module in 0..modules {
        let dir = root.join(format!("team{:03}/module{module:05}", module % 100));
        std::fs::create_dir_all(&dir).unwrap();
        let index = module.to_string();
        let policy = if module % 3 == 0 { "false" } else { "true" };
        let main = CLUSTER
            .replace("INDEX_POLICY", policy)
            .replace("INDEX", &index);
        let workspace = WORKSPACE.replace("INDEX", &index);
        for (name, text) in [("main.tf", main), ("monitoring.tf", workspace)] {
            std::fs::write(dir.join(name), &text).unwrap();
            files += 1;
            bytes += text.len() as u64;
        }
    }
    (files, bytes)
}

fn main() {
    let modules = std::env::var("AKSGUARD_BENCH_MODULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let (files, bytes) = generate(dir.path(), modules);
    measure("scan", dir.path(), files, bytes);
    let charts = std::env::var("AKSGUARD_BENCH_CHARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("temporary directory");
    let (files, bytes) = generate_charts(dir.path(), charts);
    measure("helm charts", dir.path(), files, bytes);
}

fn measure(what: &str, root: &Path, files: usize, bytes: u64) {
    let options = aksguard::ScanOptions {
        paths: vec![root.to_path_buf()],
        ..aksguard::ScanOptions::default()
    };
    // One warm-up run fills the OS page cache, so the figures measure aksguard, not the disk.
    aksguard::scan(&options).expect("scan");
    let runs = 5;
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let output = aksguard::scan(&options).expect("scan");
        best = best.min(start.elapsed().as_secs_f64());
        findings = output.findings.len();
    }
    let mb = bytes as f64 / 1_000_000.0;
    println!(
        "{what}: {files} files, {mb:.1} MB, {findings} findings; best of {runs}: {:.3} s = {:.0} files/s, {:.1} MB/s ({} threads)",
        best,
        files as f64 / best,
        mb / best,
        rayon::current_num_threads()
    );
}
