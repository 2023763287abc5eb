//! Rules: plain functions over the model, one file each, with their documentation in
//! `rules/<ID>.md` (embedded, so `explain` and SARIF help come from the same text).

pub mod aks001;
pub mod aks002;
pub mod aks003;
mod aks004;
mod arc;
pub mod coverage;
mod pol001;
mod pol002;
mod pol003;
mod sub001;
mod sub002;
mod sub003;
mod sub004;

use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Cluster, Model, Setting};
use crate::value::{Related, Unknown};

pub type Check = fn(&Model, &Config) -> Vec<Finding>;

/// A rule of the catalogue.
pub struct Rule {
    pub id: &'static str,
    /// Short kebab-case name (SARIF `name`).
    pub name: &'static str,
    /// One line: what a finding means.
    pub title: &'static str,
    pub level: Level,
    /// The rule's documentation, Markdown.
    pub doc: &'static str,
    /// `None` for results produced by the tool itself (E001 comes from the parsers).
    pub check: Option<Check>,
}

impl Rule {
    /// The first paragraph after the title of the documentation.
    pub fn description(&self) -> String {
        self.doc
            .split("\n\n")
            .map(str::trim)
            .find(|p| !p.is_empty() && !p.starts_with('#'))
            .unwrap_or(self.title)
            .replace('\n', " ")
    }
}

/// Every rule, in the order `aksguard rules` lists them.
pub const RULES: &[Rule] = &[
    Rule {
        id: "AKS001",
        name: "aks-defender-sensor",
        title: "AKS cluster without the Microsoft Defender for Containers sensor",
        level: Level::Error,
        doc: include_str!("../../rules/AKS001.md"),
        check: Some(aks001::check),
    },
    Rule {
        id: "AKS002",
        name: "aks-azure-policy-addon",
        title: "AKS cluster without the Azure Policy add-on",
        level: Level::Error,
        doc: include_str!("../../rules/AKS002.md"),
        check: Some(aks002::check),
    },
    Rule {
        id: "AKS003",
        name: "cluster-ownership-tags",
        title: "Cluster without ownership tags",
        level: Level::Warning,
        doc: include_str!("../../rules/AKS003.md"),
        check: Some(aks003::check),
    },
    Rule {
        id: "AKS004",
        name: "terraform-undoes-provisioning",
        title: "Terraform will undo what a DeployIfNotExists policy provisions",
        level: Level::Warning,
        doc: include_str!("../../rules/AKS004.md"),
        check: Some(aks004::check),
    },
    Rule {
        id: "ARC001",
        name: "arc-defender-extension",
        title: "Arc-enabled cluster without the Defender for Containers extension",
        level: Level::Error,
        doc: include_str!("../../rules/ARC001.md"),
        check: Some(arc::check_defender),
    },
    Rule {
        id: "ARC002",
        name: "arc-azure-policy-extension",
        title: "Arc-enabled cluster without the Azure Policy extension",
        level: Level::Error,
        doc: include_str!("../../rules/ARC002.md"),
        check: Some(arc::check_policy),
    },
    Rule {
        id: "SUB001",
        name: "containers-plan-free",
        title: "Defender for Containers plan at the Free tier",
        level: Level::Error,
        doc: include_str!("../../rules/SUB001.md"),
        check: Some(sub001::check),
    },
    Rule {
        id: "SUB002",
        name: "containers-plan-components",
        title: "Defender for Containers plan without all its components",
        level: Level::Error,
        doc: include_str!("../../rules/SUB002.md"),
        check: Some(sub002::check),
    },
    Rule {
        id: "SUB003",
        name: "legacy-container-protection",
        title: "Retired plan, deprecated policy or legacy auto-provisioning used for containers",
        level: Level::Warning,
        doc: include_str!("../../rules/SUB003.md"),
        check: Some(sub003::check),
    },
    Rule {
        id: "SUB004",
        name: "subscription-without-containers-plan",
        title: "Subscriptions created or plans managed, but the Containers plan enabled nowhere",
        level: Level::Warning,
        doc: include_str!("../../rules/SUB004.md"),
        check: Some(sub004::check),
    },
    Rule {
        id: "POL001",
        name: "provisioning-policy-inert",
        title: "Provisioning policy assigned but unable to act",
        level: Level::Error,
        doc: include_str!("../../rules/POL001.md"),
        check: Some(pol001::check),
    },
    Rule {
        id: "POL002",
        name: "audit-without-provisioning",
        title: "Audit-only container policy without a DeployIfNotExists counterpart",
        level: Level::Note,
        doc: include_str!("../../rules/POL002.md"),
        check: Some(pol002::check),
    },
    Rule {
        id: "POL003",
        name: "subscription-level-provisioning",
        title: "Defender provisioning only per subscription where management groups are managed",
        level: Level::Note,
        doc: include_str!("../../rules/POL003.md"),
        check: Some(pol003::check),
    },
    Rule {
        id: "E001",
        name: "parse-error",
        title: "File that looks like IaC does not parse",
        level: Level::Error,
        doc: include_str!("../../rules/E001.md"),
        check: None,
    },
    Rule {
        id: "E002",
        name: "suppression-problem",
        title: "Suppression without a reason, for an unknown rule, expired, or unused",
        level: Level::Warning,
        doc: include_str!("../../rules/E002.md"),
        check: None,
    },
    Rule {
        id: "E003",
        name: "not-analysed",
        title: "Module or deployment aksguard could not follow",
        level: Level::Note,
        doc: include_str!("../../rules/E003.md"),
        check: None,
    },
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id.eq_ignore_ascii_case(id))
}

