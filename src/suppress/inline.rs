//! Inline suppression comments: `aksguard:ignore` in HCL (`#`, `//`), JSON-with-comments and
//! Bicep (`//`) and YAML (`#`) comments, the lines each one covers, and which are in force.

use std::ops::RangeInclusive;
use std::path::Path;

use rayon::prelude::*;

use super::Problems;
use crate::date::Date;
use crate::rules;
use crate::source::{FileId, SourceFile, SourceMap, Span};

const MARKER: &str = "aksguard:ignore";

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
    // The marker is searched for in the whole text, so a file without one (nearly every file)
    // costs one pass and no line index. Only a line's first marker counts.
    let mut last_line = None;
    for marker in memchr::memmem::find_iter(source.text.as_bytes(), MARKER) {
        let line = source.line_index(marker);
        if last_line.replace(line) == Some(line) {
            continue;
        }
        let range = source.line_range(line);
        let text = &source.text[range.clone()];
        let at = marker - range.start;
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

/// HCL, JSON and Bicep: follow `{`/`[` from the start of `line` to the bracket that closes the
/// first one left open at the end of the line, skipping strings and comments.
fn brace_block_end(source: &SourceFile, line: usize) -> usize {
    // Bicep quotes strings with `'`; a `"` inside one is only text.
    let quote =
        if source.path.extension().is_some_and(|e| {
            e.eq_ignore_ascii_case("bicep") || e.eq_ignore_ascii_case("bicepparam")
        }) {
            b'\''
        } else {
            b'"'
        };
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
                _ if byte == quote => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                _ if byte == quote => in_string = true,
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

/// A suppression comment in force for one rule.
pub struct Active {
    pub file: FileId,
    pub lines: RangeInclusive<usize>,
    pub rule: &'static str,
    pub reason: String,
    /// The rule ID in the comment (where "suppressed nothing" points).
    pub span: Span,
    pub used: bool,
}

/// The suppressions in force in every file; malformed and expired ones are reported instead.
pub fn in_force(sources: &SourceMap, today: Date, problems: &mut Problems) -> Vec<Active> {
    let files: Vec<(FileId, &SourceFile)> = sources.files().collect();
    let found: Vec<Vec<Comment>> = files
        .par_iter()
        .with_max_len(1)
        .map(|&(file, source)| comments(file, source))
        .collect();
    let mut active = Vec::new();
    for (&(file, _), comments) in files.iter().zip(&found) {
        for comment in comments {
            active.extend(comment_in_force(file, comment, today, problems));
        }
    }
    active
}

fn comment_in_force(
    file: FileId,
    comment: &Comment,
    today: Date,
    problems: &mut Problems,
) -> Vec<Active> {
    let expired = match comment
        .until
        .as_deref()
        .map(|text| (text, Date::parse(text)))
    {
        Some((text, None)) => {
            problems.add(
                comment.span,
                format!("`until={text}` is not a date YYYY-MM-DD: this suppression is not applied"),
                "write the expiry as `until=YYYY-MM-DD`, before the `--`",
            );
            return Vec::new();
        }
        Some((_, Some(until))) => (until < today).then_some(until),
        None => None,
    };
    let Some(reason) = &comment.reason else {
        problems.add(
            comment.span,
            "suppression without a reason: it is not applied until it says why".to_string(),
            "add the reason after `--`, e.g. `# aksguard:ignore AKS003 -- owned by the platform team`",
        );
        return Vec::new();
    };
    if comment.rules.is_empty() {
        problems.add(
            comment.span,
            "suppression names no rule".to_string(),
            "name the rule IDs after `aksguard:ignore`, comma-separated",
        );
        return Vec::new();
    }
    let mut active = Vec::new();
    for (id, span) in &comment.rules {
        let rule = match rules::find(id) {
            Some(rule) if rule.check.is_some() => rule,
            Some(rule) => {
                problems.add(
                    *span,
                    format!("{} cannot be suppressed inline", rule.id),
                    "fix the file, or exclude it in .aksguard.toml",
                );
                continue;
            }
            None => {
                problems.add(
                    *span,
                    format!("suppression names `{id}`, which is not a rule"),
                    "use a rule ID from `aksguard rules`",
                );
                continue;
            }
        };
        if let Some(until) = expired {
            problems.add(
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
    active
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

    /// Only a line's first marker is read: one inside a string before a real comment hides it,
    /// as it always did; CRLF line ends and a marker on the last line without a newline count.
    #[test]
    fn only_the_first_marker_of_a_line_counts() {
        let source = file(
            "main.tf",
            "a = \"aksguard:ignore\" # aksguard:ignore AKS001 -- no\r\n\
             b = 1 # aksguard:ignore AKS002 -- crlf\r\nc = 2 # aksguard:ignore AKS003 -- last",
        );
        let found = comments(FileId(0), &source);
        let ids: Vec<&str> = found.iter().map(|c| c.rules[0].0.as_str()).collect();
        assert_eq!(ids, ["AKS002", "AKS003"]);
        assert_eq!(found[0].lines, 1..=1);
        assert_eq!(found[0].reason.as_deref(), Some("crlf"));
        assert_eq!(found[1].lines, 2..=2);
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
}
