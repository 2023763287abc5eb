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
pub mod tool;

use std::collections::HashMap;

use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Cluster, Model, Setting};
use crate::source::Span;
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

/// Every rule, in the order `aksguard rules` lists them. Each is declared once, in its own file.
pub const RULES: &[&Rule] = &[
    &aks001::RULE,
    &aks002::RULE,
    &aks003::RULE,
    &aks004::RULE,
    &arc::DEFENDER_RULE,
    &arc::POLICY_RULE,
    &sub001::RULE,
    &sub002::RULE,
    &sub003::RULE,
    &sub004::RULE,
    &pol001::RULE,
    &pol002::RULE,
    &pol003::RULE,
    &tool::PARSE_ERROR,
    &tool::SUPPRESSION_PROBLEM,
    &tool::NOT_ANALYSED,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.id.eq_ignore_ascii_case(id))
}

/// Run every checking rule the configuration leaves on over the model. Levels are the rules'
/// own; [`apply_levels`] applies the configured ones to these and every other finding. A rule
/// that panics (a bug) loses its own results only; the panic is returned as an internal error.
pub fn run(model: &Model, config: &Config) -> (Vec<Finding>, Vec<String>) {
    use rayon::prelude::*;
    // Rules are independent: run in parallel, joined in catalogue order.
    let results: Vec<(&Rule, Result<Vec<Finding>, String>)> = RULES
        .par_iter()
        // One rule per task: a few rules over every cluster are most of the work, and rayon
        // would otherwise run neighbours in the catalogue as one task on one core.
        .with_max_len(1)
        .filter(|rule| config.rule_levels.get(rule.id) != Some(&RuleLevel::Off))
        .filter_map(|rule| Some((*rule, rule.check?)))
        .map(|(rule, check)| (rule, crate::frontend::guarded(|| check(model, config))))
        .collect();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for (rule, result) in results {
        match result {
            Ok(found) => findings.extend(found),
            Err(panic) => errors.push(format!(
                "internal error in rule {}: {panic} (please report it; its results are missing)",
                rule.id
            )),
        }
    }
    // A finding at a block that lacks a setting names what left the block out (a Helm `if`).
    let mut reasons: HashMap<Span, Vec<&Related>> = HashMap::new();
    for reason in &model.absent_reasons {
        reasons
            .entry(reason.holder)
            .or_default()
            .push(&reason.related);
    }
    for finding in &mut findings {
        for &related in reasons.get(&finding.span).into_iter().flatten() {
            if !finding.related.contains(related) {
                finding.related.push(related.clone());
            }
        }
    }
    (findings, errors)
}

/// The one step that applies configured levels, after everything that produces findings: drops
/// the findings of rules turned off, and gives the rest their configured level. With `strict`,
/// unknown results take their rule's level, so they fail like violations.
pub fn apply_levels(findings: Vec<Finding>, config: &Config, strict: bool) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut finding| {
            let Some(rule) = find(finding.rule) else {
                return Some(finding);
            };
            let rule_level = match config.rule_levels.get(rule.id) {
                Some(RuleLevel::Off) => return None,
                Some(RuleLevel::Level(level)) => *level,
                None => rule.level,
            };
            // Violations declared below the rule's level (a lesser component) keep their level.
            if finding.outcome == Outcome::Violation && finding.level < rule.level {
                return Some(finding);
            }
            finding.level = match finding.outcome {
                Outcome::Unknown if strict => rule_level,
                outcome => level_for(outcome, rule_level),
            };
            Some(finding)
        })
        .collect()
}

/// The level a result is reported at: violations at the rule's level, unknowns at warning
/// (note for note rules), covered results at note.
pub fn level_for(outcome: Outcome, rule_level: Level) -> Level {
    match outcome {
        Outcome::Violation => rule_level,
        Outcome::Unknown => rule_level.min(Level::Warning),
        Outcome::Covered | Outcome::Pass => Level::Note,
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
    rule: &Rule,
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
    )
    .help(help)
}

/// The finding for a cluster that lacks a setting another resource in the scan provides
/// (`by`, explained by `because`).
fn covered_by<T>(
    rule: &Rule,
    cluster: &Cluster,
    setting: &Setting<T>,
    because: Related,
    by: &str,
    what: &str,
) -> Finding {
    let mut related = related(cluster, setting);
    related.insert(0, because);
    Finding::new(
        rule,
        Outcome::Covered,
        setting.span(),
        format!("`{}` {what}, but `{by}` provisions it", cluster.address),
    )
    .resource(&cluster.address)
    .related(related)
}

/// What else in the scan could provide a protection a cluster does not declare itself.
struct Providers<'a, 'm> {
    patch: Option<&'m crate::model::ClusterPatch>,
    cover: Option<&'a coverage::Cover<'m>>,
}

/// The covered finding for a cluster that does not itself declare a protection (`declared` is
/// false) when a patch or an active policy assignment in the scan provides it; a patch on the
/// cluster itself is the nearer explanation, so it comes first.
fn provided_elsewhere<T>(
    rule: &Rule,
    cluster: &Cluster,
    setting: &Setting<T>,
    declared: bool,
    providers: Providers,
    what: &str,
    help: impl Fn() -> String,
) -> Option<Finding> {
    if declared {
        return None;
    }
    match (providers.patch, providers.cover) {
        (Some(patch), _) => Some(patched_finding(rule, cluster, setting, patch, what).help(help())),
        (None, Some(cover)) => Some(covered_finding(rule, cluster, setting, cover, what, help())),
        (None, None) => None,
    }
}

/// The covered finding for a cluster that an `azapi_update_resource` patches.
fn patched_finding<T>(
    rule: &Rule,
    cluster: &Cluster,
    setting: &Setting<T>,
    patch: &crate::model::ClusterPatch,
    what: &str,
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
    )
}

/// The finding for a setting that cannot be known statically.
fn unknown_finding<T>(
    rule: &Rule,
    cluster: &Cluster,
    setting: &Setting<T>,
    unknown: &Unknown,
    what: &str,
    help: String,
) -> Finding {
    Finding::new(
        rule,
        Outcome::Unknown,
        setting.span(),
        format!(
            "cannot tell whether `{}` {what}: {}",
            cluster.address, unknown.reason
        ),
    )
    .resource(&cluster.address)
    .related(related(cluster, setting))
    .help(help)
}

/// A finding about a non-cluster resource (a pricing, an assignment, a subscription).
fn resource_finding(
    rule: &Rule,
    outcome: Outcome,
    span: crate::source::Span,
    resource: &crate::model::Resource,
    message: String,
) -> Finding {
    Finding::new(rule, outcome, span, message).resource(&resource.address)
}

/// Whether a pricing is for `plan` (case-insensitive), as far as it is known.
fn pricing_plan_is(pricing: &crate::model::Pricing, plan: &str) -> bool {
    matches!(&pricing.plan, Setting::Known { value, .. } if value.eq_ignore_ascii_case(plan))
}

/// Whether a pricing's tier is `tier` (case-insensitive), as far as it is known.
fn pricing_tier_is(pricing: &crate::model::Pricing, tier: &str) -> bool {
    matches!(&pricing.tier, Setting::Known { value, .. } if value.eq_ignore_ascii_case(tier))
}
