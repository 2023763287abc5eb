//! `path:line:col: level[ID] message`, one line per result, for editors and grep.

use std::io::{self, Write};

use crate::finding::Outcome;
use crate::ScanOutput;

pub fn render(output: &ScanOutput, out: &mut dyn Write) -> io::Result<()> {
    for finding in &output.findings {
        let start = output.sources.start(finding.span);
        let outcome = match finding.outcome {
            Outcome::Violation => "",
            Outcome::Unknown => " (unknown)",
            Outcome::Covered => " (covered)",
            Outcome::Pass => " (pass)",
        };
        writeln!(
            out,
            "{}:{}:{}: {}[{}]{outcome} {}",
            output.sources.display(finding.span),
            start.line,
            start.column,
            finding.level.as_str(),
            finding.rule,
            finding.message
        )?;
    }
    Ok(())
}
