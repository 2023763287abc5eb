//! Lowering of the azurerm resources behind subscription and management-group posture: Defender
//! pricings, legacy auto-provisioning, policy assignments, subscriptions, management groups, Arc
//! clusters and their extensions.

use super::eval::EvalBlock;
use crate::frontend::arm_shape::{self, governance};
use crate::model::{
    AssignmentParameter, AssignmentScope, Cluster, ClusterExtension, ClusterKind, Dialect, Model,
    PolicyAssignment, PolicyDefinition, PolicySet, Pricing, PricingExtension, PricingExtensions,
    Resource, Setting,
};
use crate::value::{Entry, Unknown, UnknownCause, Value, ValueKind};

/// The resource types [`lower_resource`] lowers.
pub fn lowers(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "azurerm_security_center_subscription_pricing"
            | "azurerm_security_center_auto_provisioning"
            | "azurerm_subscription"
            | "azurerm_management_group"
            | "azurerm_arc_kubernetes_cluster"
            | "azurerm_arc_kubernetes_cluster_extension"
            | "azurerm_subscription_policy_assignment"
            | "azurerm_management_group_policy_assignment"
            | "azurerm_resource_group_policy_assignment"
            | "azurerm_resource_policy_assignment"
            | "azurerm_policy_assignment"
            | "azurerm_policy_set_definition"
            | "azurerm_management_group_policy_set_definition"
            | "azurerm_policy_definition"
            | "azurerm_management_group_policy_definition"
    )
}

/// Lower `block` into `model` if it is a posture resource; `false` when it is not one.
pub fn lower_resource(
    resource_type: &str,
    address: &str,
    block: &EvalBlock,
    model: &mut Model,
) -> bool {
    let resource = Resource {
        address: address.to_string(),
        dialect: Dialect::Azurerm,
        header: block.header,
    };
    let scope = match resource_type {
        "azurerm_security_center_subscription_pricing" => {
            model.pricings.push(pricing(resource, block));
            return true;
        }
        "azurerm_security_center_auto_provisioning" => {
            model.legacy_auto_provisioning.push(resource);
            return true;
        }
        "azurerm_subscription" => {
            model.subscriptions.push(resource);
            return true;
        }
        "azurerm_policy_set_definition" | "azurerm_management_group_policy_set_definition" => {
            model.policy_sets.push(PolicySet {
                name: block
                    .attribute("name")
                    .and_then(|n| n.value.as_str())
                    .map(str::to_string),
                symbolic_name: None,
                members: block
                    .blocks("policy_definition_reference")
                    .filter_map(|reference| {
                        let id = &reference.attribute("policy_definition_id")?.value;
                        match &id.kind {
                            ValueKind::String(id) => Some(id.clone()),
                            // `azurerm_policy_definition.x.id`: the definition in the scan.
                            ValueKind::Unknown(unknown) => unknown.reference.clone(),
                            _ => None,
                        }
                    })
                    .collect(),
                member_parameters: block
                    .blocks("policy_definition_reference")
                    .filter_map(|reference| {
                        let id = &reference.attribute("policy_definition_id")?.value;
                        let id = match &id.kind {
                            ValueKind::String(id) => id.clone(),
                            ValueKind::Unknown(unknown) => unknown.reference.clone()?,
                            _ => return None,
                        };
                        let values = &reference.attribute("parameter_values")?.value;
                        let parsed = match &values.kind {
                            ValueKind::String(text) => json_text(text, values).ok()?,
                            _ => values.clone(),
                        };
                        Some((id, parsed))
                    })
                    .collect(),
                parameters: block
                    .attribute("parameters")
                    .and_then(|p| match &p.value.kind {
                        ValueKind::String(text) => json_text(text, &p.value).ok(),
                        _ => Some(p.value.clone()),
                    }),
                resource,
            });
            return true;
        }
        "azurerm_policy_definition" | "azurerm_management_group_policy_definition" => {
            model
                .policy_definitions
                .push(policy_definition(resource, block));
            return true;
        }
        "azurerm_management_group" => {
            model.management_groups.push(resource);
            return true;
        }
        "azurerm_arc_kubernetes_cluster" => {
            model.clusters.push(arc_cluster(resource, block));
            return true;
        }
        "azurerm_arc_kubernetes_cluster_extension" => {
            model.extensions.push(ClusterExtension {
                extension_type: string_setting(block, "extension_type"),
                target: string_setting(block, "cluster_id"),
                resource,
            });
            return true;
        }
        "azurerm_subscription_policy_assignment" => AssignmentScope::Subscription,
        "azurerm_management_group_policy_assignment" => AssignmentScope::ManagementGroup,
        "azurerm_resource_group_policy_assignment" => AssignmentScope::ResourceGroup,
        "azurerm_resource_policy_assignment" => AssignmentScope::Resource,
        "azurerm_policy_assignment" => legacy_assignment_scope(block),
        _ => return false,
    };
    model.assignments.push(assignment(resource, block, scope));
    true
}

