//! Lowering of the ARM-shaped resources behind subscription and management-group posture:
//! Defender pricings, legacy auto-provisioning settings, policy assignments, subscription aliases,
//! management groups, Arc connected clusters and cluster extensions.
//!
//! ARM templates and azapi resources describe them with the same shapes; each front end passes
//! its way of evaluating a value (ARM expressions; azapi bodies are already evaluated).

use crate::frontend::arm_shape;
use crate::model::{
    AssignmentParameter, AssignmentScope, Cluster, ClusterExtension, ClusterKind, Dialect, Model,
    PolicyAssignment, PolicyDefinition, PolicySet, Pricing, PricingExtension, PricingExtensions,
    Resource, Setting,
};
use crate::source::Span;
use crate::value::{Related, Unknown, UnknownCause, Value, ValueKind};

/// One ARM-shaped resource instance.
pub struct ArmResource<'a> {
    /// The resource object (`properties`, `identity`, `tags`, `scope`), as written.
    pub resource: &'a Value,
    pub dialect: Dialect,
    /// Where the resource is deployed when it has no `scope` of its own.
    pub deployed_at: AssignmentScope,
    /// The full type (`Microsoft.Security/pricings`) and evaluated name.
    pub full_type: &'a str,
    pub name: &'a str,
    /// The `type` string: where findings about the resource point.
    pub header: Span,
    pub context: Vec<Related>,
}

const KNOWN_TYPES: &[&str] = &[
    "Microsoft.Security/pricings",
    "Microsoft.Security/autoProvisioningSettings",
    "Microsoft.Subscription/aliases",
    "Microsoft.Management/managementGroups",
    "Microsoft.Authorization/policySetDefinitions",
    "Microsoft.Authorization/policyDefinitions",
    "Microsoft.Authorization/policyAssignments",
    "Microsoft.Kubernetes/connectedClusters",
    "Microsoft.KubernetesConfiguration/extensions",
    "Microsoft.Kubernetes/connectedClusters/providers/extensions",
];

/// Whether [`lower`] reads resources of this full type (`Microsoft.Security/pricings`), in any
/// casing.
pub fn lowers(full_type: &str) -> bool {
    KNOWN_TYPES
        .iter()
        .any(|known| known.eq_ignore_ascii_case(full_type))
}

/// Lower `resource` into `model` when it is a posture resource; `false` when it is not one.
pub fn lower(
    resource: &ArmResource,
    evaluate: &dyn Fn(&Value) -> Value,
    model: &mut Model,
) -> bool {
    // Messages name the type as Azure spells it, whatever the template's casing. Nothing else is
    // read: the ARM front end drops the properties of other types as it parses ([`lowers`]).
    let Some(type_name) = KNOWN_TYPES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(resource.full_type))
        .copied()
    else {
        return false;
    };
    let kind = resource.full_type.to_ascii_lowercase();
    let address = format!("{type_name} '{}'", resource.name);
    let head = Resource {
        address,
        dialect: resource.dialect,
        header: resource.header,
    };
    let property = |name: &str| {
        resource
            .resource
            .get_ignore_case("properties")
            .and_then(|p| p.value.get_ignore_case(name))
            .map(|e| evaluate(&e.value))
    };
    match kind.as_str() {
        "microsoft.security/pricings" => model.pricings.push(Pricing {
            // A pricing's name is its plan (`Containers`, `VirtualMachines`, ...).
            plan: Setting::known(
                resource.name.rsplit('/').next().unwrap_or("").to_string(),
                resource
                    .resource
                    .get_ignore_case("name")
                    .map_or(resource.header, |n| n.value.span),
            ),
            tier: string_setting(property("pricingTier").as_ref(), resource.header),
            extensions: extensions(property("extensions")),
            resource: head,
        }),
        "microsoft.security/autoprovisioningsettings" => model.legacy_auto_provisioning.push(head),
        "microsoft.subscription/aliases" => model.subscriptions.push(head),
        "microsoft.authorization/policysetdefinitions" => {
            let (name, symbolic_name) = definition_name(resource, evaluate);
            model.policy_sets.push(PolicySet {
                name,
                symbolic_name,
                members: set_members(property("policyDefinitions").as_ref())
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
                member_parameters: set_members(property("policyDefinitions").as_ref())
                    .into_iter()
                    .filter_map(|(id, parameters)| Some((id, parameters?)))
                    .collect(),
                parameters: property("parameters"),
                resource: head,
            })
        }
        "microsoft.authorization/policydefinitions" => {
            let (name, symbolic_name) = definition_name(resource, evaluate);
            let rule = match property("policyRule") {
                None => Setting::Absent {
                    holder: resource.header,
                },
                Some(rule) if rule.as_unknown().is_some() => unknown_of(&rule, "a policy rule"),
                Some(rule) => Setting::Known {
                    span: rule.span,
                    provenance: rule.provenance.to_vec(),
                    value: rule,
                },
            };
            model.policy_definitions.push(PolicyDefinition {
                name,
                symbolic_name,
                parameters: property("parameters"),
                rule,
                resource: head,
            })
        }
        "microsoft.management/managementgroups" => model.management_groups.push(head),
        "microsoft.authorization/policyassignments" => model
            .assignments
            .push(assignment(resource, evaluate, head, &property)),
        "microsoft.kubernetes/connectedclusters" => {
            let tags = resource
                .resource
                .get_ignore_case("tags")
                .map(|t| evaluate(&t.value));
            model.clusters.push(Cluster {
                address: head.address,
                kind: ClusterKind::ArcConnected,
                dialect: resource.dialect,
                header: resource.header,
                context: resource.context.clone(),
                // An Arc cluster's Defender and policy come from extensions (ARC001, ARC002).
                defender: Setting::Absent {
                    holder: resource.header,
                },
                azure_policy: Setting::Absent {
                    holder: resource.header,
                },
                tags: arm_shape::tags(tags.as_ref(), resource.header),
                ignore_changes: Vec::new(),
                name: Some(resource.name.to_string()),
            });
        }
        // The older extension form is a child of the cluster:
        // `Microsoft.Kubernetes/connectedClusters/providers/extensions` named
        // `<cluster>/Microsoft.KubernetesConfiguration/<extension>`.
        "microsoft.kubernetesconfiguration/extensions"
        | "microsoft.kubernetes/connectedclusters/providers/extensions" => {
            let target = match kind.as_str() {
                "microsoft.kubernetesconfiguration/extensions" => resource
                    .resource
                    .get_ignore_case("scope")
                    .map(|s| evaluate(&s.value)),
                _ => Some(Value::new(
                    ValueKind::String(format!(
                        "Microsoft.Kubernetes/connectedClusters/{}",
                        resource.name.split('/').next().unwrap_or("")
                    )),
                    resource.header,
                )),
            };
            model.extensions.push(ClusterExtension {
                extension_type: string_setting(property("extensionType").as_ref(), resource.header),
                target: string_setting(target.as_ref(), resource.header),
                resource: head,
            });
        }
        _ => return false,
    }
    true
}

