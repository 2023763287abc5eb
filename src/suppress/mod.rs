//! Suppressions: inline `aksguard:ignore` comments and the config file's `[[ignore]]` entries,
//! and the E002 results about suppressions that are malformed, expired or unused (SPEC §4).
//!
//! Inline form, in HCL (`#`, `//`), JSON-with-comments (`//`) and YAML (`#`) comments:
//!
//! ```text
//! # aksguard:ignore AKS001,AKS002 until=2026-06-30 -- reason
//! ```
//!
//! A comment on a line of its own applies to the next line that is not blank or a comment, and
//! to the block that line opens (a `resource` block, a JSON object, a YAML mapping); a comment
//! after code applies to its own line and the block it opens. A finding is suppressed when its
//! primary location starts within that range.
//!
//! `inline` reads the comments and `ignores` the config entries; [`apply`] matches findings
//! against both and reports what is wrong with either (E002).

mod ignores;
mod inline;

pub use ignores::path_matches;
pub use inline::{comments, Comment};

use crate::config::{Config, RuleLevel};
use crate::date::Date;
use crate::finding::{Finding, Outcome};
use crate::rules::tool::{PARSE_ERROR, SUPPRESSION_PROBLEM};
use crate::source::{SourceMap, Span};

pub const RULE: &str = SUPPRESSION_PROBLEM.id;

/// How a finding was suppressed (SARIF `suppressions[].kind`: inline → `inSource`, config →
/// `external`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    Inline { reason: String },
    Config { reason: String },
}

impl SuppressedBy {
    pub fn reason(&self) -> &str {
        match self {
            SuppressedBy::Inline { reason } | SuppressedBy::Config { reason } => reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
}

/// The findings split into those reported and those suppressed, with E002 results added to the
/// reported ones.
#[derive(Debug, Default)]
pub struct Applied {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// The E002 results found along the way, and which rules are turned off (a suppression of a rule
/// that is off suppresses nothing, and that is not a problem).
pub struct Problems<'c> {
    config: &'c Config,
    found: Vec<Finding>,
}

impl Problems<'_> {
    fn add(&mut self, span: Span, message: String, help: &str) {
        self.found
            .push(Finding::new(&SUPPRESSION_PROBLEM, Outcome::Violation, span, message).help(help));
    }

    fn rule_off(&self, id: &str) -> bool {
        self.config.rule_levels.get(id) == Some(&RuleLevel::Off)
    }
}

/// Apply inline comments and config ignores to `findings`, and add the E002 results. With
/// `no_ignore`, nothing is suppressed (an audit) but malformed and expired comments are still
/// reported. The config file joins `sources` when an E002 result points into it.
pub fn apply(
    findings: Vec<Finding>,
    sources: &mut SourceMap,
    config: &Config,
    today: Date,
    no_ignore: bool,
) -> Applied {
    let mut problems = Problems {
        config,
        found: Vec::new(),
    };
    let mut inline = inline::in_force(sources, today, &mut problems);
    let mut ignores = ignores::Ignores::new(config, today);
    let mut applied = Applied::default();
    sources.index_lines(findings.iter().map(|finding| finding.span.file));
    for finding in findings {
        let by = if no_ignore || finding.rule == PARSE_ERROR.id {
            None
        } else {
            suppressed_by(&finding, sources, &mut inline, &mut ignores)
        };
        match by {
            Some(by) => applied.suppressed.push(Suppressed { finding, by }),
            None => applied.findings.push(finding),
        }
    }
    if !no_ignore {
        let unused: Vec<_> = inline
            .iter()
            .filter(|s| !s.used && !problems.rule_off(s.rule))
            .map(|s| (s.span, s.rule))
            .collect();
        for (span, rule) in unused {
            problems.add(
                span,
                format!("suppression of {rule} suppressed nothing"),
                "remove it: the finding it was for is gone (or it is not on the line above the resource)",
            );
        }
    }
    ignores.report_problems(config, sources, today, no_ignore, &mut problems);
    applied
        .findings
        .extend(crate::rules::apply_levels(problems.found, config, false));
    applied
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    applied.findings.dedup();
    applied
}

/// What suppresses `finding`: an inline comment over its line (the nearer, so it wins) or a
/// config entry. Every suppression that matches is marked used.
fn suppressed_by(
    finding: &Finding,
    sources: &SourceMap,
    inline: &mut [inline::Active],
    ignores: &mut ignores::Ignores,
) -> Option<SuppressedBy> {
    let source = sources.get(finding.span.file);
    let line = source.line_index(finding.span.start as usize);
    let mut by = None;
    for suppression in inline.iter_mut().filter(|s| {
        s.file == finding.span.file && s.rule == finding.rule && s.lines.contains(&line)
    }) {
        suppression.used = true;
        by.get_or_insert_with(|| SuppressedBy::Inline {
            reason: suppression.reason.clone(),
        });
    }
    let config_reason = ignores.suppressing(finding, source);
    by.or_else(|| config_reason.map(|reason| SuppressedBy::Config { reason }))
}
