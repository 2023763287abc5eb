//! Report: render the sorted findings in one of the output formats.

mod compact;
pub mod fingerprint;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

use std::io;

use codespan_reporting::term::termcolor::WriteColor;
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::finding::{Finding, Level, Outcome};
use crate::ScanOutput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source snippets
    Human,
    /// one line per result: path:line:col: level[ID] message
    Compact,
    /// versioned JSON document (see docs/json-output.md)
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and editors
    Sarif,
    /// GitHub Actions workflow commands (::error file=...), shown as annotations
    Github,
    /// JUnit XML, one test suite per rule, for CI systems that read test reports
    Junit,
}

/// Report settings that only some formats use.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// SARIF `automationDetails.id` (`--category`).
    pub category: Option<String>,
    /// SARIF: include suppressed results with their `suppressions`.
    pub include_suppressed: bool,
}

/// Counts for the summary line, by level and by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub unknown: usize,
    pub covered: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut counts = Counts::default();
        for finding in findings {
            match finding.level {
                Level::Error => counts.errors += 1,
                Level::Warning => counts.warnings += 1,
                Level::Note => counts.notes += 1,
            }
            match finding.outcome {
                Outcome::Unknown => counts.unknown += 1,
                Outcome::Covered => counts.covered += 1,
                Outcome::Violation | Outcome::Pass => {}
            }
        }
        counts
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One line: what was scanned and what was found.
pub fn summary_line(output: &ScanOutput) -> String {
    let counts = Counts::of(&output.findings);
    let mut line = format!(
        "aksguard: {}, {}, {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note"),
    );
    if counts.unknown > 0 || counts.covered > 0 {
        line.push_str(&format!(
            " ({} unknown, {} covered by policy)",
            counts.unknown, counts.covered
        ));
    }
    if !output.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", output.suppressed.len()));
    }
    line.push_str(&format!(
        " in {} scanned; {} found",
        plural(output.sources.len(), "file"),
        plural(output.posture.clusters, "cluster"),
    ));
    line
}

/// Render the report in `format`. The human format ends with the summary line; the others are
/// documents and leave the summary to the caller (stderr).
pub fn render(format: Format, output: &ScanOutput, out: &mut dyn WriteColor) -> io::Result<()> {
    render_with(format, output, &ReportOptions::default(), out)
}

/// [`render`] with the settings of [`ReportOptions`].
pub fn render_with(
    format: Format,
    output: &ScanOutput,
    options: &ReportOptions,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    match format {
        Format::Human => {
            human::render(output, out)?;
            write!(out, "{}", crate::posture::render_text(&output.posture))?;
            writeln!(out, "{}", summary_line(output))
        }
        Format::Compact => compact::render(output, out),
        Format::Json => json::render(output, out),
        Format::Sarif => sarif::render(output, options, out),
        Format::Github => github::render(output, out),
        Format::Junit => junit::render(output, out),
    }
}

/// The items of a JSON array, pretty-printed on every core as `serde_json::to_writer_pretty`
/// prints them when the array sits `depth` arrays and objects deep: a large report's results are
/// most of its rendering, and printing them one after another kept one core busy. They are
/// printed a chunk at a time and written in order, so the bytes are the same whatever the thread
/// count and only one chunk is held beside the output.
pub(crate) struct PrettyItems<'a, T, F> {
    items: &'a [T],
    indent: String,
    to_json: F,
}

/// Results rendered together on every core before they are written: enough to keep the cores
/// busy, few enough that only a chunk is held beside the output.
const CHUNK: usize = 512;

impl<'a, T, J, F> PrettyItems<'a, T, F>
where
    T: Sync,
    J: Serialize,
    F: Fn(&'a T) -> J + Sync,
{
    pub(crate) fn new(items: &'a [T], depth: usize, to_json: F) -> Self {
        PrettyItems {
            items,
            indent: format!("\n{}", "  ".repeat(depth)),
            to_json,
        }
    }

    fn print(&self, chunk: &'a [T]) -> serde_json::Result<Vec<Box<RawValue>>> {
        chunk
            .par_iter()
            .map(|item| {
                let text = serde_json::to_string_pretty(&(self.to_json)(item))?;
                // A JSON string never holds a raw line break, so every one is between tokens.
                RawValue::from_string(text.replace('\n', &self.indent))
            })
            .collect()
    }
}

impl<'a, T, J, F> Serialize for PrettyItems<'a, T, F>
where
    T: Sync,
    J: Serialize,
    F: Fn(&'a T) -> J + Sync,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for chunk in self.items.chunks(CHUNK) {
            for item in self.print(chunk).map_err(S::Error::custom)? {
                seq.serialize_element(&item)?;
            }
        }
        seq.end()
    }
}
