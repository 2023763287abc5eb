//! ARC001 and ARC002: the Defender and Azure Policy extensions on every Arc-enabled cluster.
//! Both rules match extensions to clusters the same way; each has its own entry in the catalogue.

use super::{coverage, covered_finding, unknown_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Cluster, ClusterExtension, ClusterKind, Model, Setting, Shape};
use crate::policy::KnownPolicy;
use crate::value::{Related, Unknown, UnknownCause};

struct Extension {
    rule: &'static Rule,
    extension_type: &'static str,
    what: &'static str,
    covered_by: KnownPolicy,
}

pub const DEFENDER_RULE: Rule = Rule {
    id: "ARC001",
    name: "arc-defender-extension",
    title: "Arc-enabled cluster without the Defender for Containers extension",
    level: Level::Error,
    doc: include_str!("../../rules/ARC001.md"),
    check: Some(check_defender),
};

pub const POLICY_RULE: Rule = Rule {
    id: "ARC002",
    name: "arc-azure-policy-extension",
    title: "Arc-enabled cluster without the Azure Policy extension",
    level: Level::Error,
    doc: include_str!("../../rules/ARC002.md"),
    check: Some(check_policy),
};

const DEFENDER: Extension = Extension {
    rule: &DEFENDER_RULE,
    extension_type: "microsoft.azuredefender.kubernetes",
    what: "Microsoft Defender for Containers extension",
    covered_by: KnownPolicy::ArcDefenderDine,
};

const POLICY: Extension = Extension {
    rule: &POLICY_RULE,
    extension_type: "microsoft.policyinsights",
    what: "Azure Policy extension",
    covered_by: KnownPolicy::ArcPolicyDine,
};

pub fn check_defender(model: &Model, _config: &Config) -> Vec<Finding> {
    check(model, &DEFENDER)
}

pub fn check_policy(model: &Model, _config: &Config) -> Vec<Finding> {
    check(model, &POLICY)
}

enum Match<'a> {
    Found,
    Undecided(&'a ClusterExtension, Unknown),
    Missing,
}

fn find<'a>(model: &'a Model, cluster: &Cluster, wanted: &Extension) -> Match<'a> {
    let mut undecided = None;
    for extension in &model.extensions {
        let type_matches = match &extension.extension_type {
            Setting::Known { value, .. } => value.eq_ignore_ascii_case(wanted.extension_type),
            Setting::Unknown { unknown, .. } => {
                undecided.get_or_insert((extension, unknown.clone()));
                false
            }
            Setting::Absent { .. } => false,
        };
        if !type_matches {
            continue;
        }
        match &extension.target {
            Setting::Known { value, .. } if coverage::names_cluster(value, cluster) => {
                return Match::Found
            }
            Setting::Unknown { unknown, .. } => match &unknown.reference {
                Some(reference) if coverage::names_cluster(reference, cluster) => {
                    return Match::Found
                }
                Some(_) => {}
                None => {
                    undecided.get_or_insert((extension, unknown.clone()));
                }
            },
            _ => {}
        }
    }
    match undecided {
        Some((extension, unknown)) => Match::Undecided(extension, unknown),
        None => Match::Missing,
    }
}

fn check(model: &Model, wanted: &Extension) -> Vec<Finding> {
    let covers = coverage::active_covers(model);
    let cover = coverage::cover_for(&covers, |p| p == wanted.covered_by);
    let help = |cluster: &Cluster| {
        match cluster.dialect.shape() {
        Shape::AzurermAttributes => format!(
            "add an `azurerm_arc_kubernetes_cluster_extension` with `extension_type = \"{}\"` and `cluster_id = {}.id`",
            wanted.extension_type, cluster.address
        ),
        _ => format!(
            "add a `Microsoft.KubernetesConfiguration/extensions` resource with `extensionType` `{}` scoped to {}",
            wanted.extension_type, cluster.address
        ),
    }
    };
    let mut findings = Vec::new();
    for cluster in model
        .clusters
        .iter()
        .filter(|c| c.kind == ClusterKind::ArcConnected)
    {
        let header = Setting::<()>::Absent {
            holder: cluster.header,
        };
        match find(model, cluster, wanted) {
            Match::Found => {}
            _ if cover.is_some() => findings.push(covered_finding(
                wanted.rule,
                cluster,
                &header,
                cover.expect("checked"),
                &format!("lacks the {} in this scan", wanted.what),
                help(cluster),
            )),
            Match::Undecided(extension, unknown) => {
                let mut finding = unknown_finding(
                    wanted.rule,
                    cluster,
                    &header,
                    &Unknown::new(UnknownCause::Computed, unknown.reason.clone()),
                    &format!("has the {}", wanted.what),
                    help(cluster),
                );
                finding.related.push(Related {
                    span: extension.resource.header,
                    message: format!(
                        "`{}` might be that extension for this cluster",
                        extension.resource.address
                    ),
                });
                findings.push(finding);
            }
            Match::Missing => findings.push(
                Finding::new(
                    wanted.rule,
                    Outcome::Violation,
                    cluster.header,
                    format!(
                        "Arc-enabled cluster `{}` lacks the {} (extension type `{}`)",
                        cluster.address, wanted.what, wanted.extension_type
                    ),
                )
                .resource(&cluster.address)
                .related(cluster.context.clone())
                .help(help(cluster)),
            ),
        }
    }
    findings
}
