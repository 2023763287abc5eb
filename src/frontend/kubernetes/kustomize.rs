//! Kustomize patches: a file that a `kustomization.yaml` lists under `patches` or
//! `patchesStrategicMerge` holds fragments that change objects defined elsewhere, so checking it
//! as a whole object would report settings it never meant to hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Manifest;
use crate::finding::{Finding, Level, Outcome};
use crate::model::Model;
use crate::source::SourceMap;
use crate::value::{Related, Value};

/// Whether a document is a kustomization listing patches (`apiVersion`/`kind` are optional).
pub fn lists_patches(document: &Value) -> bool {
    document.get("patches").is_some() || document.get("patchesStrategicMerge").is_some()
}

fn is_kustomization_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(
            n,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
    })
}

/// Every patch file the scan's kustomizations list (canonical path), with the listing entry.
pub fn patch_files(manifests: &[Manifest], sources: &SourceMap) -> BTreeMap<PathBuf, Related> {
    let mut patches = BTreeMap::new();
    for manifest in manifests {
        let path = &sources.get(manifest.file).path;
        if !is_kustomization_file(path) {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let display = &sources.get(manifest.file).display;
        for document in &manifest.documents {
            for entry in patch_entries(document) {
                let Some(relative) = entry.as_str() else {
                    continue;
                };
                // An inline patch is YAML text, not a path.
                if relative.contains('\n') {
                    continue;
                }
                if let Ok(file) = std::fs::canonicalize(dir.join(relative)) {
                    patches.entry(file).or_insert_with(|| Related {
                        span: entry.span,
                        message: format!("listed as a kustomize patch in {display}"),
                    });
                }
            }
        }
    }
    patches
}

/// `patches: [path | {path}]` and `patchesStrategicMerge: [path]`.
fn patch_entries(document: &Value) -> Vec<&Value> {
    let mut entries = Vec::new();
    for key in ["patches", "patchesStrategicMerge"] {
        for item in document
            .get(key)
            .and_then(|e| e.value.items())
            .unwrap_or(&[])
        {
            match item.get("path") {
                Some(path) => entries.push(&path.value),
                None => entries.push(item),
            }
        }
    }
    entries
}

/// An E003 note on the first resource a patch file touches (none when it touches none we check).
pub fn patch_note(model: &Model, listed: &Related) -> Option<Finding> {
    let (address, span) = model
        .clusters
        .iter()
        .map(|c| (c.address.clone(), c.header))
        .chain(
            model
                .pricings
                .iter()
                .map(|p| (p.resource.address.clone(), p.resource.header)),
        )
        .chain(
            model
                .assignments
                .iter()
                .map(|a| (a.resource.address.clone(), a.resource.header)),
        )
        .chain(
            model
                .extensions
                .iter()
                .map(|e| (e.resource.address.clone(), e.resource.header)),
        )
        .chain(
            model
                .legacy_auto_provisioning
                .iter()
                .map(|r| (r.address.clone(), r.header)),
        )
        .min_by_key(|(_, span)| *span)?;
    Some(Finding {
        rule: "E003",
        level: Level::Note,
        outcome: Outcome::Unknown,
        span,
        message: format!(
            "`{address}` here is a kustomize patch: it changes an object defined elsewhere, so it is not checked on its own, and the object it patches is checked as written, without it"
        ),
        resource: Some(address),
        related: vec![listed.clone()],
        help: Some(
            "scan what kustomize builds: `kustomize build DIR | aksguard scan -`".to_string(),
        ),
    })
}