/// Run every enabled rule over the model, with the levels the configuration sets. With `strict`,
/// unknown results take their rule's level, so they fail like violations.
pub fn run(model: &Model, config: &Config, strict: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        let Some(check) = rule.check else { continue };
        let configured = config.rule_levels.get(rule.id).copied();
        if configured == Some(RuleLevel::Off) {
            continue;
        }
        let rule_level = match configured {
            Some(RuleLevel::Level(level)) => level,
            _ => rule.level,
        };
        let mut produced = check(model, config);
        for finding in &mut produced {
            // Results below the rule's level (a migration note) keep their own level.
            if finding.outcome == Outcome::Violation && finding.level < rule.level {
                continue;
            }
            finding.level = match finding.outcome {
                Outcome::Unknown if strict => rule_level,
                outcome => level_for(outcome, rule_level),
            };
        }
        findings.extend(produced);
    }
    // A finding at a block that lacks a setting names what left the block out.
    for finding in &mut findings {
        for reason in model
            .absent_reasons
            .iter()
            .filter(|r| r.holder == finding.span)
        {
            if !finding.related.contains(&reason.related) {
                finding.related.push(reason.related.clone());
            }
        }
    }
    findings
}

/// The level a result is reported at: violations at the rule's level, unknowns at warning
/// (note for note rules), covered results at note.
pub fn level_for(outcome: Outcome, rule_level: Level) -> Level {
    match outcome {
        Outcome::Violation => rule_level,
        Outcome::Unknown => rule_level.min(Level::Warning),
        Outcome::Covered => Level::Note,
    }
}

/// Related locations for a finding about `cluster`: where inputs decided the setting, then the
/// places that name the instance (module call sites).
fn related<T>(cluster: &Cluster, setting: &Setting<T>) -> Vec<Related> {
    setting
        .provenance()
        .iter()
        .chain(&cluster.context)
        .cloned()
        .collect()
}

/// The finding for a cluster that lacks a setting an active policy assignment provides.
fn covered_finding<T>(
    rule: &'static str,
    cluster: &Cluster,
    setting: &Setting<T>,
    cover: &coverage::Cover,
    what: &str,
    help: String,
) -> Finding {
    covered_by(
        rule,
        cluster,
        setting,
        cover.related(),
        &cover.assignment.resource.address,
        what,
        help,
    )
}