/// An initiative's members: each member's id as evaluated (or, known only at deployment, the
/// provider path it ends with), with the parameters it passes. EPAC files name a custom member by
/// `policyDefinitionName` instead of an id.
fn set_members(members: Option<&Value>) -> Vec<(String, Option<Value>)> {
    let Some(items) = members.and_then(Value::items) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|member| {
            let id = match member
                .get_ignore_case("policyDefinitionId")
                .map(|e| &e.value.kind)
            {
                Some(ValueKind::String(id)) => id.clone(),
                Some(ValueKind::Unknown(unknown)) => unknown.reference.clone()?,
                Some(_) => return None,
                None => {
                    let name = member
                        .get_ignore_case("policyDefinitionName")?
                        .value
                        .as_str()?;
                    format!("/providers/Microsoft.Authorization/policyDefinitions/{name}")
                }
            };
            let parameters = member
                .get_ignore_case("parameters")
                .map(|p| p.value.clone());
            Some((id, parameters))
        })
        .collect()
}

/// A definition's or initiative's name: the last segment of its evaluated name, or, when only
/// the deployment knows it, its derivation (`guid(subscription().id,'x')`).
fn definition_name(
    resource: &ArmResource,
    evaluate: &dyn Fn(&Value) -> Value,
) -> (Option<String>, Option<String>) {
    let evaluated = resource
        .resource
        .get_ignore_case("name")
        .map(|n| evaluate(&n.value));
    match evaluated.as_ref().map(|n| &n.kind) {
        Some(ValueKind::Unknown(unknown)) => (None, unknown.derivation.clone()),
        _ => (
            Some(resource.name.rsplit('/').next().unwrap_or("").to_string()),
            None,
        ),
    }
}

fn unknown_of<T>(value: &Value, expected: &str) -> Setting<T> {
    Setting::Unknown {
        unknown: value.as_unknown().cloned().unwrap_or_else(|| {
            Unknown::new(
                UnknownCause::Unsupported,
                format!("expected {expected}, found {}", value.describe()),
            )
        }),
        span: value.span,
        provenance: value.provenance.to_vec(),
    }
}

fn string_setting(value: Option<&Value>, holder: Span) -> Setting<String> {
    match value {
        None => Setting::Absent { holder },
        Some(value) => match value.as_str() {
            Some(text) => Setting::Known {
                value: text.to_string(),
                span: value.span,
                provenance: value.provenance.to_vec(),
            },
            None => unknown_of(value, "a string"),
        },
    }
}

