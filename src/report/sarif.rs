//! SARIF 2.1.0, one run, every rule in `tool.driver.rules`, for GitHub code scanning and editors.

use std::io::{self, Write};

use serde_json::{json, Value as Json};

use crate::finding::Level;
use crate::rules::{Rule, RULES};
use crate::source::{SourceMap, Span};
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

fn physical_location(sources: &SourceMap, span: Span) -> Json {
    let start = sources.start(span);
    let end = sources.end(span);
    json!({
        "artifactLocation": { "uri": sources.display(span), "uriBaseId": "%SRCROOT%" },
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        },
    })
}

pub fn render(output: &ScanOutput, out: &mut dyn Write) -> io::Result<()> {
    let sources = &output.sources;
    let results: Vec<Json> = output
        .findings
        .iter()
        .map(|finding| {
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
                        "physicalLocation": physical_location(sources, related.span),
                        "message": { "text": related.message },
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": finding.rule,
                "level": finding.level.as_str(),
                "message": { "text": message },
                "locations": [{ "physicalLocation": physical_location(sources, finding.span) }],
                "properties": { "outcome": finding.outcome.as_str() },
            });
            if let Some(index) = rule_index {
                result["ruleIndex"] = json!(index);
            }
            if !related.is_empty() {
                result["relatedLocations"] = Json::Array(related);
            }
            if let Some(resource) = &finding.resource {
                result["properties"]["resource"] = json!(resource);
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "aksguard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The directory aksguard was run from (the repository root in CI)." } } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(io::Error::other)?;
    writeln!(out)
}