/// The finding for a cluster that lacks a setting another resource in the scan provides
/// (`by`, explained by `because`).
fn covered_by<T>(
    rule: &'static str,
    cluster: &Cluster,
    setting: &Setting<T>,
    because: Related,
    by: &str,
    what: &str,
    help: String,
) -> Finding {
    let mut related = related(cluster, setting);
    related.insert(0, because);
    Finding {
        rule,
        level: Level::Note,
        outcome: Outcome::Covered,
        span: setting.span(),
        message: format!("`{}` {what}, but `{by}` provisions it", cluster.address),
        resource: Some(cluster.address.clone()),
        related,
        help: Some(help),
    }
}

/// The covered finding for a cluster that does not itself declare a protection (`declared` is
/// false) when a patch or an active policy assignment in the scan provides it; a patch on the
/// cluster itself is the nearer explanation, so it comes first.
#[allow(clippy::too_many_arguments)]
fn provided_elsewhere<T>(
    rule: &'static str,
    cluster: &Cluster,
    setting: &Setting<T>,
    declared: bool,
    patch: Option<&crate::model::ClusterPatch>,
    cover: Option<&coverage::Cover>,
    what: &str,
    help: impl Fn() -> String,
) -> Option<Finding> {
    if declared {
        return None;
    }
    match (patch, cover) {
        (Some(patch), _) => Some(patched_finding(rule, cluster, setting, patch, what, help())),
        (None, Some(cover)) => Some(covered_finding(rule, cluster, setting, cover, what, help())),
        (None, None) => None,
    }
}

/// The covered finding for a cluster that an `azapi_update_resource` patches.
fn patched_finding<T>(
    rule: &'static str,
    cluster: &Cluster,
    setting: &Setting<T>,
    patch: &crate::model::ClusterPatch,
    what: &str,
    help: String,
) -> Finding {
    covered_by(
        rule,
        cluster,
        setting,
        Related {
            span: patch.resource.header,
            message: format!(
                "`{}` patches `{}` after it is created",
                patch.resource.address, cluster.address
            ),
        },
        &patch.resource.address,
        what,
        help,
    )
}

/// The finding for a setting that cannot be known statically.
fn unknown_finding<T>(
    rule: &'static str,
    rule_level: Level,
    cluster: &Cluster,
    setting: &Setting<T>,
    unknown: &Unknown,
    what: &str,
    help: String,
) -> Finding {
    Finding {
        rule,
        level: level_for(Outcome::Unknown, rule_level),
        outcome: Outcome::Unknown,
        span: setting.span(),
        message: format!(
            "cannot tell whether `{}` {what}: {}",
            cluster.address, unknown.reason
        ),
        resource: Some(cluster.address.clone()),
        related: related(cluster, setting),
        help: Some(help),
    }
}

/// A finding about a non-cluster resource (a pricing, an assignment, a subscription).
#[allow(clippy::too_many_arguments)]
fn resource_finding(
    rule: &'static str,
    level: Level,
    outcome: Outcome,
    span: crate::source::Span,
    resource: &crate::model::Resource,
    message: String,
    related: Vec<Related>,
    help: String,
) -> Finding {
    Finding {
        rule,
        level: level_for(outcome, level),
        outcome,
        span,
        message,
        resource: Some(resource.address.clone()),
        related,
        help: Some(help),
    }
}

/// Whether a pricing is for `plan` (case-insensitive), as far as it is known.
fn pricing_plan_is(pricing: &crate::model::Pricing, plan: &str) -> bool {
    matches!(&pricing.plan, Setting::Known { value, .. } if value.eq_ignore_ascii_case(plan))
}

/// Whether a pricing's tier is `tier` (case-insensitive), as far as it is known.
fn pricing_tier_is(pricing: &crate::model::Pricing, tier: &str) -> bool {
    matches!(&pricing.tier, Setting::Known { value, .. } if value.eq_ignore_ascii_case(tier))
}
