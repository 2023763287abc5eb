//! A result of the scan: what rule, how severe, what outcome, where, and how to fix it.

use serde::Serialize;

use crate::source::Span;
use crate::value::Related;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The three outcomes of a check (SPEC §2), plus the parser's own errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The setting is wrong or missing.
    Violation,
    /// The value depends on an input that cannot be known statically.
    Unknown,
    /// The cluster lacks the setting but an active provisioning policy in the scan covers it.
    Covered,
    /// The check passes; the result is advice (the legacy Defender shape's migration note). It
    /// never fails a run, whatever `--fail-on` says.
    Pass,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Violation => "violation",
            Outcome::Unknown => "unknown",
            Outcome::Covered => "covered",
            Outcome::Pass => "pass",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub outcome: Outcome,
    /// The attribute that is wrong, or the block that should hold what is missing.
    pub span: Span,
    /// A sentence naming the resource and what is wrong.
    pub message: String,
    /// The resource's address, when the finding is about a resource.
    pub resource: Option<String>,
    /// Places that explain the result: where an input got its value, a module call site.
    pub related: Vec<Related>,
    /// The exact fix, in the dialect of the source.
    pub help: Option<String>,
}

impl Finding {
    /// A result of `rule` at `span`, at the level the rule's declaration gives this outcome
    /// (the configured level is applied later, once, by [`crate::rules::apply_levels`]).
    pub fn new(
        rule: &crate::rules::Rule,
        outcome: Outcome,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.id,
            level: crate::rules::level_for(outcome, rule.level),
            outcome,
            span,
            message: message.into(),
            resource: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// The resource the finding is about (its address).
    pub fn resource(mut self, address: impl Into<String>) -> Finding {
        self.resource = Some(address.into());
        self
    }

    pub fn related(mut self, related: Vec<Related>) -> Finding {
        self.related = related;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// A violation reported below its rule's level (a component that matters less, as SUB002's
    /// registry scanning); configured levels leave it where it is.
    pub fn below_rule_level(mut self, level: Level) -> Finding {
        self.level = level;
        self
    }

    /// The ordering of every report: by file, position, then rule and message, so output never
    /// depends on thread scheduling.
    pub fn sort_key(&self) -> (u32, u32, u32, &'static str, &str) {
        (
            self.span.file.0,
            self.span.start,
            self.span.end,
            self.rule,
            &self.message,
        )
    }
}