fn unknown_of<T>(value: &Value, expected: &str) -> Setting<T> {
    let unknown = value.as_unknown().cloned().unwrap_or_else(|| {
        Unknown::new(
            UnknownCause::Unsupported,
            format!("expected {expected}, found {}", value.describe()),
        )
    });
    Setting::Unknown {
        unknown,
        span: value.span,
        provenance: value.provenance.to_vec(),
    }
}

/// A string attribute: known, absent (pointing at the block) or unknown. A reference to another
/// resource's attribute stays unknown but keeps the referenced address.
fn string_setting(block: &EvalBlock, name: &str) -> Setting<String> {
    let Some(attribute) = block.attribute(name) else {
        return Setting::Absent {
            holder: block.header,
        };
    };
    match &attribute.value.kind {
        ValueKind::String(text) => Setting::Known {
            value: text.clone(),
            span: attribute.span,
            provenance: attribute.value.provenance.to_vec(),
        },
        _ => unknown_of(&attribute.value, "a string"),
    }
}

fn pricing(resource: Resource, block: &EvalBlock) -> Pricing {
    // `resource_type` defaults to VirtualMachines in the provider.
    let plan = match string_setting(block, "resource_type") {
        Setting::Absent { holder } => Setting::known("VirtualMachines".to_string(), holder),
        other => other,
    };
    let extensions = match block.undecided_block("extension") {
        Some(undecided) => PricingExtensions::Unknown {
            unknown: undecided.as_unknown().cloned().unwrap_or_else(|| {
                Unknown::new(
                    UnknownCause::Unsupported,
                    "the `extension` blocks are not evaluated",
                )
            }),
            span: undecided.span,
        },
        None => PricingExtensions::Exhaustive(
            block
                .blocks("extension")
                .filter_map(|extension| {
                    let name = extension.attribute("name")?;
                    Some(PricingExtension {
                        name: name.value.as_str().unwrap_or_default().to_string(),
                        span: name.span,
                        enabled: Setting::known(true, extension.header),
                    })
                })
                .collect(),
        ),
    };
    Pricing {
        tier: string_setting(block, "tier"),
        plan,
        extensions,
        resource,
    }
}

fn arc_cluster(resource: Resource, block: &EvalBlock) -> Cluster {
    let tags = block.attribute("tags").map(|a| &a.value);
    Cluster {
        address: resource.address,
        kind: ClusterKind::ArcConnected,
        dialect: Dialect::Azurerm,
        header: block.header,
        context: Vec::new(),
        // An Arc cluster's Defender and policy come from extensions (ARC001, ARC002).
        defender: Setting::Absent {
            holder: block.header,
        },
        azure_policy: Setting::Absent {
            holder: block.header,
        },
        tags: arm_shape::tags(tags, block.header),
        ignore_changes: Vec::new(),
        name: block
            .attribute("name")
            .and_then(|a| a.value.as_str())
            .map(str::to_string),
    }
}

/// `azurerm_policy_assignment` (azurerm v2) takes any scope id in `scope`.
fn legacy_assignment_scope(block: &EvalBlock) -> AssignmentScope {
    let Some(scope) = block.attribute("scope") else {
        return AssignmentScope::Unknown;
    };
    match &scope.value.kind {
        ValueKind::String(id) => AssignmentScope::of_id(id),
        ValueKind::Unknown(unknown) => match unknown.reference.as_deref() {
            Some(r) if r.contains("azurerm_management_group.") => AssignmentScope::ManagementGroup,
            Some(r) if r.contains("azurerm_subscription.") => AssignmentScope::Subscription,
            Some(r) if r.contains("azurerm_resource_group.") => AssignmentScope::ResourceGroup,
            _ => AssignmentScope::Unknown,
        },
        _ => AssignmentScope::Unknown,
    }
}

