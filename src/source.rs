//! Source files, byte spans and their line/column positions.
//!
//! Every file is read once into a [`SourceFile`]; everything downstream refers to text through
//! [`Span`]s (file id + byte range), and positions are computed from a line index built on first use.

use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`]. Files are numbered in sorted path order, so ids are
/// deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// 1-based line and column (column counted in Unicode code points, as SARIF's default
/// `columnKind` "unicodeCodePoints").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
pub struct SourceFile {
    /// Path as found on disk.
    pub path: PathBuf,
    /// Path shown to users and written to reports: relative to the working directory when the
    /// file is below it, always with `/` separators.
    pub display: String,
    pub text: String,
    /// Byte offset of each line's start, computed when a position is first asked for: most files
    /// of a scan are never quoted, and the index is a sixth of a pretty-printed template's size.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let display = display_path(&path);
        SourceFile {
            path,
            display,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Byte offset of each line's start (the first is 0).
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect()
        })
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of 0-based line `line`, without its line terminator.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts()[line] as usize;
        let end = self
            .line_starts()
            .get(line + 1)
            .map(|next| *next as usize - 1)
            .unwrap_or(self.text.len());
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts()[line] as usize;
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    pub fn snippet(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// All files of one scan, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new(files: Vec<SourceFile>) -> SourceMap {
        SourceMap { files }
    }

    /// Add a file that was not scanned but that results point into (the config file, for E002).
    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Build the line indexes of `files` (sorted, as findings are) on every core, before a
    /// loop over findings would build them one file after another: the compiled templates
    /// findings point into are megabytes each.
    pub fn index_lines(&self, files: impl Iterator<Item = FileId>) {
        use rayon::prelude::*;
        let mut wanted: Vec<FileId> = files.collect();
        wanted.dedup();
        wanted.par_iter().with_max_len(1).for_each(|&file| {
            self.get(file).line_starts();
        });
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn start(&self, span: Span) -> Position {
        self.get(span.file).position(span.start as usize)
    }

    pub fn end(&self, span: Span) -> Position {
        self.get(span.file).position(span.end as usize)
    }

    pub fn display(&self, span: Span) -> &str {
        &self.get(span.file).display
    }
}

/// The path relative to the working directory when it lies below it, with `/` separators.
pub fn display_path(path: &Path) -> String {
    // Asked once per process (aksguard never changes directory), not once per file.
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let relative = relative.strip_prefix("./").unwrap_or(relative);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_code_points_and_lines_from_one() {
        let file = SourceFile::new("a.tf".into(), "ab\nçd = 1\r\nx".to_string());
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        assert_eq!(file.position(3), Position { line: 2, column: 1 });
        // 'ç' is two bytes but one column.
        assert_eq!(file.position(5), Position { line: 2, column: 2 });
        assert_eq!(file.position(12), Position { line: 3, column: 1 });
        assert_eq!(file.line_range(1), 3..10);
        assert_eq!(file.line_count(), 3);
    }
}
