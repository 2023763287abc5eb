//! The JSON report, schema version 1 (documented in docs/json-output.md and
//! schema/aksguard-report-v1.schema.json). These types are the contract, not internal types.

use std::io::{self, Write};

use serde::Serialize;

use super::Counts;
use crate::finding::{Level, Outcome};
use crate::source::{SourceMap, Span};
use crate::ScanOutput;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a, R> {
    version: u32,
    tool: Tool,
    results: R,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    rule: &'static str,
    level: Level,
    outcome: Outcome,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
    location: Location<'a>,
    related: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct RelatedLocation<'a> {
    message: &'a str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Summary<'a> {
    files_scanned: usize,
    clusters: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    unknown: usize,
    covered: usize,
    posture: &'a crate::posture::Posture,
}

fn location(sources: &SourceMap, span: Span) -> Location<'_> {
    let start = sources.start(span);
    let end = sources.end(span);
    Location {
        path: sources.display(span),
        start: Position {
            line: start.line,
            column: start.column,
        },
        end: Position {
            line: end.line,
            column: end.column,
        },
    }
}

pub fn render(output: &ScanOutput, out: &mut dyn Write) -> io::Result<()> {
    let sources = &output.sources;
    let counts = Counts::of(&output.findings);
    let report = Report {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "aksguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        // Two levels deep: the report object, then its `results` array.
        results: super::PrettyItems::new(&output.findings, 2, |finding| JsonResult {
            rule: finding.rule,
            level: finding.level,
            outcome: finding.outcome,
            message: &finding.message,
            resource: finding.resource.as_deref(),
            location: location(sources, finding.span),
            related: finding
                .related
                .iter()
                .map(|related| RelatedLocation {
                    message: &related.message,
                    location: location(sources, related.span),
                })
                .collect(),
            help: finding.help.as_deref(),
        }),
        summary: Summary {
            files_scanned: sources.len(),
            clusters: output.posture.clusters,
            errors: counts.errors,
            warnings: counts.warnings,
            notes: counts.notes,
            unknown: counts.unknown,
            covered: counts.covered,
            posture: &output.posture,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    writeln!(out)
}
