//! AKS001: the Microsoft Defender for Containers sensor (Defender profile) on every AKS cluster.

use rayon::prelude::*;

use super::coverage::{self, Cover};
use super::{provided_elsewhere, related, unknown_finding, Providers, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{
    Cluster, ClusterKind, ClusterPatch, DefenderProfile, Dialect, Model, Setting, Shape,
};
use crate::policy::KnownPolicy;

pub const RULE: Rule = Rule {
    id: "AKS001",
    name: "aks-defender-sensor",
    title: "AKS cluster without the Microsoft Defender for Containers sensor",
    level: Level::Error,
    doc: include_str!("../../rules/AKS001.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let covers = coverage::active_covers(model);
    let cover = coverage::cover_for(&covers, |p| p == KnownPolicy::DefenderProfileDine);
    // Clusters are checked on every core (a monorepo holds thousands), collected in order.
    model
        .clusters
        .par_iter()
        .filter(|cluster| cluster.kind == ClusterKind::Managed)
        .filter_map(|cluster| {
            let patch = coverage::patch_for(model, cluster, |p| p.enables_defender);
            check_cluster(cluster, cover, patch)
        })
        .collect()
}

/// Whether the cluster has the sensor from its own settings.
pub fn has_sensor(cluster: &Cluster) -> bool {
    matches!(
        cluster.defender,
        Setting::Known {
            value: DefenderProfile::Enabled | DefenderProfile::LegacyEnabled,
            ..
        }
    )
}

fn check_cluster(
    cluster: &Cluster,
    cover: Option<&Cover>,
    patch: Option<&ClusterPatch>,
) -> Option<Finding> {
    let setting = &cluster.defender;
    if let Some(covered) = provided_elsewhere(
        &RULE,
        cluster,
        setting,
        has_sensor(cluster),
        Providers { patch, cover },
        covered_what(setting),
        || fix(cluster),
    ) {
        return Some(covered);
    }
    let (outcome, message) = match setting {
        Setting::Known {
            value: DefenderProfile::Enabled,
            ..
        } => return None,
        Setting::Known {
            value: DefenderProfile::LegacyEnabled,
            ..
        } => (
            Outcome::Pass,
            format!(
                "`{}` enables Defender through the legacy `securityProfile.azureDefender` shape; migrate to `securityProfile.defender.securityMonitoring`",
                cluster.address
            ),
        ),
        Setting::Known {
            value: DefenderProfile::Disabled,
            ..
        } => (
            Outcome::Violation,
            format!(
                "`{}` turns the Microsoft Defender for Containers sensor off",
                cluster.address
            ),
        ),
        Setting::Absent { .. } => (
            Outcome::Violation,
            format!(
                "`{}` has no Microsoft Defender for Containers sensor ({})",
                cluster.address,
                missing_setting(cluster.dialect)
            ),
        ),
        Setting::Unknown { unknown, .. } => {
            return Some(unknown_finding(
                &RULE,
                cluster,
                setting,
                unknown,
                "has the Microsoft Defender for Containers sensor",
                fix(cluster),
            ))
        }
    };
    Some(
        Finding::new(&RULE, outcome, setting.span(), message)
            .resource(&cluster.address)
            .related(related(cluster, setting))
            .help(fix(cluster)),
    )
}

fn missing_setting(dialect: Dialect) -> &'static str {
    match dialect.shape() {
        Shape::AzurermAttributes => "no `microsoft_defender` block",
        Shape::ArmProperties => "no `securityProfile.defender.securityMonitoring.enabled`",
        Shape::CapzSpec => "no `spec.securityProfile.defender.securityMonitoring.enabled`",
        Shape::CrossplaneParameters => "no `microsoftDefender` in `spec.forProvider`",
    }
}

fn fix(cluster: &Cluster) -> String {
    match cluster.dialect.shape() {
        Shape::AzurermAttributes => format!(
            "add `microsoft_defender {{ log_analytics_workspace_id = azurerm_log_analytics_workspace.<name>.id }}` to `{}`",
            cluster.address
        ),
        Shape::ArmProperties => format!(
            "set `securityProfile.defender.securityMonitoring.enabled` to true and `securityProfile.defender.logAnalyticsWorkspaceResourceId` to a workspace in the properties of `{}`",
            cluster.address
        ),
        Shape::CapzSpec => format!(
            "set `spec.securityProfile.defender.securityMonitoring.enabled: true` and `spec.securityProfile.defender.logAnalyticsWorkspaceResourceID` to a workspace on `{}`",
            cluster.address
        ),
        Shape::CrossplaneParameters => format!(
            "add `microsoftDefender: {{logAnalyticsWorkspaceId: ...}}` (a one-item list in v1beta1) to `spec.forProvider` of `{}`",
            cluster.address
        ),
    }
}

/// How a covered finding describes what the cluster itself does.
fn covered_what<T: PartialEq<DefenderProfile>>(setting: &Setting<T>) -> &'static str {
    match setting {
        Setting::Known { value, .. } if *value == DefenderProfile::Disabled => {
            "turns the Microsoft Defender for Containers sensor off"
        }
        _ => "does not declare the Microsoft Defender for Containers sensor",
    }
}
