//! Throughput benchmark (not a timed test): generates a large Terraform tree, and the same
//! clusters as Bicep and as ARM JSON, and scans each with the library, printing files/s and MB/s
//! (Bicep should parse at least as fast per byte as the JSON path). Run with
//! `cargo bench --bench scan`; set `AKSGUARD_BENCH_MODULES` (default 2000) to change the size.

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

const ARM_CLUSTER: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "location": { "type": "string", "defaultValue": "westeurope" },
    "policy": { "type": "bool", "defaultValue": INDEX_POLICY }
  },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-05-01",
      "name": "aks-INDEX",
      "location": "[parameters('location')]",
      "identity": { "type": "SystemAssigned" },
      "tags": { "owner": "team-INDEX", "environment": "prod" },
      "properties": {
        "dnsPrefix": "aksINDEX",
        "agentPoolProfiles": [
          { "name": "system", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System" }
        ],
        "addonProfiles": { "azurepolicy": { "enabled": "[parameters('policy')]" } }
      }
    },
    {
      "type": "Microsoft.OperationalInsights/workspaces",
      "apiVersion": "2023-09-01",
      "name": "law-aks-INDEX",
      "location": "[parameters('location')]",
      "properties": { "sku": { "name": "PerGB2018" }, "retentionInDays": 30 }
    }
  ]
}
"#;

/// One template per module directory, in `file_name`.
fn generate_template(root: &Path, modules: usize, file_name: &str, template: &str) -> (usize, u64) {
    let mut bytes = 0;
    for module in 0..modules {
        let dir = root.join(format!("team{:03}/module{module:05}", module % 100));
        std::fs::create_dir_all(&dir).unwrap();
        let policy = if module % 3 == 0 { "false" } else { "true" };
        let text = template
            .replace("INDEX_POLICY", policy)
            .replace("INDEX", &module.to_string());
        std::fs::write(dir.join(file_name), &text).unwrap();
        bytes += text.len() as u64;
    }
    (modules, bytes)
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
    let terraform = tempfile::tempdir().expect("temporary directory");
    let (files, bytes) = generate(terraform.path(), modules);
    measure("terraform", terraform.path(), files, bytes);
    let bicep = tempfile::tempdir().expect("temporary directory");
    let (files, bytes) = generate_template(bicep.path(), modules, "main.bicep", BICEP_CLUSTER);
    measure("bicep", bicep.path(), files, bytes);
    let arm = tempfile::tempdir().expect("temporary directory");
    let (files, bytes) = generate_template(arm.path(), modules, "main.json", ARM_CLUSTER);
    measure("arm json", arm.path(), files, bytes);
}

fn measure(name: &str, dir: &Path, files: usize, bytes: u64) {
    let options = aksguard::ScanOptions {
        paths: vec![dir.to_path_buf()],
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
        "scan {name}: {files} files, {mb:.1} MB, {findings} findings; best of {runs}: {:.3} s = {:.0} files/s, {:.1} MB/s ({} threads)",
        best,
        files as f64 / best,
        mb / best,
        rayon::current_num_threads()
    );
}