fn assignment(resource: Resource, block: &EvalBlock, scope: AssignmentScope) -> PolicyAssignment {
    // `enforce` (v3+) or `enforcement_mode` (v2), both defaulting to enforced.
    let enforce = ["enforce", "enforcement_mode"]
        .iter()
        .find_map(|name| block.attribute(name))
        .map_or(
            Setting::Absent {
                holder: block.header,
            },
            |attribute| match attribute.value.as_bool() {
                Some(on) => Setting::Known {
                    value: on,
                    span: attribute.span,
                    provenance: attribute.value.provenance.to_vec(),
                },
                None => unknown_of(&attribute.value, "a boolean"),
            },
        );
    let identity = match (block.block("identity"), block.undecided_block("identity")) {
        (Some(identity), _) => match identity.attribute("type").map(|t| &t.value) {
            Some(value)
                if value
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("none")) =>
            {
                Setting::known(false, value.span)
            }
            Some(value) if value.as_unknown().is_some() => unknown_of(value, "an identity type"),
            _ => Setting::known(true, identity.header),
        },
        (None, Some(undecided)) => unknown_of(undecided, "an identity block"),
        (None, None) => Setting::Absent {
            holder: block.header,
        },
    };
    let (parameters, parameters_unknown) = match block.attribute("parameters") {
        None => (Vec::new(), None),
        Some(attribute) => match parameters(&attribute.value) {
            Ok(parameters) => (parameters, None),
            Err(unknown) => (Vec::new(), Some((unknown, attribute.span))),
        },
    };
    let not_scopes = block
        .attribute("not_scopes")
        .and_then(|a| a.value.items())
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    PolicyAssignment {
        definition: string_setting(block, "policy_definition_id"),
        scope,
        enforce,
        parameters,
        parameters_unknown,
        identity,
        not_scopes,
        resource,
    }
}

/// `policy_rule` and `parameters` are JSON text (`jsonencode({...})`, a heredoc, `file(...)`):
/// the policy language as Azure reads it, with no template escaping.
fn policy_definition(resource: Resource, block: &EvalBlock) -> PolicyDefinition {
    let json = |name: &str| -> Setting<Value> {
        let Some(attribute) = block.attribute(name) else {
            return Setting::Absent {
                holder: block.header,
            };
        };
        let value = &attribute.value;
        let parsed = match &value.kind {
            ValueKind::String(text) => json_text(text, value),
            ValueKind::Object(_) => Ok(value.clone()),
            ValueKind::Unknown(unknown) => Err((**unknown).clone()),
            _ => Err(Unknown::new(
                UnknownCause::Unsupported,
                format!("`{name}` should be JSON, found {}", value.describe()),
            )),
        };
        match parsed {
            Ok(parsed) => Setting::Known {
                span: value.span,
                provenance: value.provenance.to_vec(),
                value: parsed,
            },
            Err(mut unknown) => {
                unknown.reason = unknown.reason.replace("`parameters`", &format!("`{name}`"));
                Setting::Unknown {
                    unknown,
                    span: value.span,
                    provenance: value.provenance.to_vec(),
                }
            }
        }
    };
    let parameters = match json("parameters") {
        Setting::Known { value, .. } => Some(value),
        _ => None,
    };
    PolicyDefinition {
        name: block
            .attribute("name")
            .and_then(|n| n.value.as_str())
            .map(str::to_string),
        symbolic_name: None,
        parameters,
        rule: json("policy_rule"),
        resource,
    }
}

/// `parameters` is JSON text (`jsonencode({...})` or a heredoc) shaped
/// `{"name": {"value": ...}}`.
fn parameters(value: &Value) -> Result<Vec<AssignmentParameter>, Unknown> {
    let parsed;
    let object = match &value.kind {
        ValueKind::Object(_) => value,
        ValueKind::String(text) => {
            parsed = json_text(text, value)?;
            &parsed
        }
        ValueKind::Unknown(unknown) => return Err((**unknown).clone()),
        _ => {
            return Err(Unknown::new(
                UnknownCause::Unsupported,
                format!("`parameters` should be JSON, found {}", value.describe()),
            ))
        }
    };
    Ok(governance::assignment_parameters(
        object.entries().unwrap_or(&[]),
    ))
}

/// JSON text inside a Terraform string: its values take the span of the string.
fn json_text(text: &str, at: &Value) -> Result<Value, Unknown> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        Unknown::new(
            UnknownCause::Unsupported,
            format!("`parameters` is not valid JSON: {error}"),
        )
    })?;
    Ok(from_json(&json, at))
}

fn from_json(json: &serde_json::Value, at: &Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Bool(*b),
        serde_json::Value::Number(n) => ValueKind::Number(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => ValueKind::String(s.clone()),
        serde_json::Value::Array(items) => {
            ValueKind::List(items.iter().map(|item| from_json(item, at)).collect())
        }
        serde_json::Value::Object(map) => ValueKind::Object(
            map.iter()
                .map(|(key, value)| Entry {
                    key: key.clone().into(),
                    key_span: at.span,
                    value: from_json(value, at),
                })
                .collect(),
        ),
    };
    Value {
        kind,
        span: at.span,
        provenance: at.provenance.clone(),
    }
}
