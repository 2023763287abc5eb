//! Parameter files: which ones belong to a template, and the values they supply.

use std::path::{Path, PathBuf};

use super::expr::eval::{MissingInput, Supplied};
use super::{Document, DocumentKind};
use crate::source::SourceMap;
use crate::value::{Related, UnknownCause, Value};

/// The scan's parameter files by directory, built once so pairing does not compare every
/// template with every parameter file (thousands of each in a monorepo).
pub struct ParameterIndex<'d> {
    by_dir: std::collections::HashMap<PathBuf, Vec<(String, &'d Document)>>,
}

impl<'d> ParameterIndex<'d> {
    pub fn new(documents: &[&'d Document], sources: &SourceMap) -> ParameterIndex<'d> {
        let mut by_dir: std::collections::HashMap<PathBuf, Vec<(String, &'d Document)>> =
            std::collections::HashMap::new();
        for document in documents
            .iter()
            .filter(|d| d.kind == DocumentKind::Parameters)
        {
            let path = &sources.get(document.id).path;
            if let Some(name) = lowercase_name(path) {
                let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
                by_dir.entry(dir).or_default().push((name, *document));
            }
        }
        ParameterIndex { by_dir }
    }
}

/// The parameter files paired with `template` by name, in path order: `X.json` with
/// `X.parameters.json` and `X.parameters.<anything>.json` in the same directory (which covers
/// `azuredeploy.parameters.json` and `azuredeploy.parameters.dev.json`).
pub fn paired<'d>(
    template: &Document,
    index: &ParameterIndex<'d>,
    sources: &SourceMap,
) -> Vec<&'d Document> {
    paired_with_file(&sources.get(template.id).path, ".json", index)
}

/// The parameter files paired by name with the template file at `path` (its name ending in
/// `suffix`: `.json` for ARM, `.bicep` for Bicep), looked up in its directory's entry only.
pub fn paired_with_file<'d>(
    path: &Path,
    suffix: &str,
    index: &ParameterIndex<'d>,
) -> Vec<&'d Document> {
    let Some(stem) = lowercase_name(path).and_then(|n| n.strip_suffix(suffix).map(str::to_string))
    else {
        return Vec::new();
    };
    let prefix = format!("{stem}.parameters");
    // The quickstart convention pairs `azuredeploy.json` with any `azuredeploy.parameters*.json`.
    let any_middle = suffix == ".json" && stem == "azuredeploy";
    let dir = path.parent().unwrap_or(Path::new(""));
    index
        .by_dir
        .get(dir)
        .into_iter()
        .flatten()
        .filter(|(name, _)| {
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".json"))
                .is_some_and(|middle| middle.is_empty() || middle.starts_with('.') || any_middle)
        })
        .map(|(_, document)| *document)
        .collect()
}

fn lowercase_name(path: &Path) -> Option<String> {
    Some(path.file_name()?.to_str()?.to_ascii_lowercase())
}

/// The parameter documents named by `--param-file`, in the order given.
pub fn explicit<'d>(
    documents: &[&'d Document],
    sources: &SourceMap,
    paths: &[PathBuf],
) -> Vec<&'d Document> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    paths
        .iter()
        .filter_map(|wanted| {
            let wanted = canonical(wanted);
            documents.iter().copied().find(|d| {
                d.kind == DocumentKind::Parameters && canonical(&sources.get(d.id).path) == wanted
            })
        })
        .collect()
}

/// The values a parameter file supplies, each carrying where it was set; and how to say that a
/// parameter is not set. Key Vault references are unknown: the secret is read at deployment.
pub fn supplied(
    file: Option<&Document>,
    sources: &SourceMap,
) -> (Vec<(String, Supplied)>, MissingInput) {
    let Some(file) = file else {
        return (Vec::new(), MissingInput::NoParameterFile);
    };
    let display = file_name(&sources.get(file.id).display);
    let entries = file
        .root
        .get_ignore_case("parameters")
        .and_then(|p| p.value.entries())
        .unwrap_or(&[]);
    let supplied = entries
        .iter()
        .filter_map(|entry| {
            let name = &entry.key;
            let value = if let Some(value) = entry.value.get_ignore_case("value") {
                let mut value = value.value.clone();
                value.provenance.push(Related {
                    span: value.span,
                    message: format!("{display} sets {name} = {}", value.describe()),
                });
                value
            } else if entry.value.get_ignore_case("reference").is_some() {
                let mut value = Value::unknown(
                    UnknownCause::Input,
                    format!("parameters('{name}') is a Key Vault reference in {display}, read only at deployment"),
                    entry.value.span,
                );
                value.provenance.push(Related {
                    span: entry.value.span,
                    message: format!("{display} takes {name} from Key Vault"),
                });
                value
            } else {
                return None;
            };
            Some((name.to_string(), Supplied { value }))
        })
        .collect();
    (supplied, MissingInput::FileDoesNotSet(display))
}

fn file_name(display: &str) -> String {
    display.rsplit('/').next().unwrap_or(display).to_string()
}
