//! AKS004: Terraform will undo what a DeployIfNotExists policy provisions.

use super::{aks001, aks002, coverage, resource_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Cluster, ClusterKind, Model, Resource, Shape};
use crate::policy::KnownPolicy;

pub const RULE: Rule = Rule {
    id: "AKS004",
    name: "terraform-undoes-provisioning",
    title: "Terraform will undo what a DeployIfNotExists policy provisions",
    level: Level::Warning,
    doc: include_str!("../../rules/AKS004.md"),
    check: Some(check),
};

/// The settings a DINE provisions on a cluster, with the attribute Terraform would reset.
struct Provisioned {
    policy: KnownPolicy,
    attribute: &'static str,
    declared: fn(&Cluster) -> bool,
}

const PROVISIONED: &[Provisioned] = &[
    Provisioned {
        policy: KnownPolicy::DefenderProfileDine,
        attribute: "microsoft_defender",
        declared: aks001::has_sensor,
    },
    Provisioned {
        policy: KnownPolicy::PolicyAddonDine,
        attribute: "azure_policy_enabled",
        declared: aks002::has_addon,
    },
];

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let covers = coverage::active_covers(model);
    let mut findings = Vec::new();
    for cluster in model
        .clusters
        .iter()
        .filter(|c| c.kind == ClusterKind::Managed && c.dialect.shape() == Shape::AzurermAttributes)
    {
        for provisioned in PROVISIONED {
            let Some(cover) = coverage::cover_for(&covers, |p| p == provisioned.policy) else {
                continue;
            };
            let ignored = cluster
                .ignore_changes
                .iter()
                .any(|name| name == provisioned.attribute || name == "all");
            if (provisioned.declared)(cluster) || ignored {
                continue;
            }
            let resource = Resource {
                address: cluster.address.clone(),
                dialect: cluster.dialect,
                header: cluster.header,
            };
            let mut related = vec![cover.related()];
            related.extend(cluster.context.iter().cloned());
            findings.push(resource_finding(&RULE, Outcome::Violation, cluster.header, &resource, format!(
                    "`{}` leaves `{}` to `{}` but does not ignore it: the next `terraform apply` removes what the policy added, and the policy adds it again",
                    cluster.address, provisioned.attribute, cover.assignment.resource.address
                )).related(related).help(format!(
                    "declare `{}` on `{}`, or add it to `lifecycle {{ ignore_changes = [{}] }}`",
                    provisioned.attribute, cluster.address, provisioned.attribute
                )));
        }
    }
    findings
}
