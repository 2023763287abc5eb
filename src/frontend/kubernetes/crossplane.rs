//! Crossplane's Azure provider (`*.azure.upbound.io`, and the namespaced `*.azure.m.upbound.io`
//! of Crossplane v2). It runs the Terraform azurerm provider underneath, so its parameters are
//! azurerm's in camelCase under `spec.forProvider` (with `spec.initProvider` for values set only
//! at creation), and azurerm's semantics apply: `azurePolicyEnabled` has no default, and a
//! Standard pricing disables every extension it does not list.

use super::{block, keyed, with_context, Object};
use crate::frontend::arm_shape;
use crate::model::{
    AssignmentParameter, AssignmentScope, Cluster, ClusterKind, DefenderProfile, Dialect, Model,
    PolicyAddon, PolicyAssignment, Pricing, PricingExtension, PricingExtensions, Resource, Setting,
};
use crate::source::Span;
use crate::value::{Entry, Related, Unknown, UnknownCause, Value, ValueKind};

/// Whether `group` is the Crossplane Azure group of `service` (`containerservice`, ...).
pub fn is_azure_group(group: &str, service: &str) -> bool {
    group
        .strip_prefix(service)
        .is_some_and(|rest| rest == ".azure.upbound.io" || rest == ".azure.m.upbound.io")
}

/// `false` for an object that only observes an existing resource (`managementPolicies:
/// [Observe]`): it declares nothing about the resource's settings.
pub fn is_managed(object: &Object) -> bool {
    let Some(policies) = object
        .value
        .get("spec")
        .and_then(|s| s.value.get("managementPolicies"))
        .and_then(|p| p.value.items())
    else {
        return true;
    };
    policies.iter().any(|policy| match policy.as_str() {
        Some(text) => matches!(text, "*" | "Create" | "Update"),
        None => true,
    })
}

