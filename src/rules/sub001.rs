//! SUB001: the Defender for Containers plan at the Free tier.

use super::{pricing_plan_is, pricing_tier_is, resource_finding};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Model, Pricing, Setting, Shape};

const RULE: &str = "SUB001";
const LEVEL: Level = Level::Error;

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    model.pricings.iter().filter_map(check_pricing).collect()
}

fn check_pricing(pricing: &Pricing) -> Option<Finding> {
    let resource = &pricing.resource;
    if let Setting::Unknown { unknown, span, .. } = &pricing.plan {
        // Only a Free (or undecided) tier makes the plan's name matter.
        if pricing_tier_is(pricing, "Standard") {
            return None;
        }
        return Some(resource_finding(
            RULE,
            LEVEL,
            Outcome::Unknown,
            *span,
            resource,
            format!(
                "cannot tell whether `{}` turns the Defender for Containers plan off: {}",
                resource.address, unknown.reason
            ),
            pricing.plan.provenance().to_vec(),
            fix(pricing),
        ));
    }
    if !pricing_plan_is(pricing, "Containers") {
        return None;
    }
    match &pricing.tier {
        Setting::Known { value, span, provenance } if value.eq_ignore_ascii_case("Free") => {
            Some(resource_finding(
                RULE,
                LEVEL,
                Outcome::Violation,
                *span,
                resource,
                format!(
                    "`{}` sets the Defender for Containers plan to the Free tier: no runtime protection, no vulnerability assessment",
                    resource.address
                ),
                provenance.clone(),
                fix(pricing),
            ))
        }
        Setting::Unknown {
            unknown,
            span,
            provenance,
        } => Some(resource_finding(
            RULE,
            LEVEL,
            Outcome::Unknown,
            *span,
            resource,
            format!(
                "cannot tell whether `{}` turns the Defender for Containers plan on: {}",
                resource.address, unknown.reason
            ),
            provenance.clone(),
            fix(pricing),
        )),
        _ => None,
    }
}

fn fix(pricing: &Pricing) -> String {
    match pricing.resource.dialect.shape() {
        Shape::AzurermAttributes => format!(
            "set `tier = \"Standard\"` on `{}`",
            pricing.resource.address
        ),
        Shape::CrossplaneParameters => format!(
            "set `tier: Standard` in `spec.forProvider` of `{}`",
            pricing.resource.address
        ),
        _ => format!(
            "set `properties.pricingTier` to `Standard` on `{}`",
            pricing.resource.address
        ),
    }
}
