//! Throughput benchmark (not a timed test): generates a tree that looks like real IaC (Terraform
//! roots calling local modules with tfvars, ARM templates with nested deployments and parameter
//! files, Bicep files, Kubernetes manifests, Helm charts) at three sizes and scans it with the library, on one thread and on
//! every core. For each it prints files/s, MB/s, the read floor (reading every file, in parallel,
//! and nothing else) and the ratio to it, and the process's peak memory.
//!
//! Run with `cargo bench --bench scan`; `AKSGUARD_BENCH_SCALE` (default 400) sets the smallest
//! size in Terraform roots; the others are 2x and 4x. `AKSGUARD_BENCH_TREE=DIR` writes the largest
//! tree to DIR instead, for profiling the binary.

use std::path::Path;
use std::time::Instant;

// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: aksguard::allocator::Allocator = aksguard::allocator::Allocator;

const MODULE: &str = r#"
variable "name" {
  type = string
}

variable "policy" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "azurerm_kubernetes_cluster" "this" {
  name                 = var.name
  location             = "westeurope"
  resource_group_name  = "rg-${var.name}"
  dns_prefix           = var.name
  azure_policy_enabled = var.policy

  default_node_pool {
    name       = "system"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = merge({ environment = "prod" }, var.tags)
}

resource "azurerm_log_analytics_workspace" "law" {
  name                = "law-${var.name}"
  location            = "westeurope"
  resource_group_name = "rg-${var.name}"
  sku                 = "PerGB2018"
  retention_in_days   = 30
}
"#;

const ROOT: &str = r#"
variable "owner" {
  type = string
}

locals {
  regions = ["westeurope", "northeurope"]
}

module "aks" {
  source   = "../../modules/aks"
  for_each = toset(local.regions)
  name     = "aks-INDEX-${each.key}"
  policy   = INDEX_POLICY
  tags     = { owner = var.owner, cost-center = "cc-INDEX" }
}
"#;

const TFVARS: &str = "owner = \"team-INDEX\"\n";

/// A Bicep-compiled template: a cluster per `copy` instance inside a nested deployment.
const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "_generator": { "name": "bicep", "version": "0.30.23.60470" } },
  "parameters": {
    "prefix": { "type": "string" },
    "enableDefender": { "type": "bool", "defaultValue": false }
  },
  "resources": [
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "clusters",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "parameters": {
          "prefix": { "value": "[parameters('prefix')]" },
          "enableDefender": { "value": "[parameters('enableDefender')]" }
        },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": {
            "prefix": { "type": "string" },
            "enableDefender": { "type": "bool" }
          },
          "resources": [
            {
              "copy": { "name": "clusters", "count": 4 },
              "type": "Microsoft.ContainerService/managedClusters",
              "apiVersion": "2024-02-01",
              "name": "[format('{0}-{1}', parameters('prefix'), copyIndex())]",
              "location": "westeurope",
              "tags": { "owner": "platform", "cost-center": "[parameters('prefix')]" },
              "properties": {
                "dnsPrefix": "[parameters('prefix')]",
                "addonProfiles": { "azurepolicy": { "enabled": true } },
                "securityProfile": {
                  "defender": {
                    "logAnalyticsWorkspaceResourceId": "[resourceId('Microsoft.OperationalInsights/workspaces', 'law')]",
                    "securityMonitoring": { "enabled": "[parameters('enableDefender')]" }
                  }
                },
                "agentPoolProfiles": [
                  { "name": "system", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System" }
                ]
              }
            }
          ]
        }
      }
    }
  ]
}
"#;

const PARAMETERS: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "prefix": { "value": "aks-INDEX" }, "enableDefender": { "value": INDEX_POLICY } }
}
"#;