/// `spec.forProvider`, with `spec.initProvider` fields it lacks; spans from the `forProvider` key.
fn parameters(object: &Object) -> Option<Value> {
    let spec = object.value.get("spec")?;
    let for_provider = block(&spec.value, "forProvider");
    let init_provider = block(&spec.value, "initProvider");
    match (for_provider, init_provider) {
        (Some(mut for_provider), Some(init)) => {
            if let (ValueKind::Object(entries), Some(extra)) =
                (&mut for_provider.kind, init.entries())
            {
                for entry in extra {
                    if !entries.iter().any(|e| e.key == entry.key) {
                        entries.push(entry.clone());
                    }
                }
            }
            Some(for_provider)
        }
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// The name Azure gives the resource: the `crossplane.io/external-name` annotation, else
/// `metadata.name`.
fn external_name(object: &Object) -> String {
    object
        .annotation("crossplane.io/external-name")
        .map_or_else(|| object.name.clone(), str::to_string)
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

fn known<T>(value: T, from: &Value) -> Setting<T> {
    Setting::Known {
        value,
        span: from.span,
        provenance: from.provenance.to_vec(),
    }
}

fn holder(object: &Object, parameters: Option<&Value>) -> Span {
    parameters.map_or(object.kind_span, |p| p.span)
}

/// `containerservice` `KubernetesCluster`.
pub fn kubernetes_cluster(object: &Object, context: &[Related]) -> Cluster {
    let parameters = parameters(object);
    let holder = holder(object, parameters.as_ref());
    let field = |name: &str| {
        parameters
            .as_ref()
            .and_then(|p| p.get(name))
            .map(|e| &e.value)
    };
    let cluster = Cluster {
        address: format!("KubernetesCluster '{}'", object.name),
        kind: ClusterKind::Managed,
        dialect: Dialect::Crossplane,
        header: object.kind_span,
        context: Vec::new(),
        defender: match field("microsoftDefender") {
            None => Setting::Absent { holder },
            Some(value) => defender(value),
        },
        azure_policy: match field("azurePolicyEnabled") {
            None => Setting::Absent { holder },
            Some(value) => match value.as_bool() {
                Some(true) => known(PolicyAddon::Enabled, value),
                Some(false) => known(PolicyAddon::Disabled, value),
                None if value.is_null() => known(PolicyAddon::Disabled, value),
                None => unknown_of(value, "a boolean"),
            },
        },
        tags: arm_shape::tags(
            parameters.as_ref().and_then(|p| keyed(p, "tags")).as_ref(),
            holder,
        ),
        ignore_changes: Vec::new(),
        name: Some(external_name(object)),
    };
    with_context(cluster, context)
}

/// `microsoftDefender`: a one-item list (v1beta1) or an object (v1beta2). Any entry turns the
/// profile on (the provider then requires its workspace); an empty list or object is no block.
fn defender(value: &Value) -> Setting<DefenderProfile> {
    match &value.kind {
        ValueKind::Unknown(_) => unknown_of(value, "a microsoftDefender block"),
        ValueKind::Null => known(DefenderProfile::Disabled, value),
        ValueKind::List(items) => match items.first() {
            None => known(DefenderProfile::Disabled, value),
            Some(item) if item.as_unknown().is_some() => {
                unknown_of(item, "a microsoftDefender block")
            }
            Some(_) => known(DefenderProfile::Enabled, value),
        },
        ValueKind::Object(entries) if entries.is_empty() => known(DefenderProfile::Disabled, value),
        ValueKind::Object(_) => known(DefenderProfile::Enabled, value),
        _ => unknown_of(value, "a microsoftDefender block"),
    }
}

fn head(object: &Object) -> Resource {
    Resource {
        address: format!("{} '{}'", object.kind, object.name),
        dialect: Dialect::Crossplane,
        header: object.kind_span,
    }
}

fn string_setting(value: Option<&Value>, holder: Span) -> Setting<String> {
    match value {
        None => Setting::Absent { holder },
        Some(value) => match value.as_str() {
            Some(text) => known(text.to_string(), value),
            None => unknown_of(value, "a string"),
        },
    }
}

/// `security`: `SecurityCenterSubscriptionPricing` and `SecurityCenterAutoProvisioning`.
pub fn security(object: &Object, kind: &str, model: &mut Model) {
    match kind {
        "SecurityCenterSubscriptionPricing" => {
            let parameters = parameters(object);
            let holder = holder(object, parameters.as_ref());
            let field = |name: &str| {
                parameters
                    .as_ref()
                    .and_then(|p| p.get(name))
                    .map(|e| &e.value)
            };
            // `resourceType` defaults to VirtualMachines in the provider.
            let plan = match string_setting(field("resourceType"), holder) {
                Setting::Absent { holder } => Setting::known("VirtualMachines".to_string(), holder),
                other => other,
            };
            model.pricings.push(Pricing {
                resource: head(object),
                plan,
                tier: string_setting(field("tier"), holder),
                extensions: extensions(field("extension")),
            });
        }
        "SecurityCenterAutoProvisioning" => model.legacy_auto_provisioning.push(head(object)),
        _ => {}
    }
}

/// `extension: [{name}]`: the complete list, as in azurerm.
fn extensions(value: Option<&Value>) -> PricingExtensions {
    let Some(value) = value else {
        return PricingExtensions::Exhaustive(Vec::new());
    };
    let items = match &value.kind {
        ValueKind::List(items) => items,
        ValueKind::Null => return PricingExtensions::Exhaustive(Vec::new()),
        _ => {
            return PricingExtensions::Unknown {
                unknown: value.as_unknown().cloned().unwrap_or_else(|| {
                    Unknown::new(
                        UnknownCause::Unsupported,
                        format!("`extension` should be a list, found {}", value.describe()),
                    )
                }),
                span: value.span,
            }
        }
    };
    let mut listed = Vec::new();
    for item in items {
        let name = item.get("name").map(|n| &n.value);
        match name.map(|n| (n, n.as_str())) {
            Some((name, Some(text))) => listed.push(PricingExtension {
                name: text.to_string(),
                span: name.span,
                enabled: Setting::known(true, item.span),
            }),
            Some((name, None)) => {
                return PricingExtensions::Unknown {
                    unknown: name.as_unknown().cloned().unwrap_or_else(|| {
                        Unknown::new(
                            UnknownCause::Unsupported,
                            "an extension name is not a string",
                        )
                    }),
                    span: name.span,
                }
            }
            None if item.as_unknown().is_some() => {
                return PricingExtensions::Unknown {
                    unknown: item.as_unknown().cloned().unwrap_or_else(|| {
                        Unknown::new(UnknownCause::Unsupported, "an extension is unknown")
                    }),
                    span: item.span,
                }
            }
            None => {}
        }
    }
    PricingExtensions::Exhaustive(listed)
}

/// `authorization`: `{Subscription,ManagementGroup,ResourceGroup,Resource}PolicyAssignment`.
pub fn policy_assignment(object: &Object, kind: &str, model: &mut Model) {
    let scope = match kind {
        "SubscriptionPolicyAssignment" => AssignmentScope::Subscription,
        "ManagementGroupPolicyAssignment" => AssignmentScope::ManagementGroup,
        "ResourceGroupPolicyAssignment" => AssignmentScope::ResourceGroup,
        "ResourcePolicyAssignment" => AssignmentScope::Resource,
        _ => return,
    };
    let parameters = parameters(object);
    let holder = holder(object, parameters.as_ref());
    let field = |name: &str| {
        parameters
            .as_ref()
            .and_then(|p| p.get(name))
            .map(|e| &e.value)
    };
    let definition = match field("policyDefinitionId") {
        Some(value) => string_setting(Some(value), holder),
        None => match field("policyDefinitionIdRef").or(field("policyDefinitionIdSelector")) {
            Some(reference) => Setting::Unknown {
                unknown: Unknown::new(
                    UnknownCause::Computed,
                    "the policy definition is another Crossplane object's id, resolved when it is reconciled",
                ),
                span: reference.span,
                provenance: Vec::new(),
            },
            None => Setting::Absent { holder },
        },
    };
    let enforce = match field("enforce") {
        None => Setting::Absent { holder },
        Some(value) => match value.as_bool() {
            Some(on) => known(on, value),
            None => unknown_of(value, "a boolean"),
        },
    };
    let identity = match field("identity") {
        None => Setting::Absent { holder },
        Some(value) => {
            let block = match &value.kind {
                ValueKind::List(items) => items.first(),
                _ => Some(value),
            };
            match block {
                None => Setting::known(false, value.span),
                Some(block) if block.as_unknown().is_some() => {
                    unknown_of(block, "an identity block")
                }
                Some(block) => match block.get("type").map(|t| &t.value) {
                    Some(kind) if kind.as_unknown().is_some() => {
                        unknown_of(kind, "an identity type")
                    }
                    Some(kind)
                        if kind
                            .as_str()
                            .is_some_and(|t| t.eq_ignore_ascii_case("None")) =>
                    {
                        Setting::known(false, kind.span)
                    }
                    Some(kind) => Setting::known(true, kind.span),
                    None if block.is_null() => Setting::known(false, block.span),
                    None => Setting::known(true, block.span),
                },
            }
        }
    };
    let (parameters_list, parameters_unknown) = match field("parameters") {
        None => (Vec::new(), None),
        Some(value) => match assignment_parameters(value) {
            Ok(list) => (list, None),
            Err(unknown) => (Vec::new(), Some((unknown, value.span))),
        },
    };
    model.assignments.push(PolicyAssignment {
        resource: head(object),
        definition,
        scope,
        enforce,
        parameters: parameters_list,
        parameters_unknown,
        identity,
        not_scopes: field("notScopes")
            .and_then(|v| v.items().map(<[Value]>::to_vec))
            .unwrap_or_default(),
    });
}

/// `parameters` is JSON text shaped `{"name": {"value": ...}}`; its values take the span of the
/// text.
fn assignment_parameters(value: &Value) -> Result<Vec<AssignmentParameter>, Unknown> {
    let text = match &value.kind {
        ValueKind::String(text) => text,
        ValueKind::Unknown(unknown) => return Err((**unknown).clone()),
        _ => {
            return Err(Unknown::new(
                UnknownCause::Unsupported,
                format!(
                    "`parameters` should be JSON text, found {}",
                    value.describe()
                ),
            ))
        }
    };
    let json: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        Unknown::new(
            UnknownCause::Unsupported,
            format!("`parameters` is not valid JSON: {error}"),
        )
    })?;
    let serde_json::Value::Object(map) = json else {
        return Err(Unknown::new(
            UnknownCause::Unsupported,
            "`parameters` should be a JSON object",
        ));
    };
    Ok(map
        .iter()
        .map(|(name, parameter)| AssignmentParameter {
            name: name.clone(),
            name_span: value.span,
            value: from_json(parameter.get("value").unwrap_or(parameter), value.span, 0),
        })
        .collect())
}

fn from_json(json: &serde_json::Value, span: Span, depth: usize) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Bool(*b),
        serde_json::Value::Number(n) => ValueKind::Number(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => ValueKind::String(s.clone()),
        // serde_json bounds its own nesting (128); this keeps the copy bounded too.
        _ if depth > 128 => ValueKind::Unknown(Box::new(Unknown::new(
            UnknownCause::Unsupported,
            "`parameters` nests deeper than 128 levels",
        ))),
        serde_json::Value::Array(items) => ValueKind::List(
            items
                .iter()
                .map(|item| from_json(item, span, depth + 1))
                .collect(),
        ),
        serde_json::Value::Object(map) => ValueKind::Object(
            map.iter()
                .map(|(key, value)| Entry {
                    key: key.clone().into(),
                    key_span: span,
                    value: from_json(value, span, depth + 1),
                })
                .collect(),
        ),
    };
    Value::new(kind, span)
}
