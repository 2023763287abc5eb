//! Kubernetes objects that declare Azure resources: Azure Service Operator v2, Cluster API
//! Provider Azure and Crossplane's Azure provider.
//!
//! Objects are recognised by their `apiVersion` group and `kind` (any version); everything else
//! in a manifest (ConfigMaps, Deployments, ...) is simply not a resource of interest. Objects that
//! embed ARM properties (ASO) lower through [`crate::frontend::arm_shape`]; CAPZ and Crossplane
//! use their own field names and have their own dialects.

mod aso;
mod capz;
mod clusterclass;
mod composition;
mod crossplane;
mod kustomize;
mod placeholders;

use crate::discover::FileKind;
use crate::finding::Finding;
use crate::frontend::ParseOutcome;
use crate::model::Model;
use crate::source::{FileId, SourceMap, Span};
use crate::value::{Related, Value};

/// How deep `List` objects and CAPZ `spec.resources` may nest.
const MAX_NESTING: usize = 8;

/// Lower every recognised object of one file's documents; `context` is added to each cluster's
/// context.
pub fn lower_documents(documents: &[Value], context: &[Related]) -> Model {
    lower_file(documents, context).model
}

/// What one file lowers to, with the clusters that come from CAPZ ClusterClass templates.
#[derive(Default)]
struct Lowering {
    model: Model,
    /// Indexes into `model.clusters` of clusters declared by a template, with its kind.
    templated: Vec<(usize, &'static str)>,
}

fn lower_file(documents: &[Value], context: &[Related]) -> Lowering {
    let mut lowering = Lowering::default();
    for document in documents {
        lower_object(document, context, &mut lowering, 0);
    }
    lowering
}

/// The identity of one Kubernetes object.
struct Object<'a> {
    value: &'a Value,
    group: &'a str,
    kind: &'a str,
    /// The `kind` value: where findings about the object as a whole point.
    kind_span: Span,
    /// `metadata.name` as written (template variables included).
    name: String,
}

impl<'a> Object<'a> {
    fn read(value: &'a Value) -> Option<Object<'a>> {
        let api_version = value.get("apiVersion")?.value.as_str()?;
        let kind = value.get("kind")?;
        // `group/version`; the core group has no slash.
        let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
        let name = value
            .get("metadata")
            .and_then(|m| m.value.get("name"))
            .and_then(|n| n.value.as_str())
            .unwrap_or("(unnamed)")
            .to_string();
        Some(Object {
            value,
            group,
            kind: kind.value.as_str()?,
            kind_span: kind.value.span,
            name,
        })
    }

    /// A top-level field with template variables substituted; a mapping's span starts at its
    /// key, so a missing setting points at the line of `spec:`.
    fn field(&self, key: &str) -> Option<Value> {
        block(self.value, key)
    }

    fn annotation(&self, key: &str) -> Option<&'a str> {
        self.value
            .get("metadata")?
            .value
            .get("annotations")?
            .value
            .get(key)?
            .value
            .as_str()
    }
}

/// `value[key]` with template variables substituted, spanning from the key when it is a mapping.
fn block(value: &Value, key: &str) -> Option<Value> {
    let entry = value.get(key)?;
    Some(from_key(
        entry.key_span,
        placeholders::resolve(&entry.value),
    ))
}

/// `value[key]` (already substituted), spanning from the key when it is a mapping: findings about
/// a block written over several lines point at the line that names it.
fn keyed(value: &Value, key: &str) -> Option<Value> {
    let entry = value.get(key)?;
    Some(from_key(entry.key_span, entry.value.clone()))
}

fn from_key(key_span: Span, mut value: Value) -> Value {
    if value.entries().is_some() && key_span.start < value.span.start {
        value.span = Span {
            start: key_span.start,
            ..value.span
        };
    }
    value
}

