//! Lowering of azapi resources: ARM property shapes inside HCL, read through the shared
//! [`arm_shape`] lowering.

use super::eval::{EvalAttribute, EvalBlock};
use super::values::respan_deep;
use crate::frontend::arm_shape::governance::{self, ArmResource};
use crate::frontend::arm_shape::{self, ManagedClusterSource};
use crate::model::{
    AssignmentScope, Cluster, ClusterPatch, DefenderProfile, Dialect, Model, PolicyAddon, Resource,
    Setting,
};
use crate::value::{Entry, UnknownCause, Value, ValueKind};

const MANAGED_CLUSTER: &str = "microsoft.containerservice/managedclusters";

/// Lower an `azapi_resource` or `azapi_update_resource` into `model`: clusters, the posture
/// resources (through the shared ARM-shaped lowering), and patches applied to clusters.
pub fn lower_into(
    resource_type: &str,
    address: String,
    block: &EvalBlock,
    default_tags: Option<&Value>,
    model: &mut Model,
) {
    let Some(arm_type) = block.attribute("type").and_then(|t| t.value.as_str()) else {
        return;
    };
    let (arm_type, _version) = arm_type.split_once('@').unwrap_or((arm_type, ""));
    if resource_type == "azapi_update_resource" {
        if arm_type.eq_ignore_ascii_case(MANAGED_CLUSTER) {
            model.patches.push(patch(address, block));
        }
        return;
    }
    if let Some(cluster) = lower_resource(resource_type, address.clone(), block, default_tags) {
        model.clusters.push(cluster);
        return;
    }
    let body = block.attribute("body").map(body_value);
    let mut entries = Vec::new();
    let mut add = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            entries.push(Entry {
                key: key.into(),
                key_span: value.span,
                value,
            });
        }
    };
    let from_body = |key: &str| {
        body.as_ref()
            .and_then(|b| b.get_ignore_case(key))
            .map(|e| e.value.clone())
    };
    add("properties", from_body("properties"));
    add(
        "tags",
        block
            .attribute("tags")
            .map(|a| a.value.clone())
            .or_else(|| from_body("tags")),
    );
    // azapi's `identity` block, or `identity` inside the body.
    let identity = match block.block("identity") {
        Some(identity) => Some(Value::new(
            ValueKind::Object(vec![Entry {
                key: "type".into(),
                key_span: identity.header,
                value: identity.attribute("type").map_or_else(
                    || {
                        Value::new(
                            ValueKind::String("SystemAssigned".to_string()),
                            identity.header,
                        )
                    },
                    |t| t.value.clone(),
                ),
            }]),
            identity.header,
        )),
        None => from_body("identity"),
    };
    add("identity", identity);
    let parent = block.attribute("parent_id").map(|a| a.value.clone());
    // An extension's parent is the cluster it extends (its `scope` in ARM terms); for everything
    // else the parent is where the resource is deployed.
    if arm_type.eq_ignore_ascii_case("Microsoft.KubernetesConfiguration/extensions") {
        add("scope", parent.clone());
    }
    let deployed_at = match &parent {
        Some(parent) => match (
            &parent.kind,
            parent.as_unknown().and_then(|u| u.reference.as_deref()),
        ) {
            (ValueKind::String(id), _) => AssignmentScope::of_id(id),
            (_, Some(r)) if r.contains("azurerm_management_group") => {
                AssignmentScope::ManagementGroup
            }
            (_, Some(r)) if r.contains("azurerm_subscription") => AssignmentScope::Subscription,
            (_, Some(r)) if r.contains("azurerm_resource_group") => AssignmentScope::ResourceGroup,
            _ => AssignmentScope::Unknown,
        },
        None => AssignmentScope::Unknown,
    };
    let resource = Value::new(ValueKind::Object(entries), block.header);
    let name = block
        .attribute("name")
        .and_then(|n| n.value.as_str())
        .unwrap_or("")
        .to_string();
    let mut lowered = Model::default();
    governance::lower(
        &ArmResource {
            resource: &resource,
            dialect: Dialect::Azapi,
            deployed_at,
            full_type: arm_type,
            name: &name,
            header: block.header,
            context: Vec::new(),
        },
        &|value| value.clone(),
        &mut lowered,
    );
    // Name the resources by their Terraform address, as every other Terraform finding does.
    for pricing in &mut lowered.pricings {
        pricing.resource.address = address.clone();
    }
    for assignment in &mut lowered.assignments {
        assignment.resource.address = address.clone();
    }
    for extension in &mut lowered.extensions {
        extension.resource.address = address.clone();
    }
    for cluster in &mut lowered.clusters {
        cluster.address = address.clone();
    }
    // Assignments name definitions and initiatives by Terraform reference (`azapi_resource.x.id`).
    for set in &mut lowered.policy_sets {
        set.resource.address = address.clone();
    }
    for definition in &mut lowered.policy_definitions {
        definition.resource.address = address.clone();
    }
    for resource in lowered
        .legacy_auto_provisioning
        .iter_mut()
        .chain(&mut lowered.subscriptions)
        .chain(&mut lowered.management_groups)
    {
        resource.address = address.clone();
    }
    model.extend(lowered);
}

