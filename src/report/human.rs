//! rustc-style diagnostics through codespan-reporting.
//!
//! The renderer reads lines through [`SourceMap`]'s line index (built for a file when first
//! quoted), so a diagnostic costs only the lines it shows, however large the file.

use std::io;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use rayon::prelude::*;

use crate::finding::{Finding, Level, Outcome};
use crate::source::{FileId, SourceMap};
use crate::ScanOutput;

struct SourceFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).display)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id);
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(file.text.len(), |next| *next as usize);
        Ok(start..end)
    }
}

/// Diagnostics are rendered each into a buffer of its own on every core, a chunk at a time, and
/// written in order: the same bytes as rendering them one after another.
pub fn render(output: &ScanOutput, out: &mut dyn WriteColor) -> io::Result<()> {
    let files = SourceFiles(&output.sources);
    let config = term::Config::default();
    let color = out.supports_color();
    for chunk in output.findings.chunks(super::CHUNK) {
        let rendered: Vec<Buffer> = chunk
            .par_iter()
            .map(|finding| {
                let mut buffer = if color {
                    Buffer::ansi()
                } else {
                    Buffer::no_color()
                };
                term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic(finding))
                    .map_err(|e| io::Error::other(e.to_string()))?;
                Ok(buffer)
            })
            .collect::<io::Result<_>>()?;
        for buffer in rendered {
            out.write_all(buffer.as_slice())?;
        }
    }
    Ok(())
}

fn diagnostic(finding: &Finding) -> Diagnostic<FileId> {
    let severity = match finding.level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Note => Severity::Note,
    };
    let primary_label = match finding.outcome {
        Outcome::Violation => "",
        Outcome::Unknown => "cannot be known statically",
        Outcome::Covered => "covered by a provisioning policy",
        Outcome::Pass => "passes",
    };
    let mut labels =
        vec![Label::primary(finding.span.file, finding.span.range()).with_message(primary_label)];
    labels.extend(finding.related.iter().map(|related| {
        Label::secondary(related.span.file, related.span.range()).with_message(&related.message)
    }));
    let mut notes = Vec::new();
    if let Some(resource) = &finding.resource {
        notes.push(format!("resource: {resource}"));
    }
    match finding.outcome {
        Outcome::Unknown => notes.push(
            "note: this result is unknown, not a pass: give the input a value, or run with --strict to fail on it"
                .to_string(),
        ),
        Outcome::Covered => notes.push(
            "note: the policy provisions the setting after deployment; declaring it in the IaC keeps the two in agreement"
                .to_string(),
        ),
        Outcome::Pass => notes.push(
            "note: this check passes; the result is advice and never fails a run".to_string(),
        ),
        Outcome::Violation => {}
    }
    if let Some(help) = &finding.help {
        notes.push(format!("help: {help}"));
    }
    Diagnostic::new(severity)
        .with_code(finding.rule)
        .with_message(&finding.message)
        .with_labels(labels)
        .with_notes(notes)
}
