//! SUB003: retired plans, deprecated policies or the legacy auto-provisioning setting used as
//! container protection.

use super::{coverage, pricing_plan_is, resource_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::Model;
use crate::policy::KnownPolicy;

pub const RULE: Rule = Rule {
    id: "SUB003",
    name: "legacy-container-protection",
    title: "Retired plan, deprecated policy or legacy auto-provisioning used for containers",
    level: Level::Warning,
    doc: include_str!("../../rules/SUB003.md"),
    check: Some(check),
};

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for pricing in &model.pricings {
        for legacy in ["KubernetesService", "ContainerRegistry"] {
            if pricing_plan_is(pricing, legacy) {
                findings.push(resource_finding(&RULE, Outcome::Violation, pricing.plan.span(), &pricing.resource, format!(
                        "`{}` configures the retired `{legacy}` plan; container protection is the `Containers` plan now",
                        pricing.resource.address
                    )).help("replace it with a pricing for the `Containers` plan at the Standard tier".to_string()));
            }
        }
    }
    for setting in &model.legacy_auto_provisioning {
        findings.push(resource_finding(&RULE, Outcome::Violation, setting.header, setting, format!(
                "`{}` controls the retired Log Analytics VM agent, not container protection",
                setting.address
            )).help("remove it and provision the `Containers` plan's components (its `extension`s or the DeployIfNotExists policies) instead".to_string()));
    }
    for assignment in &model.assignments {
        if coverage::known_policies(model, assignment).contains(&KnownPolicy::Deprecated) {
            findings.push(resource_finding(&RULE, Outcome::Violation, assignment.definition.span(), &assignment.resource, format!(
                    "`{}` assigns a deprecated container protection policy",
                    assignment.resource.address
                )).help("assign `Configure Microsoft Defender for Containers plan` (efd4031d-b232-4595-babf-ae817348e91b) instead".to_string()));
        }
    }
    findings
}
