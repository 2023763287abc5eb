//! SUB002: the Containers plan is Standard but one of its components is not provisioned.

use super::{pricing_plan_is, pricing_tier_is, resource_finding};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Model, Pricing, PricingExtension, PricingExtensions, Setting, Shape};

const RULE: &str = "SUB002";

/// The plan's components and the level at which a missing one is reported: without the sensor
/// there is no runtime protection at all; the other two narrow what Defender sees.
const COMPONENTS: &[(&str, Level, &str)] = &[
    (
        "ContainerSensor",
        Level::Error,
        "runtime threat detection on the nodes",
    ),
    (
        "AgentlessDiscoveryForKubernetes",
        Level::Warning,
        "agentless discovery of the clusters and their attack paths",
    ),
    (
        "ContainerRegistriesVulnerabilityAssessments",
        Level::Warning,
        "vulnerability assessment of container images",
    ),
];

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    model
        .pricings
        .iter()
        .filter(|p| pricing_plan_is(p, "Containers") && pricing_tier_is(p, "Standard"))
        .flat_map(check_pricing)
        .collect()
}

fn find<'a>(extensions: &'a [PricingExtension], name: &str) -> Option<&'a PricingExtension> {
    extensions
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
}

fn check_pricing(pricing: &Pricing) -> Vec<Finding> {
    let resource = &pricing.resource;
    let mut findings = Vec::new();
    match &pricing.extensions {
        PricingExtensions::Omitted => {}
        PricingExtensions::Unknown { unknown, span } => findings.push(resource_finding(
            RULE,
            Level::Error,
            Outcome::Unknown,
            *span,
            resource,
            format!(
                "cannot tell which Defender for Containers components `{}` provisions: {}",
                resource.address, unknown.reason
            ),
            Vec::new(),
            fix(pricing, "ContainerSensor"),
        )),
        PricingExtensions::Exhaustive(extensions) => {
            for (name, level, what) in COMPONENTS {
                if find(extensions, name).is_none() {
                    findings.push(resource_finding(
                        RULE,
                        *level,
                        Outcome::Violation,
                        resource.header,
                        resource,
                        format!(
                            "`{}` does not list the `{name}` extension, and the azurerm provider disables every extension not listed: no {what}",
                            resource.address
                        ),
                        Vec::new(),
                        fix(pricing, name),
                    ));
                }
            }
        }
        PricingExtensions::Listed(extensions) => {
            for (name, level, what) in COMPONENTS {
                let Some(extension) = find(extensions, name) else {
                    continue;
                };
                match &extension.enabled {
                    Setting::Known {
                        value: false,
                        span,
                        provenance,
                    } => findings.push(resource_finding(
                        RULE,
                        *level,
                        Outcome::Violation,
                        *span,
                        resource,
                        format!(
                            "`{}` turns the `{name}` extension off: no {what}",
                            resource.address
                        ),
                        provenance.clone(),
                        fix(pricing, name),
                    )),
                    Setting::Unknown {
                        unknown,
                        span,
                        provenance,
                    } => findings.push(resource_finding(
                        RULE,
                        *level,
                        Outcome::Unknown,
                        *span,
                        resource,
                        format!(
                            "cannot tell whether `{}` enables the `{name}` extension: {}",
                            resource.address, unknown.reason
                        ),
                        provenance.clone(),
                        fix(pricing, name),
                    )),
                    _ => {}
                }
            }
        }
    }
    findings
}

fn fix(pricing: &Pricing, name: &str) -> String {
    match pricing.resource.dialect.shape() {
        Shape::AzurermAttributes => format!(
            "add `extension {{ name = \"{name}\" }}` to `{}`",
            pricing.resource.address
        ),
        Shape::CrossplaneParameters => format!(
            "add `{{name: {name}}}` to `spec.forProvider.extension` of `{}`",
            pricing.resource.address
        ),
        _ => format!(
            "set `isEnabled` to `True` for the `{name}` extension of `{}` (or omit `extensions` to keep the defaults)",
            pricing.resource.address
        ),
    }
}
