//! Lowering of azurerm resources into the model.

use super::eval::{EvalAttribute, EvalBlock};
use crate::frontend::arm_shape;
use crate::model::{Cluster, ClusterKind, DefenderProfile, Dialect, PolicyAddon, Setting, Tags};
use crate::value::{Value, ValueKind};

/// The model entity for an azurerm resource, if it is one the rules care about.
pub fn lower_resource(resource_type: &str, address: String, block: &EvalBlock) -> Option<Cluster> {
    match resource_type {
        "azurerm_kubernetes_cluster" => Some(managed_cluster(address, block)),
        _ => None,
    }
}

fn managed_cluster(address: String, block: &EvalBlock) -> Cluster {
    Cluster {
        address,
        kind: ClusterKind::Managed,
        dialect: Dialect::Azurerm,
        header: block.header,
        context: Vec::new(),
        defender: defender_profile(block),
        azure_policy: azure_policy_addon(block),
        tags: tags(block),
        ignore_changes: ignore_changes(block),
        name: block
            .attribute("name")
            .and_then(|a| a.value.as_str())
            .map(str::to_string),
    }
}

/// `microsoft_defender { log_analytics_workspace_id = ... }`: the block's presence turns the
/// sensor on (the workspace id is required by the provider, so any value, even one known only
/// after apply, counts).
fn defender_profile(block: &EvalBlock) -> Setting<DefenderProfile> {
    if let Some(defender) = block.block("microsoft_defender") {
        return match defender.attribute("log_analytics_workspace_id") {
            Some(attribute) if attribute.value.is_null() => Setting::Known {
                value: DefenderProfile::Disabled,
                span: attribute.span,
                provenance: attribute.value.provenance.to_vec(),
            },
            // An unset input may be null (no profile); a computed id is still an id.
            Some(attribute)
                if attribute
                    .value
                    .as_unknown()
                    .is_some_and(|u| u.cause != crate::value::UnknownCause::Computed) =>
            {
                unknown_setting(&attribute.value)
            }
            _ => Setting::Known {
                value: DefenderProfile::Enabled,
                span: defender.header,
                provenance: Vec::new(),
            },
        };
    }
    if let Some(undecided) = block.undecided_block("microsoft_defender") {
        return unknown_setting(undecided);
    }
    if let Some(empty) = block.empty_block("microsoft_defender") {
        return switched_off(empty, DefenderProfile::Disabled);
    }
    Setting::Absent {
        holder: block.header,
    }
}

/// `azure_policy_enabled` (v3+; no default, so absent means off) or the v2 shape
/// `addon_profile { azure_policy { enabled = ... } }`.
fn azure_policy_addon(block: &EvalBlock) -> Setting<PolicyAddon> {
    if let Some(attribute) = block.attribute("azure_policy_enabled") {
        return bool_setting(attribute, PolicyAddon::Enabled, PolicyAddon::Disabled);
    }
    if let Some(undecided) = block.undecided_block("addon_profile") {
        return unknown_setting(undecided);
    }
    if let Some(empty) = block.empty_block("addon_profile") {
        return switched_off(empty, PolicyAddon::Disabled);
    }
    if let Some(addon_profile) = block.block("addon_profile") {
        if let Some(undecided) = addon_profile.undecided_block("azure_policy") {
            return unknown_setting(undecided);
        }
        if let Some(empty) = addon_profile.empty_block("azure_policy") {
            return switched_off(empty, PolicyAddon::Disabled);
        }
        if let Some(azure_policy) = addon_profile.block("azure_policy") {
            return match azure_policy.attribute("enabled") {
                Some(enabled) => bool_setting(enabled, PolicyAddon::Enabled, PolicyAddon::Disabled),
                None => Setting::Absent {
                    holder: azure_policy.header,
                },
            };
        }
    }
    Setting::Absent {
        holder: block.header,
    }
}

/// A `dynamic` block whose `for_each` is empty: the setting is off, and the inputs that emptied
/// it explain why.
fn switched_off<T>(for_each: &Value, off: T) -> Setting<T> {
    Setting::Known {
        value: off,
        span: for_each.span,
        provenance: for_each.provenance.to_vec(),
    }
}

fn bool_setting<T>(attribute: &EvalAttribute, on: T, off: T) -> Setting<T> {
    let value = &attribute.value;
    match value.as_bool() {
        Some(enabled) => Setting::Known {
            value: if enabled { on } else { off },
            span: attribute.span,
            provenance: value.provenance.to_vec(),
        },
        // `null` leaves the provider default, which is off for every add-on.
        None if value.is_null() => Setting::Known {
            value: off,
            span: attribute.span,
            provenance: value.provenance.to_vec(),
        },
        None => unknown_setting(value),
    }
}

fn unknown_setting<T>(value: &Value) -> Setting<T> {
    let unknown = match &value.kind {
        ValueKind::Unknown(unknown) => (**unknown).clone(),
        _ => crate::value::Unknown::new(
            crate::value::UnknownCause::Unsupported,
            format!("expected a boolean, found {}", value.describe()),
        ),
    };
    Setting::Unknown {
        unknown,
        span: value.span,
        provenance: value.provenance.to_vec(),
    }
}

fn tags(block: &EvalBlock) -> Setting<Tags> {
    match block.attribute("tags") {
        Some(attribute) => match arm_shape::tags(Some(&attribute.value), block.header) {
            // Point at the attribute (one line) rather than the whole map.
            Setting::Known {
                value, provenance, ..
            } => Setting::Known {
                value,
                span: attribute.span,
                provenance,
            },
            other => other,
        },
        None => Setting::Absent {
            holder: block.header,
        },
    }
}

/// The attribute names in `lifecycle { ignore_changes = [...] }` (`all` included as written).
fn ignore_changes(block: &EvalBlock) -> Vec<String> {
    let Some(lifecycle) = block.block("lifecycle") else {
        return Vec::new();
    };
    let Some(attribute) = lifecycle.attribute("ignore_changes") else {
        return Vec::new();
    };
    match &attribute.value.kind {
        ValueKind::List(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        ValueKind::String(all) => vec![all.clone()],
        _ => Vec::new(),
    }
}