fn lower_object(document: &Value, context: &[Related], lowering: &mut Lowering, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    let model = &mut lowering.model;
    let Some(object) = Object::read(document) else {
        return;
    };
    match (object.group, object.kind) {
        // `kubectl get -o yaml` wraps objects in a `v1 List`.
        ("", "List") => {
            for item in document
                .get("items")
                .and_then(|i| i.value.items())
                .unwrap_or(&[])
            {
                lower_object(item, context, lowering, depth + 1);
            }
        }
        ("containerservice.azure.com", "ManagedCluster") => {
            model.clusters.push(aso::managed_cluster(&object, context))
        }
        ("kubernetesconfiguration.azure.com", "Extension") => {
            model.extensions.push(aso::extension(&object))
        }
        ("infrastructure.cluster.x-k8s.io", "AzureManagedControlPlane") => model
            .clusters
            .push(capz::managed_control_plane(&object, context)),
        ("infrastructure.cluster.x-k8s.io", "AzureASOManagedControlPlane") => {
            aso_resources(&object, object.value.get("spec"), context, lowering, depth)
        }
        (
            "infrastructure.cluster.x-k8s.io",
            kind @ ("AzureManagedControlPlaneTemplate" | "AzureASOManagedControlPlaneTemplate"),
        ) => {
            // Without `spec.template` the object is not a valid template (the API server
            // rejects it): an unused patch fragment, say, that declares no cluster.
            let template = object
                .value
                .get("spec")
                .and_then(|s| s.value.get("template"));
            if template.is_none() {
                return;
            }
            let template_kind = if kind == "AzureManagedControlPlaneTemplate" {
                "AzureManagedControlPlaneTemplate"
            } else {
                "AzureASOManagedControlPlaneTemplate"
            };
            let mut inner = context.to_vec();
            inner.push(Related {
                span: object.kind_span,
                message: format!(
                    "{kind} '{}' is a ClusterClass template: each Cluster of a class that uses it starts from these settings",
                    object.name
                ),
            });
            // `spec.template.spec` is the control plane's spec.
            let spec = template.and_then(|t| t.value.get("spec"));
            let first = model.clusters.len();
            if template_kind == "AzureManagedControlPlaneTemplate" {
                let view = template_view(object.value, spec);
                if let Some(view) = Object::read(&view) {
                    model
                        .clusters
                        .push(capz::managed_control_plane(&view, &inner));
                }
            } else {
                aso_resources(&object, spec, &inner, lowering, depth);
            }
            let last = lowering.model.clusters.len();
            lowering
                .templated
                .extend((first..last).map(|index| (index, template_kind)));
        }
        ("apiextensions.crossplane.io", "Composition") => {
            composition::lower(&object, context, lowering, depth)
        }
        (group, "KubernetesCluster")
            if crossplane::is_azure_group(group, "containerservice")
                && crossplane::is_managed(&object) =>
        {
            model
                .clusters
                .push(crossplane::kubernetes_cluster(&object, context))
        }
        (group, kind)
            if crossplane::is_azure_group(group, "security") && crossplane::is_managed(&object) =>
        {
            crossplane::security(&object, kind, model)
        }
        (group, kind)
            if crossplane::is_azure_group(group, "authorization")
                && crossplane::is_managed(&object) =>
        {
            crossplane::policy_assignment(&object, kind, model)
        }
        _ => {}
    }
}

/// The ASO objects in `spec.resources` of a CAPZ ASO control plane, each lowered as if written
/// on its own.
fn aso_resources(
    object: &Object,
    spec: Option<&crate::value::Entry>,
    context: &[Related],
    lowering: &mut Lowering,
    depth: usize,
) {
    let mut inner = context.to_vec();
    inner.push(Related {
        span: object.kind_span,
        message: format!(
            "declared in `spec.resources` of {} '{}'",
            object.kind, object.name
        ),
    });
    let resources = spec
        .and_then(|s| s.value.get("resources"))
        .and_then(|r| r.value.items())
        .unwrap_or(&[]);
    for resource in resources {
        lower_object(resource, &inner, lowering, depth + 1);
    }
}

/// A template object seen as the object it stamps out: its `kind` and `metadata`, with
/// `spec.template.spec` as `spec`.
fn template_view(template: &Value, spec: Option<&crate::value::Entry>) -> Value {
    let mut entries: Vec<crate::value::Entry> = ["apiVersion", "kind", "metadata"]
        .iter()
        .filter_map(|key| template.get(key).cloned())
        .collect();
    entries.extend(spec.cloned());
    Value::new(crate::value::ValueKind::Object(entries), template.span)
}

/// Add the caller's context to a cluster's.
fn with_context(mut cluster: crate::model::Cluster, context: &[Related]) -> crate::model::Cluster {
    cluster.context.extend(context.iter().cloned());
    cluster
}