/// `properties.extensions`: `[{name, isEnabled}]`, `isEnabled` a string (`"True"`, any case) or
/// a boolean. An omitted array keeps the service defaults.
fn extensions(value: Option<Value>) -> PricingExtensions {
    let Some(value) = value else {
        return PricingExtensions::Omitted;
    };
    let Some(items) = value.items() else {
        return match value.as_unknown() {
            Some(unknown) => PricingExtensions::Unknown {
                unknown: unknown.clone(),
                span: value.span,
            },
            None if value.is_null() => PricingExtensions::Omitted,
            None => PricingExtensions::Unknown {
                unknown: Unknown::new(
                    UnknownCause::Unsupported,
                    format!(
                        "`extensions` should be an array, found {}",
                        value.describe()
                    ),
                ),
                span: value.span,
            },
        };
    };
    PricingExtensions::Listed(
        items
            .iter()
            .filter_map(|item| {
                let name = item.get_ignore_case("name")?;
                let enabled = match item.get_ignore_case("isEnabled") {
                    // ARM requires isEnabled; without it the service default (on) applies.
                    None => Setting::known(true, name.value.span),
                    Some(entry) => match entry.value.as_bool() {
                        Some(on) => Setting::Known {
                            value: on,
                            span: entry.value.span,
                            provenance: entry.value.provenance.to_vec(),
                        },
                        None => unknown_of(&entry.value, "True or False"),
                    },
                };
                Some(PricingExtension {
                    name: name.value.as_str()?.to_string(),
                    span: name.value.span,
                    enabled,
                })
            })
            .collect(),
    )
}

fn assignment(
    resource: &ArmResource,
    evaluate: &dyn Fn(&Value) -> Value,
    head: Resource,
    property: &dyn Fn(&str) -> Option<Value>,
) -> PolicyAssignment {
    let scope = match resource
        .resource
        .get_ignore_case("scope")
        .map(|s| evaluate(&s.value))
    {
        Some(scope) => match (&scope.kind, scope.as_unknown()) {
            (ValueKind::String(id), _) => AssignmentScope::of_id(id),
            // `scope: subscription()` in Bicep: the deployment's own subscription, whichever it is.
            (_, Some(unknown)) => match unknown.derivation.as_deref() {
                Some("subscription().id") => AssignmentScope::Subscription,
                Some("managementgroup().id") => AssignmentScope::ManagementGroup,
                _ => AssignmentScope::Unknown,
            },
            _ => AssignmentScope::Unknown,
        },
        None => resource.deployed_at,
    };
    let enforce = match property("enforcementMode") {
        None => Setting::Absent {
            holder: resource.header,
        },
        Some(mode) => match mode.as_str() {
            Some(text) => Setting::Known {
                value: !text.eq_ignore_ascii_case("DoNotEnforce"),
                span: mode.span,
                provenance: mode.provenance.to_vec(),
            },
            None => unknown_of(&mode, "an enforcement mode"),
        },
    };
    let identity = match resource
        .resource
        .get_ignore_case("identity")
        .map(|i| evaluate(&i.value))
    {
        None => Setting::Absent {
            holder: resource.header,
        },
        Some(identity) => match identity.get_ignore_case("type").map(|t| &t.value) {
            Some(kind) if kind.as_unknown().is_some() => unknown_of(kind, "an identity type"),
            Some(kind)
                if kind
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("None")) =>
            {
                Setting::known(false, kind.span)
            }
            Some(kind) => Setting::known(true, kind.span),
            None => Setting::known(false, identity.span),
        },
    };
    let (parameters, parameters_unknown) = match property("parameters") {
        None => (Vec::new(), None),
        Some(value) => match &value.kind {
            ValueKind::Object(entries) => (assignment_parameters(entries), None),
            ValueKind::Unknown(unknown) => (Vec::new(), Some(((**unknown).clone(), value.span))),
            _ => (Vec::new(), None),
        },
    };
    PolicyAssignment {
        definition: string_setting(property("policyDefinitionId").as_ref(), resource.header),
        scope,
        enforce,
        parameters,
        parameters_unknown,
        identity,
        not_scopes: property("notScopes")
            .and_then(|v| v.items().map(<[Value]>::to_vec))
            .unwrap_or_default(),
        resource: head,
    }
}

/// An assignment's parameter values, `{ "name": { "value": ... } }`, however the assignment was
/// written (ARM, azapi, or the JSON text of azurerm's `parameters`): Azure reads the `value` key
/// case-insensitively, like every ARM property name, so `Value` counts too.
pub fn assignment_parameters(entries: &[crate::value::Entry]) -> Vec<AssignmentParameter> {
    entries
        .iter()
        .map(|entry| AssignmentParameter {
            name: entry.key.to_string(),
            name_span: entry.key_span,
            value: entry
                .value
                .get_ignore_case("value")
                .map_or_else(|| entry.value.clone(), |v| v.value.clone()),
        })
        .collect()
}
