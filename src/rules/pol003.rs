//! POL003: Defender provisioning set only per subscription in a configuration that manages
//! management groups.

use super::{coverage, pricing_plan_is, resource_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{AssignmentScope, Model, Resource};
use crate::source::Span;
use crate::value::Related;

pub const RULE: Rule = Rule {
    id: "POL003",
    name: "subscription-level-provisioning",
    title: "Defender provisioning only per subscription where management groups are managed",
    level: Level::Note,
    doc: include_str!("../../rules/POL003.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let group_scoped: Vec<&Resource> = model
        .management_groups
        .iter()
        .chain(
            model
                .assignments
                .iter()
                .filter(|a| a.scope == AssignmentScope::ManagementGroup)
                .map(|a| &a.resource),
        )
        .collect();
    if group_scoped.is_empty() {
        return Vec::new();
    }
    let provisioning: Vec<(&Resource, Span, AssignmentScope)> = model
        .assignments
        .iter()
        .filter(|a| coverage::provisioning_policy(model, a).is_some())
        .map(|a| (&a.resource, a.resource.header, a.scope))
        .chain(
            model
                .pricings
                .iter()
                .filter(|p| pricing_plan_is(p, "Containers"))
                .map(|p| {
                    (
                        &p.resource,
                        p.resource.header,
                        AssignmentScope::Subscription,
                    )
                }),
        )
        .collect();
    if provisioning.is_empty()
        || provisioning
            .iter()
            .any(|(_, _, scope)| *scope == AssignmentScope::ManagementGroup)
    {
        return Vec::new();
    }
    let (first, span, _) = provisioning[0];
    let related = group_scoped
        .iter()
        .take(3)
        .map(|group| Related {
            span: group.header,
            message: format!("`{}` works at management-group scope", group.address),
        })
        .collect();
    vec![resource_finding(&RULE, Outcome::Violation, span, first, format!(
            "Defender for Containers is provisioned only per subscription (here by `{}`), while this configuration manages management groups: new subscriptions under a group start unprotected",
            first.address
        )).related(related).help("assign `Configure Microsoft Defender for Containers plan` and the cluster DeployIfNotExists policies at the management group".to_string())]
}
