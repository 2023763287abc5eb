//! Azure Service Operator v2: the spec of a resource is its ARM properties (with `owner`,
//! `azureName` and operator settings beside them), so it lowers through the shared ARM-shaped
//! lowering.

use super::{keyed, with_context, Object};
use crate::frontend::arm_shape::{self, ManagedClusterSource};
use crate::model::{Cluster, ClusterExtension, Dialect, Resource, Setting};
use crate::value::{Related, Unknown, UnknownCause, Value};

/// `containerservice.azure.com` `ManagedCluster`: `spec.securityProfile`, `spec.addonProfiles`,
/// `spec.tags`. `spec.owner` is the parent resource group, not a tag.
pub fn managed_cluster(object: &Object, context: &[Related]) -> Cluster {
    let spec = object.field("spec");
    let tags = spec.as_ref().and_then(|s| keyed(s, "tags"));
    let mut cluster = arm_shape::managed_cluster(ManagedClusterSource {
        address: format!("ManagedCluster '{}'", object.name),
        dialect: Dialect::KubernetesArm,
        header: object.kind_span,
        properties: spec.as_ref(),
        tags: tags.as_ref(),
    });
    cluster.name = Some(azure_name(object, spec.as_ref()));
    with_context(cluster, context)
}

/// The Azure resource name: `spec.azureName`, else `metadata.name`.
fn azure_name(object: &Object, spec: Option<&Value>) -> String {
    spec.and_then(|s| s.get("azureName"))
        .and_then(|n| n.value.as_str())
        .map_or_else(|| object.name.clone(), str::to_string)
}

/// `kubernetesconfiguration.azure.com` `Extension`: its type and the cluster its `owner` names.
pub fn extension(object: &Object) -> ClusterExtension {
    let spec = object.field("spec");
    let holder = spec.as_ref().map_or(object.kind_span, |s| s.span);
    let extension_type = match spec.as_ref().and_then(|s| s.get("extensionType")) {
        None => Setting::Absent { holder },
        Some(entry) => string_setting(&entry.value),
    };
    let owner = spec.as_ref().and_then(|s| s.get("owner")).map(|o| &o.value);
    let target = match owner {
        None => Setting::Absent { holder },
        Some(owner) => match (owner.get("armId"), owner.get("name")) {
            (Some(id), _) => string_setting(&id.value),
            (None, Some(name)) => match name.value.as_str() {
                // An owner by name is a Kubernetes object of the same namespace: the ARM type
                // follows from its kind.
                Some(text) => {
                    let kind = owner.get("kind").and_then(|k| k.value.as_str());
                    let arm_type = match kind {
                        Some("ManagedCluster") | None => {
                            "Microsoft.ContainerService/managedClusters"
                        }
                        Some(other) => other,
                    };
                    Setting::known(format!("{arm_type}/{text}"), name.value.span)
                }
                None => string_setting(&name.value),
            },
            (None, None) => Setting::Absent { holder: owner.span },
        },
    };
    ClusterExtension {
        resource: Resource {
            address: format!("Extension '{}'", object.name),
            dialect: Dialect::KubernetesArm,
            header: object.kind_span,
        },
        extension_type,
        target,
    }
}

fn string_setting(value: &Value) -> Setting<String> {
    match value.as_str() {
        Some(text) => Setting::Known {
            value: text.to_string(),
            span: value.span,
            provenance: value.provenance.to_vec(),
        },
        None => Setting::Unknown {
            unknown: value.as_unknown().cloned().unwrap_or_else(|| {
                Unknown::new(
                    UnknownCause::Unsupported,
                    format!("expected a string, found {}", value.describe()),
                )
            }),
            span: value.span,
            provenance: value.provenance.to_vec(),
        },
    }
}
