//! Linked templates that live in the repository: `templateLink.relativePath`, and a `uri` built
//! from the template's own location (the quickstart convention: `_artifactsLocation` defaults to
//! `deployment().properties.templateLink.uri`, joined with a literal relative path).
//!
//! A template's own location is a `file://` URI of its canonical path; `uri()` and `concat()`
//! then resolve a relative path against it as ARM would against the URL it was deployed from.
//! Any other URI (a parameter file setting `_artifactsLocation` to a storage account, say) is not
//! fetched and stays E003.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Document, DocumentKind};
use crate::discover::{Discovered, FileKind};
use crate::frontend::ParsedFile;
use crate::source::{SourceFile, SourceMap};
use crate::value::{Value, ValueKind};

const FILE_SCHEME: &str = "file://";

/// The documents of the scan by canonical path, for following links.
pub struct Library<'d> {
    by_path: HashMap<PathBuf, &'d Document>,
}

impl<'d> Library<'d> {
    pub fn new(documents: &[&'d Document], sources: &SourceMap) -> Library<'d> {
        let by_path = documents
            .iter()
            .map(|d| (canonical(&sources.get(d.id).path), *d))
            .collect();
        Library { by_path }
    }

    pub fn get(&self, path: &Path, kind: DocumentKind) -> Option<&'d Document> {
        self.by_path
            .get(&canonical(path))
            .copied()
            .filter(|d| d.kind == kind)
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The location ARM would see for a template deployed from `path` (what
/// `deployment().properties.templateLink.uri` gives).
pub fn template_uri(path: &Path) -> String {
    format!(
        "{FILE_SCHEME}{}",
        canonical(path).to_string_lossy().replace('\\', "/")
    )
}

/// The file a resolved link names, when it is one of the scan's own locations. A SAS token or
/// any query is dropped, as it would be by the storage account.
pub fn path_of_uri(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix(FILE_SCHEME)?;
    let path = path.split(['?', '#']).next().unwrap_or(path);
    Some(PathBuf::from(path))
}

/// `uri(base, relative)` as ARM defines it: a base ending in `/` is followed by the relative
/// part; otherwise the relative part replaces the base's last segment.
pub fn resolve_uri(base: &str, relative: &str) -> String {
    if relative.contains("://") {
        return relative.to_string();
    }
    let directory = match base.rfind('/') {
        Some(slash) if !base.ends_with("://") => &base[..=slash],
        _ => base,
    };
    let joined = format!("{directory}{}", relative.trim_start_matches('/'));
    match path_of_uri(&joined) {
        // Fold `..` and `.` so the same file always has the same location.
        Some(path) => format!(
            "{FILE_SCHEME}{}",
            crate::frontend::repository::normalize(&path)
                .to_string_lossy()
                .replace('\\', "/")
        ),
        None => joined,
    }
}

/// Files that templates link to by a literal path (a `relativePath`, or the `'nested/x.json'`
/// inside a `uri` expression), beside them on disk within the repository: read so that links
/// can be followed. Which of them a link really names is decided when the template is evaluated.
pub fn referenced_files(files: &[ParsedFile], sources: &[SourceFile]) -> Vec<Discovered> {
    use rayon::prelude::*;
    // Every template's whole tree is walked: on every core.
    let mut found: Vec<Discovered> = files
        .par_iter()
        .with_max_len(1)
        .flat_map_iter(|file| {
            let document = file.syntax.downcast_ref::<Document>();
            let (Some(document), Some(source)) = (document, sources.get(file.id.0 as usize)) else {
                return Vec::new();
            };
            let dir = source.path.parent().unwrap_or_else(|| Path::new("."));
            let mut literals = Vec::new();
            link_literals(&document.root, 0, &mut literals);
            literals
                .into_iter()
                .map(|literal| crate::frontend::repository::normalize(&dir.join(&literal)))
                .filter(|path| {
                    path.is_file()
                        && crate::frontend::repository::outside_repository(dir, path).is_none()
                })
                .map(|path| Discovered {
                    path,
                    kind: FileKind::Json,
                })
                .collect()
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Relative `.json` paths written literally in `templateLink` and `parametersLink` objects.
fn link_literals(value: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 64 {
        return;
    }
    match &value.kind {
        ValueKind::Object(entries) => {
            for entry in entries {
                let is_link = entry.key.eq_ignore_ascii_case("templateLink")
                    || entry.key.eq_ignore_ascii_case("parametersLink");
                if is_link {
                    for field in ["relativePath", "uri"] {
                        if let Some(text) = entry
                            .value
                            .get_ignore_case(field)
                            .and_then(|f| f.value.as_str())
                        {
                            out.extend(json_paths(text));
                        }
                    }
                }
                link_literals(&entry.value, depth + 1, out);
            }
        }
        ValueKind::List(items) => items.iter().for_each(|v| link_literals(v, depth + 1, out)),
        _ => {}
    }
}

/// The relative `.json` paths in a link's text: the text itself, or the quoted literals of an
/// expression (`[uri(parameters('_artifactsLocation'), 'nested/aks.json')]`).
fn json_paths(text: &str) -> Vec<String> {
    let relative = |s: &str| {
        let s = s.trim();
        (s.to_ascii_lowercase().ends_with(".json") && !s.contains("://"))
            .then(|| s.trim_start_matches('/').to_string())
    };
    if !text.starts_with('[') {
        return relative(text).into_iter().collect();
    }
    text.split('\'')
        .skip(1)
        .step_by(2)
        .filter_map(relative)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_resolves_against_the_template_location_as_arm_does() {
        let base = "file:///repo/quickstart/azuredeploy.json";
        assert_eq!(
            resolve_uri(base, "nested/aks.json"),
            "file:///repo/quickstart/nested/aks.json"
        );
        assert_eq!(
            resolve_uri("file:///repo/quickstart/", "../shared/x.json"),
            "file:///repo/shared/x.json"
        );
        assert_eq!(
            resolve_uri("https://example.org/a/b.json", "c.json"),
            "https://example.org/a/c.json"
        );
        assert_eq!(
            path_of_uri("file:///repo/nested/aks.json?sv=token").as_deref(),
            Some(Path::new("/repo/nested/aks.json"))
        );
        assert_eq!(path_of_uri("https://example.org/x.json"), None);
    }

    #[test]
    fn literal_paths_in_link_expressions() {
        assert_eq!(
            json_paths("[uri(parameters('_artifactsLocation'), concat('nested/aks.json', parameters('_artifactsLocationSasToken')))]"),
            ["nested/aks.json"]
        );
        assert_eq!(json_paths("linked/cluster.json"), ["linked/cluster.json"]);
        assert!(json_paths("[parameters('templateUri')]").is_empty());
        assert!(json_paths("https://example.org/t.json").is_empty());
    }
}
