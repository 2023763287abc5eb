//! AKS002: the Azure Policy add-on on every AKS cluster.

use rayon::prelude::*;

use super::coverage::{self, Cover};
use super::{provided_elsewhere, related, unknown_finding, Providers, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{
    Cluster, ClusterKind, ClusterPatch, Dialect, Model, PolicyAddon, Setting, Shape,
};
use crate::policy::KnownPolicy;
use crate::value::Related;

pub const RULE: Rule = Rule {
    id: "AKS002",
    name: "aks-azure-policy-addon",
    title: "AKS cluster without the Azure Policy add-on",
    level: Level::Error,
    doc: include_str!("../../rules/AKS002.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let covers = coverage::active_covers(model);
    let cover = coverage::cover_for(&covers, |p| p == KnownPolicy::PolicyAddonDine);
    // Clusters are checked on every core (a monorepo holds thousands), collected in order.
    model
        .clusters
        .par_iter()
        .filter(|cluster| cluster.kind == ClusterKind::Managed)
        .filter_map(|cluster| {
            let patch = coverage::patch_for(model, cluster, |p| p.enables_policy_addon);
            check_cluster(cluster, cover, patch)
        })
        .collect()
}

/// Whether the cluster enables the add-on from its own settings.
pub fn has_addon(cluster: &Cluster) -> bool {
    matches!(
        cluster.azure_policy,
        Setting::Known {
            value: PolicyAddon::Enabled,
            ..
        }
    )
}

fn check_cluster(
    cluster: &Cluster,
    cover: Option<&Cover>,
    patch: Option<&ClusterPatch>,
) -> Option<Finding> {
    let setting = &cluster.azure_policy;
    if let Some(covered) = provided_elsewhere(
        &RULE,
        cluster,
        setting,
        has_addon(cluster),
        Providers { patch, cover },
        covered_what(setting),
        || fix(cluster),
    ) {
        return Some(covered);
    }
    let mut related = related(cluster, setting);
    let message = match setting {
        Setting::Known {
            value: PolicyAddon::Enabled,
            ..
        } => return None,
        Setting::Known {
            value: PolicyAddon::Disabled,
            ..
        } => format!("`{}` turns the Azure Policy add-on off", cluster.address),
        Setting::Known {
            value: PolicyAddon::CaseConflict { other },
            ..
        } => {
            related.insert(
                0,
                Related {
                    span: *other,
                    message: "the same add-on under a key differing only in case".to_string(),
                },
            );
            format!(
                "`{}` sets the Azure Policy add-on twice, under keys differing only in case, with different values; Azure treats the keys as one",
                cluster.address
            )
        }
        Setting::Absent { .. } => format!(
            "`{}` does not enable the Azure Policy add-on ({})",
            cluster.address,
            missing_setting(cluster.dialect)
        ),
        Setting::Unknown { unknown, .. } => {
            return Some(unknown_finding(
                &RULE,
                cluster,
                setting,
                unknown,
                "has the Azure Policy add-on",
                fix(cluster),
            ))
        }
    };
    Some(
        Finding::new(&RULE, Outcome::Violation, setting.span(), message)
            .resource(&cluster.address)
            .related(related)
            .help(fix(cluster)),
    )
}

fn missing_setting(dialect: Dialect) -> &'static str {
    match dialect.shape() {
        Shape::AzurermAttributes => "`azure_policy_enabled` is not set, and it has no default",
        Shape::ArmProperties => "no `addonProfiles.azurepolicy.enabled`",
        Shape::CapzSpec => "no `azurepolicy` entry in `spec.addonProfiles`",
        Shape::CrossplaneParameters => {
            "`azurePolicyEnabled` is not set in `spec.forProvider`, and it has no default"
        }
    }
}

fn fix(cluster: &Cluster) -> String {
    match cluster.dialect.shape() {
        Shape::AzurermAttributes => format!(
            "set `azure_policy_enabled = true` on `{}`",
            cluster.address
        ),
        Shape::ArmProperties => format!(
            "set `addonProfiles.azurepolicy.enabled` to true in the properties of `{}`, with a single `azurepolicy` key",
            cluster.address
        ),
        Shape::CapzSpec => format!(
            "add `{{name: azurepolicy, enabled: true}}` to `spec.addonProfiles` of `{}`, with a single `azurepolicy` entry",
            cluster.address
        ),
        Shape::CrossplaneParameters => format!(
            "set `azurePolicyEnabled: true` in `spec.forProvider` of `{}`",
            cluster.address
        ),
    }
}

/// How a covered finding describes what the cluster itself does.
fn covered_what<T: PartialEq<PolicyAddon>>(setting: &Setting<T>) -> &'static str {
    match setting {
        Setting::Known { value, .. } if *value == PolicyAddon::Disabled => {
            "turns the Azure Policy add-on off"
        }
        _ => "does not declare the Azure Policy add-on",
    }
}
