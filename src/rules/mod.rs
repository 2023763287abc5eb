//! Rules: plain functions over the model, one file each, with their documentation in
//! `rules/<ID>.md` (embedded, so `explain` and SARIF help come from the same text).

mod aks001;
mod aks002;
mod aks003;

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
        id: "E001",
        name: "parse-error",
        title: "File that looks like IaC does not parse",
        level: Level::Error,
        doc: include_str!("../../rules/E001.md"),
        check: None,
    },
    Rule {
        id: "E003",
        name: "module-not-analysed",
        title: "Module call that aksguard cannot follow",
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
