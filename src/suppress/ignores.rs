//! The config file's `[[ignore]]` entries: which findings each one suppresses, and the entries
//! that are expired or suppressed nothing.

use std::path::Path;

use globset::Glob;

use super::Problems;
use crate::config::{Config, IgnoreEntry};
use crate::date::Date;
use crate::finding::Finding;
use crate::source::{SourceFile, SourceMap, Span};

/// The path config globs match against: relative to the config file's directory when the file
/// lies below it, else the path as displayed.
fn relative_path(path: &Path, config_dir: Option<&Path>, display: &str) -> String {
    config_dir
        .and_then(|dir| {
            let absolute = std::fs::canonicalize(path).ok()?;
            let relative = absolute.strip_prefix(dir).ok()?;
            Some(relative.to_string_lossy().replace('\\', "/"))
        })
        .unwrap_or_else(|| display.to_string())
}

struct IgnoreMatcher<'a> {
    entry: &'a IgnoreEntry,
    path: Option<globset::GlobMatcher>,
    resource: Option<globset::GlobMatcher>,
    active: bool,
}

impl<'a> IgnoreMatcher<'a> {
    fn new(entry: &'a IgnoreEntry, today: Date) -> IgnoreMatcher<'a> {
        // The globs were checked when the config was read.
        let compile = |glob: &Option<String>| {
            glob.as_deref()
                .and_then(|g| Glob::new(g).ok())
                .map(|g| g.compile_matcher())
        };
        IgnoreMatcher {
            entry,
            path: compile(&entry.path),
            resource: compile(&entry.resource),
            active: entry.until.is_none_or(|until| until >= today),
        }
    }

    fn matches(&self, finding: &Finding, path: &str) -> bool {
        self.active
            && self.entry.rules.iter().any(|id| id == finding.rule)
            && self
                .path
                .as_ref()
                .is_none_or(|glob| path_matches(glob, path))
            && self.resource.as_ref().is_none_or(|glob| {
                finding
                    .resource
                    .as_deref()
                    .is_some_and(|resource| glob.is_match(resource))
            })
    }
}

/// A path glob matches the file or any directory above it, so `sandbox` and `sandbox/**` both
/// cover `sandbox/main.tf`.
pub fn path_matches(glob: &globset::GlobMatcher, path: &str) -> bool {
    let path = path.trim_start_matches("./");
    glob.is_match(path)
        || path
            .match_indices('/')
            .any(|(slash, _)| glob.is_match(&path[..slash]))
}

/// Every entry of the config file, with whether it suppressed anything.
pub struct Ignores<'a> {
    matchers: Vec<IgnoreMatcher<'a>>,
    used: Vec<bool>,
    config_dir: Option<std::path::PathBuf>,
}

impl<'a> Ignores<'a> {
    pub fn new(config: &'a Config, today: Date) -> Ignores<'a> {
        let matchers: Vec<IgnoreMatcher> = config
            .ignores
            .iter()
            .map(|entry| IgnoreMatcher::new(entry, today))
            .collect();
        Ignores {
            used: vec![false; matchers.len()],
            matchers,
            config_dir: config
                .file
                .as_ref()
                .and_then(|file| std::fs::canonicalize(file.dir()).ok()),
        }
    }

    /// The reason of the first entry that suppresses `finding` (in `source`), marking every
    /// entry that matches as used.
    pub fn suppressing(&mut self, finding: &Finding, source: &SourceFile) -> Option<String> {
        let path = relative_path(&source.path, self.config_dir.as_deref(), &source.display);
        let mut reason = None;
        for (index, matcher) in self.matchers.iter().enumerate() {
            if matcher.matches(finding, &path) {
                self.used[index] = true;
                reason.get_or_insert_with(|| matcher.entry.reason.clone());
            }
        }
        reason
    }

    /// Entries that expired or (unless auditing) suppressed nothing. They point into the config
    /// file, which joins `sources` only when there is something to report there.
    pub fn report_problems(
        &self,
        config: &Config,
        sources: &mut SourceMap,
        today: Date,
        no_ignore: bool,
        problems: &mut Problems,
    ) {
        let Some(file) = &config.file else {
            return;
        };
        let mut found = Vec::new();
        for (matcher, used) in self.matchers.iter().zip(&self.used) {
            let entry = matcher.entry;
            let message = if let Some(until) = entry.until.filter(|until| *until < today) {
                format!(
                    "ignore of {} expired on {until}: its findings are reported again",
                    entry.rules.join(", ")
                )
            } else if !no_ignore && !used && !entry.rules.iter().all(|id| problems.rule_off(id)) {
                format!("ignore of {} suppressed nothing", entry.rules.join(", "))
            } else {
                continue;
            };
            found.push((entry.span.clone(), message));
        }
        if found.is_empty() || problems.rule_off(super::RULE) {
            return;
        }
        let id = sources.push(SourceFile::new(file.path.clone(), file.text.clone()));
        for (range, message) in found {
            problems.add(
                Span::new(id, range),
                message,
                "remove the entry, or update it (the reason still has to hold)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_globs_match_directories() {
        let glob = Glob::new("sandbox").unwrap().compile_matcher();
        assert!(path_matches(&glob, "sandbox/main.tf"));
        assert!(!path_matches(&glob, "prod/main.tf"));
    }
}
