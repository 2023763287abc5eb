//! Kubernetes objects that declare Azure resources: Azure Service Operator v2, Cluster API
//! Provider Azure and Crossplane's Azure provider.
//!
//! Objects are recognised by their `apiVersion` group and `kind` (any version); everything else
//! in a manifest (ConfigMaps, Deployments, ...) is simply not a resource of interest. Objects that
//! embed ARM properties (ASO) lower through [`crate::frontend::arm_shape`]; CAPZ and Crossplane
//! use their own field names and have their own dialects.

mod aso;
mod capz;
mod crossplane;
mod placeholders;

use crate::model::Model;
use crate::source::Span;
use crate::value::{Related, Value};

/// How deep `List` objects and CAPZ `spec.resources` may nest.
const MAX_NESTING: usize = 8;

/// Lower every recognised object of one file's documents; `context` is added to each cluster's
/// context.
pub fn lower_documents(documents: &[Value], context: &[Related]) -> Model {
    let mut model = Model::default();
    for document in documents {
        lower_object(document, context, &mut model, 0);
    }
    model
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

fn lower_object(document: &Value, context: &[Related], model: &mut Model, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
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
                lower_object(item, context, model, depth + 1);
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
            // The ASO resources it creates, each lowered as if written on its own.
            let mut inner = context.to_vec();
            inner.push(Related {
                span: object.kind_span,
                message: format!(
                    "declared in `spec.resources` of AzureASOManagedControlPlane '{}'",
                    object.name
                ),
            });
            let resources = object
                .value
                .get("spec")
                .and_then(|s| s.value.get("resources"))
                .and_then(|r| r.value.items())
                .unwrap_or(&[]);
            for resource in resources {
                lower_object(resource, &inner, model, depth + 1);
            }
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

/// Add the caller's context to a cluster's.
fn with_context(mut cluster: crate::model::Cluster, context: &[Related]) -> crate::model::Cluster {
    cluster.context.extend(context.iter().cloned());
    cluster
}

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
            if documents.iter().any(|d| Object::read(d).is_some()) {
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

/// Lower every manifest of the scan.
pub fn build_model(manifests: &[Vec<Value>]) -> Model {
    let mut model = Model::default();
    for documents in manifests {
        model.extend(lower_documents(documents, &[]));
    }
    model
}
