//! Suppressions: inline `aksguard:ignore` comments and the config file's `[[ignore]]` entries,
//! and the E002 results about suppressions that are malformed, expired or unused (SPEC §4).
//!
//! Inline form, in HCL (`#`, `//`), JSON-with-comments (`//`) and YAML (`#`) comments:
//!
//! ```text
//! # aksguard:ignore AKS001,AKS002 until=2026-06-30 -- reason
//! ```
//!
//! A comment on a line of its own applies to the next line that is not blank or a comment, and
//! to the block that line opens (a `resource` block, a JSON object, a YAML mapping); a comment
//! after code applies to its own line and the block it opens. A finding is suppressed when its
//! primary location starts within that range.

use std::ops::RangeInclusive;
use std::path::Path;

use globset::Glob;

use crate::config::{Config, IgnoreEntry, RuleLevel};
use crate::date::Date;
use crate::finding::{Finding, Level, Outcome};
use crate::rules;
use crate::source::{FileId, SourceFile, SourceMap, Span};

pub const RULE: &str = "E002";
const MARKER: &str = "aksguard:ignore";

/// How a finding was suppressed (SARIF `suppressions[].kind`: inline → `inSource`, config →
/// `external`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    Inline { reason: String },
    Config { reason: String },
}

impl SuppressedBy {
    pub fn reason(&self) -> &str {
        match self {
            SuppressedBy::Inline { reason } | SuppressedBy::Config { reason } => reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
}

/// The findings split into those reported and those suppressed, with E002 results added to the
/// reported ones.
#[derive(Debug, Default)]
pub struct Applied {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// An inline suppression comment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From the marker to the end of the comment's line.
    pub span: Span,
    /// Rule IDs as written, with the span of each.
    pub rules: Vec<(String, Span)>,
    /// `until=` as written, if any.
    pub until: Option<String>,
    /// The text after `--`, trimmed; `None` when there is no `--` or nothing after it.
    pub reason: Option<String>,
    /// 0-based lines whose findings it covers.
    pub lines: RangeInclusive<usize>,
}

/// Every `aksguard:ignore` comment of a file.
pub fn comments(file: FileId, source: &SourceFile) -> Vec<Comment> {
    let yaml = is_yaml(&source.path);
    let mut found = Vec::new();
    for line in 0..source.line_count() {
        let range = source.line_range(line);
        let text = &source.text[range.clone()];
        let Some(at) = text.find(MARKER) else {
            continue;
        };
        let before = text[..at].trim_end();
        let opener = if before.ends_with("//") && !yaml {
            "//"
        } else if before.ends_with('#') {
            "#"
        } else {
            continue;
        };
        let code = &before[..before.len() - opener.len()];
        // A `#` glued to code (`"a#b"`) is not a comment opener.
        if !(code.is_empty() || code.ends_with(char::is_whitespace)) {
            continue;
        }
        let rest = &text[at + MARKER.len()..];
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let own_line = code.trim().is_empty();
        let target = if own_line {
            next_code_line(source, line, yaml)
        } else {
            Some(line)
        };
        let lines = match target {
            Some(target) => target..=block_end(source, target, yaml),
            // A comment at the end of the file covers nothing; it will be reported unused.
            None => line..=line,
        };
        let start = range.start + at;
        let mut comment = parse_body(rest, start + MARKER.len(), file);
        comment.span = Span::new(file, start..range.end);
        comment.lines = lines;
        found.push(comment);
    }
    found
}

/// Parse what follows the marker: `ID[,ID...] [until=YYYY-MM-DD] [-- reason]`.
fn parse_body(rest: &str, offset: usize, file: FileId) -> Comment {
    let (head, reason) = match rest.find("--") {
        Some(dash) => {
            let reason = rest[dash + 2..].trim();
            (
                &rest[..dash],
                (!reason.is_empty()).then(|| reason.to_string()),
            )
        }
        None => (rest, None),
    };
    let mut rules = Vec::new();
    let mut until = None;
    let mut position = 0;
    for word in head.split(|c: char| c.is_whitespace() || c == ',') {
        let word_start = head[position..]
            .find(word)
            .map_or(position, |i| position + i);
        position = word_start + word.len();
        if word.is_empty() {
            continue;
        }
        if let Some(date) = word.strip_prefix("until=") {
            until = Some(date.to_string());
        } else {
            let start = offset + word_start;
            rules.push((word.to_string(), Span::new(file, start..start + word.len())));
        }
    }
    Comment {
        span: Span::default(),
        rules,
        until,
        reason,
        lines: 0..=0,
    }
}

fn is_yaml(path: &Path) -> bool {
    // Standard input is read as Kubernetes manifests.
    path == Path::new("<stdin>")
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn is_comment_or_blank(text: &str, yaml: bool) -> bool {
    let text = text.trim_start();
    text.is_empty() || text.starts_with('#') || (!yaml && text.starts_with("//"))
}

fn next_code_line(source: &SourceFile, after: usize, yaml: bool) -> Option<usize> {
    (after + 1..source.line_count())
        .find(|line| !is_comment_or_blank(&source.text[source.line_range(*line)], yaml))
}

/// The last line of the block that `line` opens, or `line` itself when it opens none.
fn block_end(source: &SourceFile, line: usize, yaml: bool) -> usize {
    if yaml {
        yaml_block_end(source, line)
    } else {
        brace_block_end(source, line)
    }
}

/// HCL and JSON: follow `{`/`[` from the start of `line` to the bracket that closes the first one
/// left open at the end of the line, skipping strings and comments.
fn brace_block_end(source: &SourceFile, line: usize) -> usize {
    let text = source.text.as_bytes();
    let line_end = source.line_range(line).end;
    let mut depth = 0usize;
    let mut i = source.line_range(line).start;
    let mut in_string = false;
    while i < text.len() {
        let byte = text[i];
        if in_string {
            match byte {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'#' => i = skip_to_line_end(text, i),
                b'/' if text.get(i + 1) == Some(&b'/') => i = skip_to_line_end(text, i),
                b'/' if text.get(i + 1) == Some(&b'*') => {
                    i = source.text[i + 2..]
                        .find("*/")
                        .map_or(text.len(), |end| i + 2 + end + 1);
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && i >= line_end {
                        return source.line_index(i);
                    }
                }
                _ => {}
            }
        }
        if i >= line_end && depth == 0 {
            return line;
        }
        i += 1;
    }
    source.line_count().saturating_sub(1)
}

fn skip_to_line_end(text: &[u8], from: usize) -> usize {
    text[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |n| from + n - 1)
}

/// YAML: the lines after `line` indented deeper than it (blank and comment lines included); a
/// top-level line of a document (`apiVersion:`) covers the document, up to the next `---`.
fn yaml_block_end(source: &SourceFile, line: usize) -> usize {
    let line_text = |n: usize| &source.text[source.line_range(n)];
    let indent = |text: &str| text.len() - text.trim_start_matches([' ', '-']).len();
    let own = indent(line_text(line));
    let mut end = line;
    for next in line + 1..source.line_count() {
        let text = line_text(next);
        if text.starts_with("---") || text.starts_with("...") {
            break;
        }
        if is_comment_or_blank(text, true) {
            continue;
        }
        let deeper = indent(text) > own
            || (own == 0 && !text.starts_with('-') && !line_text(line).starts_with('-'));
        if !deeper {
            break;
        }
        end = next;
    }
    end
}

/// Apply inline comments and config ignores to `findings`, and add the E002 results. With
/// `no_ignore`, nothing is suppressed (an audit) but malformed and expired comments are still
/// reported. The config file joins `sources` when an E002 result points into it.
pub fn apply(
    findings: Vec<Finding>,
    sources: &mut SourceMap,
    config: &Config,
    today: Date,
    no_ignore: bool,
) -> Applied {
    let e002_level = match config.rule_levels.get(RULE) {
        Some(RuleLevel::Off) => None,
        Some(RuleLevel::Level(level)) => Some(*level),
        None => Some(Level::Warning),
    };
    let rule_off = |id: &str| config.rule_levels.get(id) == Some(&RuleLevel::Off);
    let mut problems = Vec::new();
    let mut problem = |span: Span, message: String, help: &str| {
        problems.push(Finding {
            rule: RULE,
            level: Level::Warning,
            outcome: Outcome::Violation,
            span,
            message,
            resource: None,
            related: Vec::new(),
            help: Some(help.to_string()),
        })
    };

    // Active inline suppressions: (file, lines, rule, reason, index of its (comment, rule) use flag).
    struct Active {
        file: FileId,
        lines: RangeInclusive<usize>,
        rule: &'static str,
        reason: String,
        span: Span,
        used: bool,
    }
    let mut active: Vec<Active> = Vec::new();
    for (file, source) in sources.files() {
        for comment in comments(file, source) {
            let expired = match comment
                .until
                .as_deref()
                .map(|text| (text, Date::parse(text)))
            {
                Some((text, None)) => {
                    problem(
                        comment.span,
                        format!("`until={text}` is not a date YYYY-MM-DD: this suppression is not applied"),
                        "write the expiry as `until=YYYY-MM-DD`, before the `--`",
                    );
                    continue;
                }
                Some((_, Some(until))) => (until < today).then_some(until),
                None => None,
            };
            let Some(reason) = comment.reason.clone() else {
                problem(
                    comment.span,
                    "suppression without a reason: it is not applied until it says why".to_string(),
                    "add the reason after `--`, e.g. `# aksguard:ignore AKS003 -- owned by the platform team`",
                );
                continue;
            };
            if comment.rules.is_empty() {
                problem(
                    comment.span,
                    "suppression names no rule".to_string(),
                    "name the rule IDs after `aksguard:ignore`, comma-separated",
                );
                continue;
            }
            for (id, span) in &comment.rules {
                let rule = match rules::find(id) {
                    Some(rule) if rule.check.is_some() => rule,
                    Some(rule) => {
                        problem(
                            *span,
                            format!("{} cannot be suppressed inline", rule.id),
                            "fix the file, or exclude it in .aksguard.toml",
                        );
                        continue;
                    }
                    None => {
                        problem(
                            *span,
                            format!("suppression names `{id}`, which is not a rule"),
                            "use a rule ID from `aksguard rules`",
                        );
                        continue;
                    }
                };
                if let Some(until) = expired {
                    problem(
                        comment.span,
                        format!(
                            "suppression of {} expired on {until}: its findings are reported again",
                            rule.id
                        ),
                        "fix the finding, or extend `until=` with a reason that still holds",
                    );
                    continue;
                }
                active.push(Active {
                    file,
                    lines: comment.lines.clone(),
                    rule: rule.id,
                    reason: reason.clone(),
                    span: *span,
                    used: false,
                });
            }
        }
    }

    let config_dir = config
        .file
        .as_ref()
        .and_then(|file| std::fs::canonicalize(file.dir()).ok());
    let matchers: Vec<IgnoreMatcher> = config
        .ignores
        .iter()
        .map(|entry| IgnoreMatcher::new(entry, today))
        .collect();
    let mut ignore_used = vec![false; matchers.len()];

    let mut applied = Applied::default();
    let mut reported = Vec::new();
    for finding in findings {
        if no_ignore || finding.rule == "E001" {
            reported.push(finding);
            continue;
        }
        let source = sources.get(finding.span.file);
        let line = source.line_index(finding.span.start as usize);
        let mut by = None;
        for suppression in active.iter_mut().filter(|s| {
            s.file == finding.span.file && s.rule == finding.rule && s.lines.contains(&line)
        }) {
            suppression.used = true;
            by.get_or_insert_with(|| SuppressedBy::Inline {
                reason: suppression.reason.clone(),
            });
        }
        let path = relative_path(&source.path, config_dir.as_deref(), &source.display);
        for (index, matcher) in matchers.iter().enumerate() {
            if matcher.matches(&finding, &path) {
                ignore_used[index] = true;
                by.get_or_insert_with(|| SuppressedBy::Config {
                    reason: matcher.entry.reason.clone(),
                });
            }
        }
        match by {
            Some(by) => applied.suppressed.push(Suppressed { finding, by }),
            None => reported.push(finding),
        }
    }

    if !no_ignore {
        for suppression in active.iter().filter(|s| !s.used && !rule_off(s.rule)) {
            problem(
                suppression.span,
                format!("suppression of {} suppressed nothing", suppression.rule),
                "remove it: the finding it was for is gone (or it is not on the line above the resource)",
            );
        }
    }

    // Problems with the config file's own ignores point into the config file.
    let mut config_problems = Vec::new();
    if let Some(file) = &config.file {
        for (index, matcher) in matchers.iter().enumerate() {
            let entry = matcher.entry;
            let message = if let Some(until) = entry.until.filter(|until| *until < today) {
                format!(
                    "ignore of {} expired on {until}: its findings are reported again",
                    entry.rules.join(", ")
                )
            } else if !no_ignore
                && !ignore_used[index]
                && !entry.rules.iter().all(|id| rule_off(id))
            {
                format!("ignore of {} suppressed nothing", entry.rules.join(", "))
            } else {
                continue;
            };
            config_problems.push((entry.span.clone(), message));
        }
        if !config_problems.is_empty() && e002_level.is_some() {
            let id = sources.push(SourceFile::new(file.path.clone(), file.text.clone()));
            for (range, message) in config_problems {
                problem(
                    Span::new(id, range),
                    message,
                    "remove the entry, or update it (the reason still has to hold)",
                );
            }
        }
    }

    if let Some(level) = e002_level {
        for mut finding in problems {
            finding.level = level;
            reported.push(finding);
        }
    }
    reported.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    reported.dedup();
    applied.findings = reported;
    applied
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile::new(name.into(), text.to_string())
    }

    #[test]
    fn comment_above_a_block_covers_the_block() {
        let source = file(
            "main.tf",
            "# aksguard:ignore AKS003, AKS001 until=2030-01-01 -- sandbox\n\
             resource \"a\" \"b\" {\n  tags = {\n    x = \"}\"\n  }\n}\nresource \"c\" \"d\" {}\n",
        );
        let found = comments(FileId(0), &source);
        assert_eq!(found.len(), 1);
        let comment = &found[0];
        assert_eq!(comment.lines, 1..=5);
        let ids: Vec<&str> = comment.rules.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["AKS003", "AKS001"]);
        assert_eq!(source.snippet(comment.rules[1].1), "AKS001");
        assert_eq!(comment.until.as_deref(), Some("2030-01-01"));
        assert_eq!(comment.reason.as_deref(), Some("sandbox"));
    }

    #[test]
    fn trailing_comment_covers_its_line() {
        let source = file(
            "main.tf",
            "resource \"a\" \"b\" {\n  azure_policy_enabled = false // aksguard:ignore AKS002 -- dev\n}\n",
        );
        let found = comments(FileId(0), &source);
        assert_eq!(found[0].lines, 1..=1);
    }

    #[test]
    fn missing_reason_and_markers_in_strings() {
        let source = file(
            "main.tf",
            "# aksguard:ignore AKS003\nname = \"x#aksguard:ignore AKS001 -- no\"\n",
        );
        let found = comments(FileId(0), &source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].reason, None);
    }

    #[test]
    fn yaml_comment_covers_the_mapping_or_document() {
        let source = file(
            "cluster.yaml",
            "# aksguard:ignore AKS001 -- dev\napiVersion: v1\nkind: ManagedCluster\nspec:\n  x: 1\n---\n\
             kind: Other\nspec:\n  # aksguard:ignore AKS002 -- dev\n  addonProfiles:\n    a: 1\n  other: 2\n",
        );
        let found = comments(FileId(0), &source);
        assert_eq!(found[0].lines, 1..=4);
        assert_eq!(found[1].lines, 9..=10);
    }

    #[test]
    fn path_globs_match_directories() {
        let glob = Glob::new("sandbox").unwrap().compile_matcher();
        assert!(path_matches(&glob, "sandbox/main.tf"));
        assert!(!path_matches(&glob, "prod/main.tf"));
    }
}