/// `azapi_update_resource` on a managed cluster: which cluster (`resource_id`, or `parent_id` +
/// `name`) and whether its body turns the Defender profile or the Azure Policy add-on on.
fn patch(address: String, block: &EvalBlock) -> ClusterPatch {
    let body = block.attribute("body").map(body_value);
    let properties = body
        .as_ref()
        .and_then(|b| b.get_ignore_case("properties"))
        .map(|e| &e.value);
    let cluster = arm_shape::managed_cluster(ManagedClusterSource {
        address: address.clone(),
        dialect: Dialect::Azapi,
        header: block.header,
        properties,
        tags: None,
    });
    let target = match block.attribute("resource_id") {
        Some(id) => match &id.value.kind {
            ValueKind::String(text) => Setting::known(text.clone(), id.span),
            ValueKind::Unknown(unknown) => Setting::Unknown {
                unknown: (**unknown).clone(),
                span: id.span,
                provenance: id.value.provenance.to_vec(),
            },
            _ => Setting::Absent {
                holder: block.header,
            },
        },
        None => match block.attribute("name").and_then(|n| n.value.as_str()) {
            Some(name) => Setting::known(name.to_string(), block.header),
            None => Setting::Absent {
                holder: block.header,
            },
        },
    };
    ClusterPatch {
        resource: Resource {
            address,
            dialect: Dialect::Azapi,
            header: block.header,
        },
        target,
        enables_defender: matches!(
            cluster.defender,
            Setting::Known {
                value: DefenderProfile::Enabled | DefenderProfile::LegacyEnabled,
                ..
            }
        ),
        enables_policy_addon: matches!(
            cluster.azure_policy,
            Setting::Known {
                value: PolicyAddon::Enabled,
                ..
            }
        ),
    }
}

/// The model entity for an `azapi_resource`, if its `type` is one the rules care about.
/// `default_tags` is the azapi provider's, used when neither the resource nor its body has tags.
fn lower_resource(
    resource_type: &str,
    address: String,
    block: &EvalBlock,
    default_tags: Option<&Value>,
) -> Option<Cluster> {
    if resource_type != "azapi_resource" {
        return None;
    }
    let arm_type = block.attribute("type")?.value.as_str()?;
    let (arm_type, _version) = arm_type.split_once('@').unwrap_or((arm_type, ""));
    if !arm_type.eq_ignore_ascii_case(MANAGED_CLUSTER) {
        return None;
    }
    let body = block.attribute("body").map(body_value);
    // An unknown body hides everything, properties and tags alike.
    let properties = match &body {
        Some(body) if body.as_unknown().is_some() => Some(body),
        Some(body) => body.get_ignore_case("properties").map(|e| &e.value),
        None => None,
    };
    let tags = block
        .attribute("tags")
        .map(|a| &a.value)
        .or_else(|| match &body {
            Some(body) if body.as_unknown().is_some() => Some(body),
            Some(body) => body.get_ignore_case("tags").map(|e| &e.value),
            None => None,
        })
        .or(default_tags);
    Some(arm_shape::managed_cluster(ManagedClusterSource {
        address,
        dialect: Dialect::Azapi,
        header: block.header,
        properties,
        tags,
    }))
}

/// The body as an object: `body = {...}` as is, `body = jsonencode({...})` through its argument,
/// `body = <<JSON ... JSON` decoded (its parts all point at the attribute).
fn body_value(attribute: &EvalAttribute) -> Value {
    if let Some(encoded) = &attribute.encoded {
        return encoded.clone();
    }
    let value = &attribute.value;
    match &value.kind {
        ValueKind::String(text) => match crate::frontend::json::parse(value.span.file, text) {
            Ok(Some(decoded)) => {
                let mut decoded = respan_deep(decoded, attribute.span);
                decoded.provenance = value.provenance.clone();
                decoded
            }
            _ => Value::unknown(
                UnknownCause::Unsupported,
                "the azapi body string is not valid JSON",
                attribute.span,
            ),
        },
        _ => value.clone(),
    }
}
