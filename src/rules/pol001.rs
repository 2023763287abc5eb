//! POL001: a provisioning policy is assigned but cannot act.

use super::coverage::{self, Inertness};
use super::resource_finding;
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Model, Notation, PolicyAssignment};

const RULE: &str = "POL001";
const LEVEL: Level = Level::Error;

pub fn check(model: &Model, _config: &Config) -> Vec<Finding> {
    model
        .assignments
        .iter()
        .filter_map(|assignment| {
            let policy = coverage::provisioning_policy(model, assignment)?;
            let resource = &assignment.resource;
            let finding = match coverage::inertness(assignment, policy)? {
                Inertness::Inert(reason, span) => resource_finding(
                    RULE,
                    LEVEL,
                    Outcome::Violation,
                    span,
                    resource,
                    format!(
                        "`{}` assigns {} but cannot provision anything: {reason}",
                        resource.address,
                        policy.describe()
                    ),
                    Vec::new(),
                    fix(assignment),
                ),
                Inertness::Unknown(unknown, span) => resource_finding(
                    RULE,
                    LEVEL,
                    Outcome::Unknown,
                    span,
                    resource,
                    format!(
                        "cannot tell whether `{}` ({}) can provision: {}",
                        resource.address,
                        policy.describe(),
                        unknown.reason
                    ),
                    Vec::new(),
                    fix(assignment),
                ),
            };
            Some(finding)
        })
        .collect()
}

fn fix(assignment: &PolicyAssignment) -> String {
    match assignment.resource.dialect.notation() {
        Notation::Hcl => "keep `enforce` at its default (true), set effect parameters to `DeployIfNotExists` (ALZ: `enableAscForContainers = \"DeployIfNotExists\"`), and add `identity { type = \"SystemAssigned\" }` with a `location`".to_string(),
        Notation::Yaml if assignment.resource.dialect.shape() == crate::model::Shape::CrossplaneParameters => "in `spec.forProvider`, keep `enforce` at its default (true), set effect parameters to `DeployIfNotExists` in `parameters`, and add `identity: {type: SystemAssigned}` with a `location`".to_string(),
        _ => "keep `enforcementMode` at `Default`, set effect parameters to `DeployIfNotExists` (ALZ: `enableAscForContainers`), and give the assignment an `identity` of type `SystemAssigned`".to_string(),
    }
}