pub const FRONT_END: crate::frontend::FrontEnd = crate::frontend::FrontEnd {
    name: "kubernetes",
    claims: |file| match file.kind {
        FileKind::Manifests => true,
        FileKind::Yaml => !is_in_helm_chart(&file.path),
        _ => false,
    },
    parse: |file, text| {
        let recognised = match file.kind {
            // Standard input is manifests by the user's word: any YAML error there is E001.
            FileKind::Manifests => match crate::frontend::yaml::parse_stream(text) {
                Ok(documents) => Recognised::Manifest(documents),
                Err(error) => Recognised::Failed(error),
            },
            _ => recognise(text),
        };
        match recognised {
            Recognised::Manifest(documents) => ParseOutcome::Parsed(Box::new(Manifest {
                file: FileId(0),
                documents,
            })),
            Recognised::NotKubernetes => ParseOutcome::Skipped,
            Recognised::Failed(error) => ParseOutcome::Failed(crate::frontend::SyntaxError {
                offset: error.offset,
                message: error.message,
            }),
        }
    },
    set_file: |syntax, id| {
        if let Some(manifest) = syntax.downcast_mut::<Manifest>() {
            manifest.file = id;
            manifest.documents.iter_mut().for_each(|d| d.set_file(id));
        }
    },
    referenced: |_, _| Vec::new(),
    directories: None,
    lower: |input| {
        let manifests: Vec<&Manifest> = input
            .files
            .iter()
            .filter_map(|file| file.syntax.downcast_ref::<Manifest>())
            .collect();
        let lowered = build_model(&manifests, input.sources);
        crate::frontend::Lowered {
            model: lowered.model,
            notes: lowered.not_analysed,
        }
    },
};

/// What a `.yaml` file is to this front end.
pub enum Recognised {
    /// At least one document is a Kubernetes object (`apiVersion` and `kind`).
    Manifest(Vec<Value>),
    /// CI configs, docker-compose files, templates of other tools: not read.
    NotKubernetes,
    /// Looks like a Kubernetes manifest but is not valid YAML.
    Failed(crate::frontend::yaml::YamlError),
}

/// Parse `text` and tell whether it is a Kubernetes manifest. A file that does not parse is an
/// error only when it is meant for Kubernetes (it has top-level `apiVersion:` and `kind:` lines)
/// and is not a template of another tool (`{{ }}`, `{% %}`): YAML files are everywhere, and one
/// this scan cannot read may be valid for whatever reads it.
pub fn recognise(text: &str) -> Recognised {
    match crate::frontend::yaml::parse_stream(text) {
        Ok(documents) => {
            let kept = |d: &Value| Object::read(d).is_some() || kustomize::lists_patches(d);
            if documents.iter().any(kept) {
                Recognised::Manifest(documents)
            } else {
                Recognised::NotKubernetes
            }
        }
        Err(error) => {
            let has_line = |key: &str| text.lines().any(|line| line.starts_with(key));
            let templated = text.contains("{{") || text.contains("{%");
            if has_line("apiVersion:") && has_line("kind:") && !templated {
                Recognised::Failed(error)
            } else {
                Recognised::NotKubernetes
            }
        }
    }
}

/// Whether `path` lies in a Helm chart (a directory with `Chart.yaml` above it): charts are
/// rendered by the Helm front end, and their templates are not plain YAML.
pub fn is_in_helm_chart(path: &std::path::Path) -> bool {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .any(|dir| dir.join("Chart.yaml").is_file())
}

/// One parsed manifest file.
#[derive(Debug)]
pub struct Manifest {
    pub file: FileId,
    pub documents: Vec<Value>,
}

/// What the scan's manifests declare, and the files not checked on their own.
#[derive(Debug, Default)]
pub struct Lowered {
    pub model: Model,
    /// E003 notes: kustomize patches that change a resource defined elsewhere.
    pub not_analysed: Vec<Finding>,
}

