//! Lowering of ARM-shaped resource properties into the model.
//!
//! ARM templates, azapi `body`s and Azure Service Operator specs all describe a managed cluster
//! with the same property names (`securityProfile`, `addonProfiles`), which ARM compares
//! case-insensitively. Each front end evaluates its own syntax into [`Value`]s and calls these.

use crate::model::{
    Cluster, ClusterKind, DefenderProfile, Dialect, PolicyAddon, Setting, Tag, Tags,
};
use crate::source::Span;
use crate::value::{Unknown, UnknownCause, Value, ValueKind};

/// Where a managed cluster's settings live in one front end's evaluated syntax.
pub struct ManagedClusterSource<'a> {
    pub address: String,
    pub dialect: Dialect,
    pub header: Span,
    /// The `properties` object (ARM, azapi `body.properties`) or the spec (ASO), if present.
    pub properties: Option<&'a Value>,
    /// The resource's `tags`, already resolved with the front end's precedence rules.
    pub tags: Option<&'a Value>,
}

pub fn managed_cluster(source: ManagedClusterSource) -> Cluster {
    let holder = source.properties.map_or(source.header, |p| p.span);
    Cluster {
        kind: ClusterKind::Managed,
        dialect: source.dialect,
        header: source.header,
        context: Vec::new(),
        defender: defender_profile(source.properties, holder),
        azure_policy: azure_policy_addon(source.properties, holder),
        tags: tags(source.tags, source.header),
        ignore_changes: Vec::new(),
        name: None,
        address: source.address,
    }
}

/// Walk `path` through objects, matching keys case-insensitively. `Err` carries the unknown value
/// met on the way.
fn lookup<'a>(value: Option<&'a Value>, path: &[&str]) -> Result<Option<&'a Value>, &'a Value> {
    let mut current = value;
    for key in path {
        let Some(value) = current else {
            return Ok(None);
        };
        if value.as_unknown().is_some() {
            return Err(value);
        }
        current = value.get_ignore_case(key).map(|entry| &entry.value);
    }
    match current {
        Some(value) if value.as_unknown().is_some() => Err(value),
        other => Ok(other),
    }
}

