//! Cluster API Provider Azure `AzureManagedControlPlane`: `spec.securityProfile.defender` has
//! the ARM shape, but add-ons are a list (`spec.addonProfiles: [{name, enabled}]`) and tags are
//! `spec.additionalTags`.

use super::{keyed, with_context, Object};
use crate::frontend::arm_shape::{self, ManagedClusterSource};
use crate::model::{Cluster, Dialect, PolicyAddon, Setting};
use crate::value::{Related, Unknown, UnknownCause, Value};

pub fn managed_control_plane(object: &Object, context: &[Related]) -> Cluster {
    let spec = object.field("spec");
    let tags = spec.as_ref().and_then(|s| keyed(s, "additionalTags"));
    let mut cluster = arm_shape::managed_cluster(ManagedClusterSource {
        address: format!("{} '{}'", object.kind, object.name),
        dialect: Dialect::Capz,
        header: object.kind_span,
        properties: spec.as_ref(),
        tags: tags.as_ref(),
    });
    cluster.azure_policy = policy_addon(spec.as_ref(), object.kind_span);
    cluster.name = Some(object.name.clone());
    with_context(cluster, context)
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

/// The `azurepolicy` entry of `spec.addonProfiles` (CAPZ passes the name to AKS, which compares
/// it case-insensitively). `enabled` is required and a Go bool: left out it is false.
fn policy_addon(spec: Option<&Value>, header: crate::source::Span) -> Setting<PolicyAddon> {
    let holder = spec.map_or(header, |s| s.span);
    let Some(addons) = spec.and_then(|s| s.get("addonProfiles")) else {
        return Setting::Absent { holder };
    };
    let Some(items) = addons.value.items() else {
        if addons.value.is_null() {
            return Setting::Absent {
                holder: addons.key_span,
            };
        }
        return unknown_of(&addons.value, "a list of add-on profiles");
    };
    let mut found: Option<Setting<PolicyAddon>> = None;
    // An entry whose name is unknown may be the add-on: it leaves anything but "enabled" open.
    let mut undecided: Option<Setting<PolicyAddon>> = None;
    for item in items {
        if item.as_unknown().is_some() {
            undecided.get_or_insert_with(|| unknown_of(item, "an add-on profile"));
            continue;
        }
        let name = item.get("name").map(|n| &n.value);
        match name {
            Some(name) if name.as_unknown().is_some() => {
                undecided.get_or_insert_with(|| unknown_of(name, "an add-on name"));
                continue;
            }
            Some(name)
                if name
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("azurepolicy")) => {}
            _ => continue,
        }
        let setting = match item.get("enabled") {
            None => Setting::known(PolicyAddon::Disabled, item.span),
            Some(enabled) => match enabled.value.as_bool() {
                Some(true) => known(PolicyAddon::Enabled, &enabled.value),
                Some(false) => known(PolicyAddon::Disabled, &enabled.value),
                None => unknown_of(&enabled.value, "a boolean"),
            },
        };
        found = Some(crate::frontend::arm_shape::another_addon_entry(
            found, setting,
        ));
    }
    match (found, undecided) {
        (
            Some(
                enabled @ Setting::Known {
                    value: PolicyAddon::Enabled,
                    ..
                },
            ),
            _,
        ) => enabled,
        (_, Some(undecided)) => undecided,
        (Some(found), None) => found,
        (None, None) => Setting::Absent {
            holder: addons.key_span,
        },
    }
}

fn known<T>(value: T, from: &Value) -> Setting<T> {
    Setting::Known {
        value,
        span: from.span,
        provenance: from.provenance.to_vec(),
    }
}
