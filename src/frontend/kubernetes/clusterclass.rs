//! Cluster API ClusterClass patches: when a Cluster of a class is created, the class's patches
//! (JSON patches filled from the Cluster's topology variables, or an external runtime extension)
//! may change what its templates say. A template setting that a patch touches is *unknown*,
//! naming the patch.

use super::Manifest;
use crate::model::{Cluster, Setting};
use crate::source::Span;
use crate::value::{Related, Unknown, UnknownCause};

/// One patch of a ClusterClass that may change a template.
pub struct ClassPatch {
    class: String,
    /// The template kind its selector names; `None` for an external patch (any template).
    target_kind: Option<String>,
    /// The JSON pointer it writes (empty for an external patch).
    path: String,
    span: Span,
}

/// Every template patch of the scan's ClusterClasses.
pub fn patches(manifests: &[Manifest]) -> Vec<ClassPatch> {
    let mut found = Vec::new();
    for document in manifests.iter().flat_map(|m| &m.documents) {
        let Some(object) = super::Object::read(document) else {
            continue;
        };
        if object.group != "cluster.x-k8s.io" || object.kind != "ClusterClass" {
            continue;
        }
        let patches = document
            .get("spec")
            .and_then(|s| s.value.get("patches"))
            .and_then(|p| p.value.items())
            .unwrap_or(&[]);
        for patch in patches {
            if let Some(external) = patch.get("external") {
                found.push(ClassPatch {
                    class: object.name.clone(),
                    target_kind: None,
                    path: String::new(),
                    span: external.key_span,
                });
            }
            let definitions = patch
                .get("definitions")
                .and_then(|d| d.value.items())
                .unwrap_or(&[]);
            for definition in definitions {
                let kind = definition
                    .get("selector")
                    .and_then(|s| s.value.get("kind"))
                    .and_then(|k| k.value.as_str());
                let json_patches = definition
                    .get("jsonPatches")
                    .and_then(|j| j.value.items())
                    .unwrap_or(&[]);
                for json_patch in json_patches {
                    let Some(path) = json_patch.get("path") else {
                        continue;
                    };
                    found.push(ClassPatch {
                        class: object.name.clone(),
                        target_kind: kind.map(str::to_string),
                        path: path.value.as_str().unwrap_or("").to_string(),
                        span: path.value.span,
                    });
                }
            }
        }
    }
    found
}

/// Whether a patch writing `path` may change the setting stored under one of `keys`: the path
/// names it, or replaces a container above it (`/spec/template/spec`, a `resources` item).
fn touches(path: &str, keys: &[&str]) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    segments.iter().any(|s| keys.contains(s))
        || segments.iter().all(|s| {
            matches!(*s, "" | "spec" | "template" | "resources" | "-") || s.parse::<usize>().is_ok()
        })
}

fn unsettle<T>(setting: &mut Setting<T>, patch: &ClassPatch, template_kind: &str) {
    let what = if patch.path.is_empty() {
        "an external patch".to_string()
    } else {
        format!("a patch of `{}`", patch.path)
    };
    *setting = Setting::Unknown {
        unknown: Unknown::new(
            UnknownCause::Input,
            format!(
                "ClusterClass '{}' applies {what} to its {template_kind} when a Cluster of the class is created",
                patch.class
            ),
        ),
        span: setting.span(),
        provenance: vec![Related {
            span: patch.span,
            message: format!("ClusterClass '{}' may change the setting here", patch.class),
        }],
    };
}

/// Make the settings of a templated cluster that a class patch may change unknown.
pub fn apply(cluster: &mut Cluster, template_kind: &str, patches: &[ClassPatch]) {
    for patch in patches {
        if patch
            .target_kind
            .as_deref()
            .is_some_and(|kind| kind != template_kind)
        {
            continue;
        }
        let external = patch.target_kind.is_none();
        if external || touches(&patch.path, &["securityProfile"]) {
            unsettle(&mut cluster.defender, patch, template_kind);
        }
        if external || touches(&patch.path, &["addonProfiles"]) {
            unsettle(&mut cluster.azure_policy, patch, template_kind);
        }
        if external || touches(&patch.path, &["additionalTags", "tags"]) {
            unsettle(&mut cluster.tags, patch, template_kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::touches;

    #[test]
    fn patch_paths_touch_what_they_name_or_replace() {
        assert!(touches(
            "/spec/template/spec/addonProfiles",
            &["addonProfiles"]
        ));
        assert!(touches(
            "/spec/template/spec/addonProfiles/0/enabled",
            &["addonProfiles"]
        ));
        assert!(touches("/spec/template/spec", &["addonProfiles"]));
        assert!(touches(
            "/spec/template/spec/resources/0",
            &["securityProfile"]
        ));
        assert!(touches(
            "/spec/template/spec/resources/0/spec/securityProfile",
            &["securityProfile"]
        ));
        assert!(!touches("/spec/template/spec/sku", &["addonProfiles"]));
        assert!(!touches(
            "/spec/template/spec/resources/0/spec/dnsPrefix",
            &["tags"]
        ));
    }
}
