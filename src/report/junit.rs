//! JUnit XML for CI systems that read test reports: one `<testsuite>` per rule, one `<testcase>`
//! per result. Errors and warnings are `<failure>`s; notes (migration hints, results covered by a
//! policy) are passing test cases that carry their message in `<system-out>`. A rule without
//! results is one passing test case, so the report lists every check that ran.

use std::io::{self, Write};

use crate::finding::{Finding, Level, Outcome};
use crate::rules::RULES;
use crate::ScanOutput;

/// Escape text for XML content and attribute values, dropping characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

pub fn render(output: &ScanOutput, out: &mut dyn Write) -> io::Result<()> {
    let sources = &output.sources;
    let failures = output
        .findings
        .iter()
        .filter(|f| f.level > Level::Note)
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let total: usize = RULES
        .iter()
        .map(|rule| {
            output
                .findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .count()
                .max(1)
        })
        .sum();
    writeln!(
        out,
        r#"<testsuites name="aksguard" tests="{total}" failures="{failures}" errors="0">"#
    )?;
    for rule in RULES {
        let results: Vec<&Finding> = output
            .findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .collect();
        let rule_failures = results.iter().filter(|f| f.level > Level::Note).count();
        writeln!(
            out,
            r#"  <testsuite name="{} {}" tests="{}" failures="{rule_failures}" errors="0" skipped="0">"#,
            rule.id,
            xml(rule.title),
            results.len().max(1)
        )?;
        if results.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="no findings"/>"#,
                rule.id
            )?;
        }
        for finding in results {
            let start = sources.start(finding.span);
            let location = format!(
                "{}:{}:{}",
                sources.display(finding.span),
                start.line,
                start.column
            );
            let name = match &finding.resource {
                Some(resource) => format!("{resource} ({location})"),
                None => location.clone(),
            };
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}" file="{}" line="{}">"#,
                rule.id,
                xml(&name),
                xml(sources.display(finding.span)),
                start.line
            )?;
            let outcome = match finding.outcome {
                Outcome::Violation => "",
                Outcome::Unknown => " (unknown)",
                Outcome::Covered => " (covered)",
                Outcome::Pass => " (pass)",
            };
            let mut body = format!(
                "{location}: {}{outcome} {}",
                finding.level.as_str(),
                finding.message
            );
            if let Some(help) = &finding.help {
                body.push_str("\nFix: ");
                body.push_str(help);
            }
            if finding.level > Level::Note {
                writeln!(
                    out,
                    r#"      <failure type="{}" message="{}">{}</failure>"#,
                    finding.level.as_str(),
                    xml(&finding.message),
                    xml(&body)
                )?;
            } else {
                writeln!(out, "      <system-out>{}</system-out>", xml(&body))?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