const BICEP_CLUSTER: &str = r#"
param location string = 'westeurope'
param policy bool = INDEX_POLICY

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-INDEX'
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  tags: {
    owner: 'team-INDEX'
    environment: 'prod'
  }
  properties: {
    dnsPrefix: 'aksINDEX'
    agentPoolProfiles: [
      {
        name: 'system'
        count: 3
        vmSize: 'Standard_D4s_v5'
        mode: 'System'
      }
    ]
    addonProfiles: {
      azurepolicy: { enabled: policy }
    }
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'law-${cluster.name}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
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

const MANIFEST: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-INDEX
data:
  region: westeurope
---
apiVersion: containerservice.azure.com/v1api20240901
kind: ManagedCluster
metadata:
  name: aks-INDEX
spec:
  location: westeurope
  owner:
    name: rg-INDEX
  dnsPrefix: aks-INDEX
  addonProfiles:
    azurepolicy:
      enabled: INDEX_POLICY
  securityProfile:
    defender:
      securityMonitoring:
        enabled: true
  tags:
    owner: team-INDEX
    cost-center: cc-INDEX
"#;

struct Tree {
    files: usize,
    bytes: u64,
}

fn write(tree: &mut Tree, path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    tree.files += 1;
    tree.bytes += text.len() as u64;
}

fn generate(root: &Path, roots: usize) -> Tree {
    let mut tree = Tree { files: 0, bytes: 0 };
    write(&mut tree, &root.join("modules/aks/main.tf"), MODULE);
    for index in 0..roots {
        let policy = if index % 3 == 0 { "false" } else { "true" };
        let fill = |text: &str| {
            text.replace("INDEX_POLICY", policy)
                .replace("INDEX", &index.to_string())
        };
        let team = format!("team{:03}", index % 100);
        let env = root.join(format!("{team}/env{index:05}"));
        write(&mut tree, &env.join("main.tf"), &fill(ROOT));
        write(&mut tree, &env.join("terraform.tfvars"), &fill(TFVARS));
        let arm = root.join(format!("{team}/arm{index:05}"));
        write(&mut tree, &arm.join("main.json"), &fill(TEMPLATE));
        write(
            &mut tree,
            &arm.join("main.parameters.json"),
            &fill(PARAMETERS),
        );
        write(
            &mut tree,
            &root.join(format!("{team}/k8s/cluster{index:05}.yaml")),
            &fill(MANIFEST),
        );
        write(
            &mut tree,
            &root.join(format!("{team}/bicep{index:05}/main.bicep")),
            &fill(BICEP_CLUSTER),
        );
        // A Helm chart per ten roots, rendering 20 clusters from a list in its values.
        if index % 10 == 0 {
            let chart = root.join(format!("{team}/chart{index:05}"));
            let mut values =
                String::from("tags:\n  owner: team\n  cost-center: \"1\"\nclusters:\n");
            for cluster in 0..20 {
                values.push_str(&format!(
                    "  - name: aks-{index}-{cluster}\n    defender: {}\n    policy: {}\n",
                    cluster % 2 == 0,
                    cluster % 3 != 0
                ));
            }
            let chart_yaml = format!("apiVersion: v2\nname: fleet{index}\nversion: 1.0.0\n");
            write(&mut tree, &chart.join("Chart.yaml"), &chart_yaml);
            write(&mut tree, &chart.join("values.yaml"), &values);
            write(
                &mut tree,
                &chart.join("templates/_helpers.tpl"),
                CHART_HELPERS,
            );
            write(
                &mut tree,
                &chart.join("templates/clusters.yaml"),
                CHART_CLUSTERS,
            );
        }
    }
    tree
}

/// Reading every file once, in parallel, and nothing else: what no scanner can beat.
fn read_floor(root: &Path) -> f64 {
    use rayon::prelude::*;
    let mut paths = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    best_of(5, || {
        let bytes: usize = paths
            .par_iter()
            .map(|p| std::fs::read(p).map_or(0, |b| b.len()))
            .sum();
        assert!(bytes > 0);
    })
}

fn best_of(runs: usize, mut work: impl FnMut()) -> f64 {
    work(); // Warm-up: fills the page cache, so the figures measure work, not the disk.
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// Peak resident memory of this process so far, in MB (Linux `VmHWM`).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let scale: usize = std::env::var("AKSGUARD_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    // `AKSGUARD_BENCH_TREE=DIR` writes the largest tree to DIR and stops, to profile the binary
    // on it (`perf record aksguard scan DIR`).
    if let Some(dir) = std::env::var_os("AKSGUARD_BENCH_TREE") {
        let tree = generate(Path::new(&dir), scale * 4);
        println!(
            "wrote {} files, {} bytes to {}",
            tree.files,
            tree.bytes,
            Path::new(&dir).display()
        );
        return;
    }
    let cores = rayon::current_num_threads();
    println!("aksguard scan benchmark ({cores} cores); best of 5 after a warm-up run");
    // Sizes grow, so the peak memory read after each is that size's own peak.
    for roots in [scale, scale * 2, scale * 4] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let tree = generate(dir.path(), roots);
        let options = aksguard::ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            ..aksguard::ScanOptions::default()
        };
        let floor = read_floor(dir.path());
        let mut findings = 0;
        let mut scan = || findings = aksguard::scan(&options).expect("scan").findings.len();
        let all_cores = best_of(5, &mut scan);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("one-thread pool");
        let one_core = one.install(|| best_of(5, &mut scan));
        let mb = tree.bytes as f64 / 1_000_000.0;
        let peak = peak_memory_mb().map_or("n/a".to_string(), |m| format!("{m:.0} MB"));
        println!(
            "{} files, {mb:.1} MB, {findings} findings: {all_cores:.3} s = {:.0} files/s, {:.1} MB/s, {:.1}x the read floor ({floor:.3} s); -j 1: {one_core:.3} s ({:.2}x speed-up from {cores} cores); peak memory {peak}",
            tree.files,
            tree.files as f64 / all_cores,
            mb / all_cores,
            all_cores / floor,
            one_core / all_cores,
        );
    }
}
