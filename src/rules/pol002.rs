//! POL002: audit-only container policies assigned with no matching DeployIfNotExists.

use super::{coverage, resource_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::Model;
use crate::policy::KnownPolicy;

pub const RULE: Rule = Rule {
    id: "POL002",
    name: "audit-without-provisioning",
    title: "Audit-only container policy without a DeployIfNotExists counterpart",
    level: Level::Note,
    doc: include_str!("../../rules/POL002.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    // A DINE that cannot act (POL001) closes no gap either.
    let provisioned: Vec<_> = model
        .assignments
        .iter()
        .flat_map(|a| {
            coverage::known_policies(model, a)
                .into_iter()
                .filter(|policy| coverage::inertness(model, a, *policy).is_none())
        })
        .filter_map(KnownPolicy::audit_counterpart)
        .collect();
    model
        .assignments
        .iter()
        .filter_map(|assignment| {
            let audit = coverage::known_policies(model, assignment)
                .into_iter()
                .find_map(|p| match p {
                    KnownPolicy::Audit(audit) => Some(audit),
                    _ => None,
                })?;
            if provisioned.contains(&audit) {
                return None;
            }
            Some(resource_finding(&RULE, Outcome::Violation, assignment.definition.span(), &assignment.resource, format!(
                    "`{}` assigns an audit-only container policy with no active DeployIfNotExists counterpart: gaps are reported, never closed",
                    assignment.resource.address
                )).help("also assign the DeployIfNotExists counterpart (see `aksguard explain POL002`) so new clusters and subscriptions are remediated".to_string()))
        })
        .collect()
}
