//! SUB004: a configuration that creates subscriptions or manages Defender plans, yet enables the
//! Containers plan nowhere.

use super::{coverage, pricing_plan_is, pricing_tier_is, resource_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Model, Setting};

pub const RULE: Rule = Rule {
    id: "SUB004",
    name: "subscription-without-containers-plan",
    title: "Subscriptions created or plans managed, but the Containers plan enabled nowhere",
    level: Level::Warning,
    doc: include_str!("../../rules/SUB004.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let containers_pricings: Vec<_> = model
        .pricings
        .iter()
        .filter(|p| pricing_plan_is(p, "Containers") || matches!(p.plan, Setting::Unknown { .. }))
        .collect();
    // A Standard (or undecided) Containers pricing, or an active plan DINE, enables the plan.
    let enabled_by_pricing = containers_pricings
        .iter()
        .any(|p| pricing_tier_is(p, "Standard") || matches!(p.tier, Setting::Unknown { .. }));
    let enabled_by_policy = coverage::active_covers(model)
        .iter()
        .any(|cover| cover.policy.enables_containers_plan());
    if enabled_by_pricing || enabled_by_policy {
        return Vec::new();
    }
    let help = "add a `Containers` pricing at the Standard tier for each subscription, or assign `Configure Microsoft Defender for Containers plan` (efd4031d-b232-4595-babf-ae817348e91b) at management-group scope".to_string();
    if !model.subscriptions.is_empty() {
        return model
            .subscriptions
            .iter()
            .map(|subscription| {
                resource_finding(&RULE, Outcome::Violation, subscription.header, subscription, format!(
                        "`{}` creates a subscription, and nothing in the scan enables Defender for Containers on it: new subscriptions start without the plan",
                        subscription.address
                    )).help(help.clone())
            })
            .collect();
    }
    // No subscription is created, but Defender plans are managed here: point at the first one.
    model
        .pricings
        .iter()
        .find(|p| !pricing_plan_is(p, "Containers"))
        .map(|pricing| {
            resource_finding(&RULE, Outcome::Violation, pricing.resource.header, &pricing.resource, format!(
                    "this configuration manages Defender for Cloud plans (`{}`) but never enables the `Containers` plan",
                    pricing.resource.address
                )).help(help)
        })
        .into_iter()
        .collect()
}
