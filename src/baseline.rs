//! Baselines: the findings a legacy repository already has, so a team adopting aksguard fails
//! only on new ones (`aksguard baseline --output FILE`, then `scan --baseline FILE`).
//!
//! Findings are keyed by rule, file and resource address, never by line, so edits above a
//! finding do not make it "new"; each key carries a count, so two findings with the same key are
//! both tracked and a third one is new. Findings without a resource are keyed by their message.
//! `E001` (a file that does not parse) is never baselined: aksguard cannot vouch for what it did
//! not read. The file is versioned JSON (docs/baseline.md).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::source::SourceMap;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    /// The file as reports show it (relative to the directory aksguard runs from).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Only for findings without a resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many findings have this key.
    pub count: usize,
}

type Key = (String, String, Option<String>, Option<String>);

fn key(finding: &Finding, sources: &SourceMap) -> Key {
    (
        finding.rule.to_string(),
        sources.display(finding.span).to_string(),
        finding.resource.clone(),
        finding.resource.is_none().then(|| finding.message.clone()),
    )
}

impl Baseline {
    /// The baseline of `findings`.
    pub fn of(findings: &[Finding], sources: &SourceMap) -> Baseline {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for finding in findings.iter().filter(|f| f.rule != "E001") {
            *counts.entry(key(finding, sources)).or_default() += 1;
        }
        Baseline {
            version: VERSION,
            entries: counts
                .into_iter()
                .map(|((rule, path, resource, message), count)| Entry {
                    rule,
                    path,
                    resource,
                    message,
                    count,
                })
                .collect(),
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an aksguard baseline: {e}", path.display()))?;
        if baseline.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (this aksguard reads version {VERSION}); regenerate it with `aksguard baseline`",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serializes");
        text.push('\n');
        text
    }

    /// Drop the findings the baseline knows, up to each key's count. Returns the findings left,
    /// how many were dropped, and the entries (with the count left over) that matched nothing.
    pub fn filter(
        &self,
        findings: Vec<Finding>,
        sources: &SourceMap,
    ) -> (Vec<Finding>, usize, Vec<Entry>) {
        let mut left: BTreeMap<Key, usize> = self
            .entries
            .iter()
            .map(|e| {
                (
                    (
                        e.rule.clone(),
                        e.path.clone(),
                        e.resource.clone(),
                        e.message.clone(),
                    ),
                    e.count,
                )
            })
            .collect();
        let mut dropped = 0;
        let mut kept = Vec::new();
        for finding in findings {
            let remaining = (finding.rule != "E001")
                .then(|| left.get_mut(&key(&finding, sources)))
                .flatten()
                .filter(|n| **n > 0);
            match remaining {
                Some(n) => {
                    *n -= 1;
                    dropped += 1;
                }
                None => kept.push(finding),
            }
        }
        let stale = self
            .entries
            .iter()
            .filter_map(|e| {
                let k = (
                    e.rule.clone(),
                    e.path.clone(),
                    e.resource.clone(),
                    e.message.clone(),
                );
                let count = left.get(&k).copied().unwrap_or(0);
                (count > 0).then(|| Entry { count, ..e.clone() })
            })
            .collect();
        (kept, dropped, stale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Level, Outcome};
    use crate::source::{FileId, SourceFile, Span};

    fn finding(start: usize) -> Finding {
        Finding {
            rule: "AKS003",
            level: Level::Warning,
            outcome: Outcome::Violation,
            span: Span::new(FileId(0), start..start + 1),
            message: format!("empty tag at {start}"),
            resource: Some("azurerm_kubernetes_cluster.a".to_string()),
            related: Vec::new(),
            help: None,
        }
    }

    #[test]
    fn counts_identical_keys_so_a_third_finding_is_new() {
        let sources = SourceMap::new(vec![SourceFile::new("main.tf".into(), "x".repeat(50))]);
        let baseline = Baseline::of(&[finding(1), finding(5)], &sources);
        assert_eq!(baseline.entries.len(), 1);
        assert_eq!(baseline.entries[0].count, 2);
        let (kept, dropped, stale) =
            baseline.filter(vec![finding(2), finding(9), finding(20)], &sources);
        assert_eq!((kept.len(), dropped, stale.len()), (1, 2, 0));
        let (kept, dropped, stale) = baseline.filter(vec![finding(2)], &sources);
        assert_eq!((kept.len(), dropped), (0, 1));
        assert_eq!(stale[0].count, 1);
    }
}