fn unknown_setting<T>(value: &Value) -> Setting<T> {
    let unknown = value.as_unknown().cloned().unwrap_or_else(|| {
        Unknown::new(
            UnknownCause::Unsupported,
            format!("expected a boolean, found {}", value.describe()),
        )
    });
    Setting::Unknown {
        unknown,
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

/// `securityProfile.defender.securityMonitoring.enabled`, else the legacy
/// `securityProfile.azureDefender.enabled`.
fn defender_profile(properties: Option<&Value>, holder: Span) -> Setting<DefenderProfile> {
    let current = lookup(
        properties,
        &[
            "securityProfile",
            "defender",
            "securityMonitoring",
            "enabled",
        ],
    );
    match current {
        Err(unknown) => return unknown_setting(unknown),
        Ok(Some(enabled)) => {
            return match enabled.as_bool() {
                Some(true) => known(DefenderProfile::Enabled, enabled),
                Some(false) => known(DefenderProfile::Disabled, enabled),
                None if enabled.is_null() => known(DefenderProfile::Disabled, enabled),
                None => unknown_setting(enabled),
            }
        }
        Ok(None) => {}
    }
    match lookup(properties, &["securityProfile", "azureDefender", "enabled"]) {
        Err(unknown) => unknown_setting(unknown),
        Ok(Some(enabled)) => match enabled.as_bool() {
            Some(true) => known(DefenderProfile::LegacyEnabled, enabled),
            Some(false) => known(DefenderProfile::Disabled, enabled),
            None if enabled.is_null() => known(DefenderProfile::Disabled, enabled),
            None => unknown_setting(enabled),
        },
        Ok(None) => Setting::Absent {
            holder: nearest_holder(properties, &["securityProfile", "defender"], holder),
        },
    }
}

/// The deepest object along `path` that exists: a missing setting points at the block that should
/// hold it.
fn nearest_holder(properties: Option<&Value>, path: &[&str], fallback: Span) -> Span {
    let mut span = fallback;
    let mut current = properties;
    for key in path {
        match current.and_then(|v| v.get_ignore_case(key)) {
            Some(entry) if entry.value.entries().is_some() => {
                span = entry.key_span;
                current = Some(&entry.value);
            }
            // Present but null (an ARM parameter left at null): the value is what decides.
            Some(entry) => {
                span = entry.value.span;
                break;
            }
            None => break,
        }
    }
    span
}

/// `addonProfiles.<azurepolicy, any case>.enabled`; two keys differing only in case that disagree
/// are a conflict.
fn azure_policy_addon(properties: Option<&Value>, holder: Span) -> Setting<PolicyAddon> {
    let addons = match lookup(properties, &["addonProfiles"]) {
        Err(unknown) => return unknown_setting(unknown),
        Ok(None) => return Setting::Absent { holder },
        Ok(Some(addons)) => addons,
    };
    let mut found: Option<Setting<PolicyAddon>> = None;
    for entry in addons.get_all_ignore_case("azurepolicy") {
        let setting = match lookup(Some(&entry.value), &["enabled"]) {
            Err(unknown) => unknown_setting(unknown),
            Ok(None) => known(PolicyAddon::Disabled, &entry.value),
            Ok(Some(enabled)) => match enabled.as_bool() {
                Some(true) => known(PolicyAddon::Enabled, enabled),
                Some(false) => known(PolicyAddon::Disabled, enabled),
                None if enabled.is_null() => known(PolicyAddon::Disabled, enabled),
                None => unknown_setting(enabled),
            },
        };
        found = Some(another_addon_entry(found, setting));
    }
    found.unwrap_or(Setting::Absent {
        holder: nearest_holder(properties, &["addonProfiles"], holder),
    })
}

/// Tags as an object of strings; anything else is unknown.
pub fn tags(tags: Option<&Value>, header: Span) -> Setting<Tags> {
    let Some(value) = tags else {
        return Setting::Absent { holder: header };
    };
    match &value.kind {
        ValueKind::Object(entries) => Setting::Known {
            value: Tags {
                entries: entries
                    .iter()
                    .map(|entry| Tag {
                        key: entry.key.to_string(),
                        key_span: entry.key_span,
                        value: tag_value(&entry.value),
                    })
                    .collect(),
                unknown_part: None,
            },
            span: value.span,
            provenance: value.provenance.to_vec(),
        },
        ValueKind::Null => known(Tags::default(), value),
        ValueKind::Unknown(_) => unknown_setting(value),
        _ => Setting::Unknown {
            unknown: Unknown::new(
                UnknownCause::Unsupported,
                format!("tags should be an object, found {}", value.describe()),
            ),
            span: value.span,
            provenance: value.provenance.to_vec(),
        },
    }
}

/// One tag's value as text (numbers and booleans as Azure stores them); `null` is empty.
pub fn tag_value(value: &Value) -> Setting<String> {
    let text = match &value.kind {
        ValueKind::String(s) => s.clone(),
        ValueKind::Null => String::new(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Number(n) => crate::value::format_number(*n),
        _ => return unknown_setting(value),
    };
    known(text, value)
}

/// The add-on setting after one more entry for it: the first decides, unless a second entry (a
/// key differing only in case, a repeated list item) says otherwise, which is a conflict.
pub fn another_addon_entry(
    found: Option<Setting<PolicyAddon>>,
    setting: Setting<PolicyAddon>,
) -> Setting<PolicyAddon> {
    match found {
        None => setting,
        Some(first) => match (&first, &setting) {
            (
                Setting::Known {
                    value: a,
                    span,
                    provenance,
                },
                Setting::Known {
                    value: b,
                    span: other,
                    ..
                },
            ) if a != b => Setting::Known {
                value: PolicyAddon::CaseConflict { other: *other },
                span: *span,
                provenance: provenance.clone(),
            },
            _ => first,
        },
    }
}
