//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::…`,
//! which the runner turns into annotations on the commit and the pull request diff.
//!
//! GitHub shows at most 10 annotations of each level per step and silently drops the rest, so
//! results past the tenth of a level are printed as plain log lines, and a last line says how many
//! were not annotated.

use std::io::{self, Write};

use crate::finding::{Finding, Level, Outcome};
use crate::ScanOutput;

/// Annotations GitHub shows per level and per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Escape the message of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`): also `:` and `,`, which delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

fn message(finding: &Finding) -> String {
    let outcome = match finding.outcome {
        Outcome::Violation => "",
        Outcome::Unknown => "(unknown) ",
        Outcome::Covered => "(covered by policy) ",
        Outcome::Pass => "(passes) ",
    };
    let mut text = format!("{outcome}{}", finding.message);
    if let Some(help) = &finding.help {
        text.push_str("\nFix: ");
        text.push_str(help);
    }
    text
}

pub fn render(output: &ScanOutput, out: &mut dyn Write) -> io::Result<()> {
    let sources = &output.sources;
    let mut annotated = [0usize; 3];
    let mut plain = 0;
    for finding in &output.findings {
        let start = sources.start(finding.span);
        let end = sources.end(finding.span);
        let path = sources.display(finding.span);
        let slot = &mut annotated[finding.level as usize];
        if *slot < ANNOTATIONS_PER_LEVEL {
            *slot += 1;
            let mut properties = format!(
                "file={},line={},col={},endLine={}",
                escape_property(path),
                start.line,
                start.column,
                end.line
            );
            // endColumn is only meaningful (and only accepted) on a single-line annotation.
            if end.line == start.line && end.column > start.column {
                properties.push_str(&format!(",endColumn={}", end.column));
            }
            writeln!(
                out,
                "::{} {properties},title={}::{}",
                command(finding.level),
                escape_property(finding.rule),
                escape_data(&message(finding))
            )?;
        } else {
            plain += 1;
            writeln!(
                out,
                "{path}:{}:{}: {}[{}] {}",
                start.line,
                start.column,
                finding.level.as_str(),
                finding.rule,
                message(finding).replace('\n', " ")
            )?;
        }
    }
    if plain > 0 {
        writeln!(
            out,
            "aksguard: {plain} result(s) above were not annotated: GitHub shows at most {ANNOTATIONS_PER_LEVEL} annotations per level in a step; use SARIF upload (code scanning) to see them all"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