/// Lower every manifest of the scan. A file that a kustomization in the scan lists as a patch is
/// a fragment of an object, not an object: it is noted, not checked.
pub fn build_model(manifests: &[&Manifest], sources: &SourceMap) -> Lowered {
    let patches = kustomize::patch_files(manifests, sources);
    let class_patches = clusterclass::patches(manifests);
    let mut lowered = Lowered::default();
    for manifest in manifests {
        let Lowering {
            mut model,
            templated,
        } = lower_file(&manifest.documents, &[]);
        for (index, template_kind) in templated {
            if let Some(cluster) = model.clusters.get_mut(index) {
                clusterclass::apply(cluster, template_kind, &class_patches);
            }
        }
        let path = &sources.get(manifest.file).path;
        match std::fs::canonicalize(path)
            .ok()
            .and_then(|p| patches.get(&p))
        {
            Some(kustomization) => {
                if let Some(note) = kustomize::patch_note(&model, kustomization) {
                    lowered.not_analysed.push(note);
                }
            }
            None => lowered.model.extend(model),
        }
    }
    lowered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::yaml::parse_stream;
    use crate::model::{DefenderProfile, PolicyAddon, Setting};

    fn lower(text: &str) -> Model {
        lower_documents(&parse_stream(text).unwrap(), &[])
    }

    #[test]
    fn unrecognised_kinds_and_other_groups_are_not_clusters() {
        let model = lower(
            "apiVersion: v1\nkind: ConfigMap\n---\nplain: yaml\n---\n- a list\n---\n\
             apiVersion: example.com/v1\nkind: ManagedCluster\n---\n\
             apiVersion: containerservice.azure.com/v1api20240901\nkind: ManagedClustersAgentPool\n",
        );
        assert!(model.clusters.is_empty());
    }

    #[test]
    fn aso_cluster_settings_point_at_their_values() {
        let text = "apiVersion: containerservice.azure.com/v1api20240901\nkind: ManagedCluster\n\
                    metadata:\n  name: a\nspec:\n  azureName: aks-a\n  securityProfile:\n    defender:\n      \
                    securityMonitoring:\n        enabled: true\n";
        let model = lower(text);
        let cluster = &model.clusters[0];
        assert_eq!(cluster.address, "ManagedCluster 'a'");
        assert_eq!(cluster.name.as_deref(), Some("aks-a"));
        let Setting::Known { value, span, .. } = &cluster.defender else {
            panic!("{:?}", cluster.defender)
        };
        assert_eq!(*value, DefenderProfile::Enabled);
        assert_eq!(&text[span.range()], "true");
        // No add-on profiles: the finding points at the line of `spec:`.
        let Setting::Absent { holder } = &cluster.azure_policy else {
            panic!("{:?}", cluster.azure_policy)
        };
        assert!(text[holder.range()].starts_with("spec:"));
        assert_eq!(&text[cluster.header.range()], "ManagedCluster");
    }

    #[test]
    fn lists_and_capz_resources_are_walked_with_context() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\n  \
                    kind: AzureASOManagedControlPlane\n  metadata: {name: cp}\n  spec:\n    resources:\n    \
                    - apiVersion: containerservice.azure.com/v1api20240901\n      kind: ManagedCluster\n      \
                    metadata: {name: inner}\n      spec: {}\n";
        let context = [Related {
            span: Span::default(),
            message: "rendered from a chart".to_string(),
        }];
        let model = lower_documents(&parse_stream(text).unwrap(), &context);
        let cluster = &model.clusters[0];
        assert_eq!(cluster.address, "ManagedCluster 'inner'");
        let messages: Vec<&str> = cluster.context.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "rendered from a chart",
                "declared in `spec.resources` of AzureASOManagedControlPlane 'cp'"
            ]
        );
    }

    #[test]
    fn capz_add_on_entries_decide_by_name_any_case() {
        let lower_addons = |addons: &str| {
            let text = format!(
                "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: AzureManagedControlPlane\n\
                 metadata: {{name: x}}\nspec:\n  addonProfiles: {addons}\n"
            );
            lower(&text).clusters.remove(0).azure_policy
        };
        let is = |setting: Setting<PolicyAddon>, wanted: PolicyAddon| matches!(setting, Setting::Known { value, .. } if value == wanted);
        assert!(is(
            lower_addons("[{name: AzurePolicy, enabled: true}]"),
            PolicyAddon::Enabled
        ));
        assert!(is(
            lower_addons("[{name: azurepolicy}]"),
            PolicyAddon::Disabled
        ));
        assert!(matches!(
            lower_addons("[{name: other, enabled: true}]"),
            Setting::Absent { .. }
        ));
        assert!(matches!(
            lower_addons("[{name: \"${ADDON}\", enabled: true}]"),
            Setting::Unknown { .. }
        ));
        assert!(matches!(
            lower_addons(
                "[{name: azurepolicy, enabled: true}, {name: azurePolicy, enabled: false}]"
            ),
            Setting::Known {
                value: PolicyAddon::CaseConflict { .. },
                ..
            }
        ));
    }

    #[test]
    fn crossplane_defender_in_list_or_object_form() {
        let defender = |value: &str| {
            let text = format!(
                "apiVersion: containerservice.azure.upbound.io/v1beta1\nkind: KubernetesCluster\n\
                 metadata: {{name: x}}\nspec:\n  forProvider:\n    microsoftDefender: {value}\n"
            );
            lower(&text).clusters.remove(0).defender
        };
        let is = |setting: Setting<DefenderProfile>, wanted: DefenderProfile| matches!(setting, Setting::Known { value, .. } if value == wanted);
        assert!(is(
            defender("[{logAnalyticsWorkspaceId: id}]"),
            DefenderProfile::Enabled
        ));
        assert!(is(
            defender("{logAnalyticsWorkspaceId: id}"),
            DefenderProfile::Enabled
        ));
        assert!(is(defender("[]"), DefenderProfile::Disabled));
        assert!(matches!(
            defender("\"${DEFENDER}\""),
            Setting::Unknown { .. }
        ));
    }
}
