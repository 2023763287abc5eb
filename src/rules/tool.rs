//! E001–E003: results the tool itself produces (files it could not parse, suppressions that are
//! wrong, modules and deployments it could not follow). They have no check over the model; the
//! front ends and the suppression step build them from these declarations.

use super::Rule;
use crate::finding::Level;

pub const PARSE_ERROR: Rule = Rule {
    id: "E001",
    name: "parse-error",
    title: "File that looks like IaC does not parse",
    level: Level::Error,
    doc: include_str!("../../rules/E001.md"),
    check: None,
};

pub const SUPPRESSION_PROBLEM: Rule = Rule {
    id: "E002",
    name: "suppression-problem",
    title: "Suppression without a reason, for an unknown rule, expired, or unused",
    level: Level::Warning,
    doc: include_str!("../../rules/E002.md"),
    check: None,
};

pub const NOT_ANALYSED: Rule = Rule {
    id: "E003",
    name: "not-analysed",
    title: "Module or deployment aksguard could not follow",
    level: Level::Note,
    doc: include_str!("../../rules/E003.md"),
    check: None,
};
