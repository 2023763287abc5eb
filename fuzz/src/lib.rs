//! What every fuzz target checks, beyond "no panic" (libfuzzer-sys aborts on any panic, even one
//! a `catch_unwind` in the scan would otherwise turn into an internal error):
//!
//! - every span a parser or evaluator returns lies within the text it came from, on character
//!   boundaries (reports slice the text there);
//! - every error offset lies within the text;
//! - a whole scan of the input (front end, evaluation, lowering, rules, suppression, every
//!   report format) reports no internal error and points every finding into a scanned file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use aksguard::source::{SourceMap, Span};
use aksguard::value::{Value, ValueKind};
use codespan_reporting::term::termcolor::NoColor;

/// `span` lies in `text` (`start <= end <= len`, both on character boundaries).
pub fn assert_span_in(span: Span, text: &str, what: &str) {
    let range = span.range();
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: span {range:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: span {range:?} splits a character"
    );
}

/// An error offset lies within the text (at most its length: "at the end").
pub fn assert_offset_in(offset: usize, text: &str, what: &str) {
    assert!(
        offset <= text.len(),
        "{what}: error offset {offset} outside a text of {} bytes",
        text.len()
    );
}

/// Every span in `value` (its own, its keys', its items', its provenance) lies in `texts`,
/// indexed by file id.
pub fn assert_value_in(value: &Value, texts: &[&str], what: &str) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        assert_span_in_files(value.span, texts, what);
        for related in &value.provenance {
            assert_span_in_files(related.span, texts, what);
        }
        match &value.kind {
            ValueKind::List(items) => stack.extend(items),
            ValueKind::Object(entries) => {
                for entry in entries {
                    assert_span_in_files(entry.key_span, texts, what);
                    stack.push(&entry.value);
                }
            }
            _ => {}
        }
    }
}

fn assert_span_in_files(span: Span, texts: &[&str], what: &str) {
    let text = texts
        .get(span.file.0 as usize)
        .unwrap_or_else(|| panic!("{what}: span in unknown file {}", span.file.0));
    assert_span_in(span, text, what);
}

/// A directory of this process's own, reused by every run (one scan at a time per process).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("create a scratch directory"))
        .path()
}

/// Scan a directory holding exactly `files` (relative path, content) with `aksguard::scan`, and
/// check what it reports.
pub fn scan_files(files: &[(&str, &[u8])]) {
    let dir = scratch().join("project");
    // A fresh directory each run: a file from an earlier run must not join this one.
    let _ = std::fs::remove_dir_all(&dir);
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a file has a parent"))
            .expect("create the scan directory");
        std::fs::write(&path, content).expect("write the input");
    }
    scan_dir(dir);
}

fn scan_dir(dir: PathBuf) {
    let options = aksguard::ScanOptions {
        paths: vec![dir],
        // A fixed date: suppression expiry must not depend on when the fuzzer runs.
        today: aksguard::date::Date::parse("2026-01-01"),
        ..aksguard::ScanOptions::default()
    };
    let output = aksguard::scan(&options).expect("the scanned directory exists");
    assert!(
        output.errors.is_empty(),
        "internal errors: {:?}",
        output.errors
    );
    for finding in &output.findings {
        assert_finding_in(finding.span, &output.sources, finding.rule);
        for related in &finding.related {
            assert_finding_in(related.span, &output.sources, finding.rule);
        }
    }
    use aksguard::report::Format;
    for format in [
        Format::Human,
        Format::Compact,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ] {
        let mut out = NoColor::new(Vec::new());
        aksguard::report::render(format, &output, &mut out).expect("render into memory");
    }
}

/// A finding's span: in a scanned file, or the default span of a finding about no file.
fn assert_finding_in(span: Span, sources: &SourceMap, rule: &str) {
    if (span.file.0 as usize) < sources.len() {
        assert_span_in(span, &sources.get(span.file).text, rule);
    } else {
        assert_eq!(
            span,
            Span::default(),
            "{rule}: span in file {} of {}",
            span.file.0,
            sources.len()
        );
    }
}
