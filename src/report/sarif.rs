//! SARIF 2.1.0, one run, every rule in `tool.driver.rules`, for GitHub code scanning and editors.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value as Json};

use super::{fingerprint, ReportOptions};
use crate::finding::{Finding, Level, Outcome};
use crate::rules::{Rule, RULES};
use crate::source::{FileId, SourceMap, Span};
use crate::suppress::SuppressedBy;
use crate::ScanOutput;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/aksguard/aksguard";

/// GitHub ranks alerts by `security-severity`: high for error rules, medium for warnings, low
/// for notes.
fn security_severity(level: Level) -> &'static str {
    match level {
        Level::Error => "8.0",
        Level::Warning => "5.0",
        Level::Note => "2.0",
    }
}

fn rule_descriptor(rule: &Rule) -> Json {
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.description() },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "helpUri": format!("{INFORMATION_URI}/blob/main/rules/{}.md", rule.id),
        "defaultConfiguration": { "level": rule.level.as_str() },
        "properties": {
            "tags": ["security", "azure", "kubernetes"],
            "security-severity": security_severity(rule.level),
            "precision": "high",
            "problem.severity": match rule.level {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Note => "recommendation",
            },
        },
    })
}

/// A repository-relative URI: the displayed path with reserved characters percent-encoded.
fn uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `tight`: keep the region on its first line (GitHub shows an alert on a pull request only when
/// every line of its primary region is in the diff).
fn physical_location(sources: &SourceMap, span: Span, tight: bool) -> Json {
    let file = sources.get(span.file);
    let start = sources.start(span);
    let mut end = sources.end(span);
    if tight && end.line > start.line {
        let line_end = file.line_range(start.line - 1).end;
        end = file.position(line_end);
    }
    if end.line == start.line && end.column <= start.column {
        // An empty span (end of file, a missing block) still gets a visible one-character region.
        end.column = start.column + 1;
    }
    json!({
        "artifactLocation": { "uri": uri(sources.display(span)), "uriBaseId": "%SRCROOT%" },
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        },
    })
}

fn result(
    finding: &Finding,
    sources: &SourceMap,
    hashes: &HashMap<FileId, BTreeMap<usize, String>>,
    suppressed_by: Option<&SuppressedBy>,
) -> Json {
    let rule_index = RULES.iter().position(|rule| rule.id == finding.rule);
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nFix: ");
        message.push_str(help);
    }
    let related: Vec<Json> = finding
        .related
        .iter()
        .enumerate()
        .map(|(id, related)| {
            json!({
                "id": id,
                "physicalLocation": physical_location(sources, related.span, false),
                "message": { "text": related.message },
            })
        })
        .collect();
    let line = sources.start(finding.span).line;
    let fingerprint = hashes
        .get(&finding.span.file)
        .and_then(|lines| lines.get(&line))
        .cloned();
    let mut result = json!({
        "ruleId": finding.rule,
        "level": finding.level.as_str(),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical_location(sources, finding.span, true) }],
        "properties": { "outcome": finding.outcome.as_str() },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    // A passing result with advice is SARIF's `kind: pass`, whose level must be `none`: code
    // scanning does not count it as an alert. (`fail`, the default kind, is left implicit.)
    if finding.outcome == Outcome::Pass {
        result["kind"] = json!("pass");
        result["level"] = json!("none");
    }
    if let Some(fingerprint) = fingerprint {
        result["partialFingerprints"] = json!({ "primaryLocationLineHash": fingerprint });
    }
    if !related.is_empty() {
        result["relatedLocations"] = Json::Array(related);
    }
    if let Some(resource) = &finding.resource {
        result["properties"]["resource"] = json!(resource);
    }
    if let Some(by) = suppressed_by {
        let kind = match by {
            SuppressedBy::Inline { .. } => "inSource",
            SuppressedBy::Config { .. } => "external",
        };
        result["suppressions"] = json!([{ "kind": kind, "justification": by.reason() }]);
    }
    result
}

/// The log, with `results` written as they are built: a large scan's results as one JSON tree
/// would take several times the memory of the whole scan.
#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    tool: Json,
    original_uri_base_ids: Json,
    column_kind: &'static str,
    results: R,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<Json>,
}

pub fn render(output: &ScanOutput, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let sources = &output.sources;
    let mut entries: Vec<(&Finding, Option<&SuppressedBy>)> =
        output.findings.iter().map(|f| (f, None)).collect();
    if options.include_suppressed {
        entries.extend(output.suppressed.iter().map(|s| (&s.finding, Some(&s.by))));
        entries.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    }
    // `primaryLocationLineHash` of each line a result starts on, a file per job (finding a line
    // indexes the file's lines first).
    let mut spans: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
    for (finding, _) in &entries {
        spans
            .entry(finding.span.file)
            .or_default()
            .push(finding.span);
    }
    let spans: Vec<(FileId, Vec<Span>)> = spans.into_iter().collect();
    let hashes: HashMap<FileId, BTreeMap<usize, String>> = spans
        .into_par_iter()
        .with_max_len(1)
        .map(|(file, spans)| {
            let lines: BTreeSet<usize> = spans.iter().map(|s| sources.start(*s).line).collect();
            let text = &sources.get(file).text;
            (file, fingerprint::line_hashes_at(text, &lines))
        })
        .collect();
    // Four levels deep: the log, `runs`, the run, then its `results` array.
    let results = super::PrettyItems::new(&entries, 4, |&(finding, by)| {
        result(finding, sources, &hashes, by)
    });
    let tool = json!({
        "driver": {
            "name": "aksguard",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": RULES.iter().copied().map(rule_descriptor).collect::<Vec<_>>(),
        }
    });
    // As the upload action does: an id ending in `/` names the category of the analysis.
    let automation_details = options.category.as_ref().map(|category| {
        let id = if category.ends_with('/') {
            category.clone()
        } else {
            format!("{category}/")
        };
        json!({ "id": id })
    });
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool,
            original_uri_base_ids: json!({ "%SRCROOT%": { "description": { "text": "The directory aksguard was run from (the repository root in CI)." } } }),
            column_kind: "unicodeCodePoints",
            results,
            automation_details,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}
