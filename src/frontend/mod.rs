//! Front ends: one folder per input format, each of which says which files it reads, parses
//! them, and evaluates and lowers what it parsed into the model. This module is the shared stage
//! around them: it reads every discovered file once, in parallel, hands it to the front end that
//! claims its kind, numbers the files in sorted order (so output never depends on scheduling)
//! and turns syntax errors into `E001` findings. A front end that reads directories as a whole
//! ([`Directories`]: Helm charts) takes them out of the discovered files first and reads them
//! beside that parsing ([`read_all`]).
//!
//! Adding a format is a new folder and one line in [`FRONT_ENDS`].

pub mod arm;
pub mod arm_shape;
pub mod bicep;
pub mod helm;
pub mod json;
pub mod kubernetes;
pub mod options;
pub mod repository;
pub mod terraform;
pub mod yaml;

use std::any::Any;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::{Discovered, FileKind};
use crate::finding::{Finding, Outcome};
use crate::model::Model;
use crate::rules::tool::PARSE_ERROR;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::ScanOptions;

/// Every front end, in the order their results join the model.
pub const FRONT_ENDS: &[FrontEnd] = &[
    terraform::FRONT_END,
    arm::FRONT_END,
    bicep::FRONT_END,
    kubernetes::FRONT_END,
    helm::FRONT_END,
];

/// The path that names standard input (`aksguard scan -`): read as Kubernetes manifests.
pub const STDIN: &str = "-";

/// One input format: plain functions, so a front end is data, not a type hierarchy.
pub struct FrontEnd {
    pub name: &'static str,
    /// Whether it reads this file (judged by its name and place, before reading it).
    pub claims: fn(&Discovered) -> bool,
    /// Parse one file's text. Spans point at `FileId(0)` until `set_file` gives the real one.
    pub parse: fn(&Discovered, &str) -> ParseOutcome,
    /// Point a parsed file's spans at its number (files are numbered after parsing, because
    /// files that turn out not to be IaC get none).
    pub set_file: fn(&mut Syntax, FileId),
    /// Files outside the scanned paths that newly parsed files refer to (Terraform's local
    /// modules), given the sources read so far (indexed by [`FileId`]): read and parsed like the
    /// rest.
    pub referenced: fn(&[ParsedFile], &[SourceFile]) -> Vec<Discovered>,
    /// For a front end that reads directories as a whole rather than files one by one (a Helm
    /// chart); `None` for the others.
    pub directories: Option<Directories>,
    /// Evaluate and lower everything it parsed in this scan.
    pub lower: fn(&LowerInput) -> Lowered,
}

/// How a front end reads directories as a whole: a Helm chart (`Chart.yaml` and everything under
/// it) is rendered together, and its templates are not files a per-file parser can read.
pub struct Directories {
    /// Take the files of every directory it reads out of the discovered files (so they are not
    /// read one by one) and return those directories.
    pub take: fn(&mut Vec<Discovered>) -> Vec<PathBuf>,
    /// Read the directories into a source map of their own, so that this runs beside the parsing
    /// of every other file.
    pub read: fn(&[PathBuf], &ScanOptions) -> ReadDirectories,
    /// Add `offset` to every [`FileId`] in a parsed entry, once the directories' sources join
    /// the scan's after `offset` others.
    pub shift_files: fn(&mut Syntax, u32),
}

/// What a front end read from its directories: one parsed entry per directory, with ids into
/// its own `sources`, and the E001 findings of its inputs.
pub struct ReadDirectories {
    pub sources: SourceMap,
    pub files: Vec<ParsedFile>,
    pub errors: Vec<Finding>,
}

/// What a front end's lowering sees: the files it parsed, and every front end's (read-only), for
/// formats that refer to each other (Bicep reads JSON parameter files; ARM leaves a template
/// compiled from a `.bicep` beside it to Bicep).
pub struct LowerInput<'p> {
    pub files: &'p [ParsedFile],
    parsed: &'p [Vec<ParsedFile>],
    pub sources: &'p SourceMap,
    pub options: &'p ScanOptions,
}

impl<'p> LowerInput<'p> {
    /// The files another front end parsed, by its name.
    pub fn files_of(&self, front_end: &str) -> &'p [ParsedFile] {
        FRONT_ENDS
            .iter()
            .position(|f| f.name == front_end)
            .and_then(|i| self.parsed.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

/// A front end's parsed form of one file; only that front end looks inside (`downcast_ref`).
pub type Syntax = Box<dyn Any + Send + Sync>;

pub enum ParseOutcome {
    Parsed(Syntax),
    /// Not IaC after all (JSON that is not a deployment template): not kept, not counted.
    Skipped,
    Failed(SyntaxError),
    /// The front end panicked on this file (a bug): caught at the worker boundary so every other
    /// file is still reported; the scan exits 2.
    Panicked(String),
}

/// What a front end found: resources for the rules, and what it could not follow (E003).
#[derive(Debug, Default)]
pub struct Lowered {
    pub model: Model,
    pub notes: Vec<Finding>,
}

/// Where and why a file does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the error.
    pub offset: usize,
    pub message: String,
}

pub struct ParsedFile {
    pub id: FileId,
    pub kind: FileKind,
    pub syntax: Syntax,
    /// Read because a scanned file refers to it (a module, a linked template), not because it is
    /// among the scanned paths: it is evaluated only through those references.
    pub referenced: bool,
}

/// Every parsed file of a scan, by front end (indices into [`FRONT_ENDS`]), with its sources and
/// the files that did not parse.
#[derive(Default)]
pub struct Parsed {
    pub sources: SourceMap,
    pub files: Vec<Vec<ParsedFile>>,
    pub errors: Vec<Finding>,
    /// Internal errors (a front end that panicked on a file): the scan exits 2.
    pub internal_errors: Vec<String>,
}

fn front_end_for(file: &Discovered) -> Option<usize> {
    FRONT_ENDS
        .iter()
        .position(|front_end| (front_end.claims)(file))
}

/// Rounds of following references (a module that calls a module that calls ...).
const MAX_REFERENCE_ROUNDS: usize = 32;

/// Read and parse every file, in parallel; results keep the (sorted) order of `files`, so
/// [`FileId`]s are deterministic whatever the thread count. Files no front end claims are not
/// read at all. Then the files that parsed files refer to outside the scanned paths (Terraform's
/// local modules) are read the same way, numbered after them, until nothing new is referenced.
pub fn parse_all(files: &[Discovered]) -> Parsed {
    let mut parsed = Parsed {
        files: FRONT_ENDS.iter().map(|_| Vec::new()).collect(),
        ..Parsed::default()
    };
    let mut sources = Vec::with_capacity(files.len());
    let mut known: Option<std::collections::HashSet<std::path::PathBuf>> = None;
    let mut spelled: Option<std::collections::HashSet<std::path::PathBuf>> = None;
    let mut batch = std::borrow::Cow::Borrowed(files);
    for _ in 0..MAX_REFERENCE_ROUNDS {
        let before: Vec<usize> = parsed.files.iter().map(Vec::len).collect();
        let referenced_batch = matches!(batch, std::borrow::Cow::Owned(_));
        number(
            read_and_parse(&batch),
            referenced_batch,
            &mut parsed,
            &mut sources,
        );
        let mut referenced: Vec<Discovered> = FRONT_ENDS
            .iter()
            .zip(&parsed.files)
            .zip(before)
            .flat_map(|((front_end, files), from)| (front_end.referenced)(&files[from..], &sources))
            .collect();
        if referenced.is_empty() {
            break;
        }
        referenced.sort();
        // A referenced file spelled as one already read is that file. Any other is compared by
        // canonical path (a symlink may reach a file read under another name); what was read is
        // canonicalized once, and only then.
        let cwd = std::env::current_dir().unwrap_or_default();
        let spelled =
            spelled.get_or_insert_with(|| files.iter().map(|f| spelling(&cwd, &f.path)).collect());
        referenced.retain(|file| {
            let spelling = spelling(&cwd, &file.path);
            if spelled.contains(&spelling) {
                return false;
            }
            let Ok(path) = std::fs::canonicalize(&file.path) else {
                return false;
            };
            let known = known.get_or_insert_with(|| {
                files
                    .iter()
                    .filter_map(|file| std::fs::canonicalize(&file.path).ok())
                    .collect()
            });
            known.insert(path) && spelled.insert(spelling)
        });
        if referenced.is_empty() {
            break;
        }
        batch = std::borrow::Cow::Owned(referenced);
    }
    parsed.sources = SourceMap::new(sources);
    parsed
}

/// A path as absolute (from `cwd`) and with `.` and `..` folded, without asking the file system.
fn spelling(cwd: &std::path::Path, path: &std::path::Path) -> PathBuf {
    repository::normalize(&cwd.join(path))
}

/// Read and parse every file ([`parse_all`]) and, beside it, the directories front ends read as
/// a whole (taken out of `files` first). The directories' sources join the scan's after the
/// files', in [`FRONT_ENDS`] order, so every [`FileId`] is still deterministic.
pub fn read_all(files: &mut Vec<Discovered>, options: &ScanOptions) -> Parsed {
    let directories: Vec<(usize, &Directories, Vec<PathBuf>)> = FRONT_ENDS
        .iter()
        .enumerate()
        .filter_map(|(at, front_end)| {
            let form = front_end.directories.as_ref()?;
            Some((at, form, (form.take)(files)))
        })
        .collect();
    let files: &[Discovered] = files;
    let (mut parsed, read) = rayon::join(
        || parse_all(files),
        || {
            directories
                .par_iter()
                .map(|(at, form, dirs)| (*at, *form, (form.read)(dirs, options)))
                .collect::<Vec<_>>()
        },
    );
    for (at, form, read) in read {
        let offset = parsed.sources.len() as u32;
        for (_, file) in read.sources.files() {
            parsed
                .sources
                .push(SourceFile::new(file.path.clone(), file.text.clone()));
        }
        for mut file in read.files {
            file.id.0 += offset;
            (form.shift_files)(&mut file.syntax, offset);
            parsed.files[at].push(file);
        }
        for mut error in read.errors {
            error.span.file.0 += offset;
            error
                .related
                .iter_mut()
                .for_each(|r| r.span.file.0 += offset);
            parsed.errors.push(error);
        }
    }
    parsed
}

fn read_and_parse(files: &[Discovered]) -> Vec<(SourceFile, FileKind, usize, ParseOutcome)> {
    files
        .par_iter()
        // One job per file: files differ in cost a thousandfold, and rayon's default splitting
        // left one core working through a run of large templates while the other sat idle.
        .with_max_len(1)
        .filter_map(|file| Some((file, front_end_for(file)?)))
        .map(|(file, front_end)| {
            let failed = |offset, message: &str| {
                ParseOutcome::Failed(SyntaxError {
                    offset,
                    message: message.to_string(),
                })
            };
            let (text, outcome) = match read_input(&file.path) {
                Err(error) => (
                    String::new(),
                    failed(0, &format!("cannot read file: {error}")),
                ),
                Ok(bytes) if is_utf16(&bytes) => (
                    String::new(),
                    failed(
                        0,
                        "file is UTF-16 encoded; aksguard reads UTF-8 (re-save the file as UTF-8)",
                    ),
                ),
                Ok(bytes) => match String::from_utf8(strip_utf8_bom(bytes)) {
                    Err(error) => {
                        let offset = error.utf8_error().valid_up_to();
                        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                        (text, failed(offset, "file is not valid UTF-8"))
                    }
                    Ok(text) => {
                        let parse = FRONT_ENDS[front_end].parse;
                        let outcome =
                            guarded(|| parse(file, &text)).unwrap_or_else(ParseOutcome::Panicked);
                        (text, outcome)
                    }
                },
            };
            let shown = if file.path.as_os_str() == STDIN {
                std::path::PathBuf::from("<stdin>")
            } else {
                file.path.clone()
            };
            (SourceFile::new(shown, text), file.kind, front_end, outcome)
        })
        .collect()
}

fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == STDIN {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

/// Number the files of one batch after those already read (files that are not IaC get no
/// number), and sort them to their front ends.
fn number(
    mut results: Vec<(SourceFile, FileKind, usize, ParseOutcome)>,
    referenced: bool,
    parsed: &mut Parsed,
    sources: &mut Vec<SourceFile>,
) {
    // Ids in order, then every tree told its id on every core: that walks each whole tree.
    let mut next = sources.len() as u32;
    let mut ids = Vec::with_capacity(results.len());
    for (_, _, _, outcome) in &results {
        ids.push(FileId(next));
        if matches!(outcome, ParseOutcome::Parsed(_) | ParseOutcome::Failed(_)) {
            next += 1;
        }
    }
    results.par_iter_mut().with_max_len(1).zip(&ids).for_each(
        |((_, _, front_end, outcome), &id)| {
            if let ParseOutcome::Parsed(syntax) = outcome {
                (FRONT_ENDS[*front_end].set_file)(syntax, id);
            }
        },
    );
    for ((source, kind, front_end, outcome), id) in results.into_iter().zip(ids) {
        debug_assert!(
            matches!(outcome, ParseOutcome::Skipped | ParseOutcome::Panicked(_))
                || id.0 as usize == sources.len()
        );
        match outcome {
            ParseOutcome::Skipped => continue,
            ParseOutcome::Parsed(syntax) => {
                parsed.files[front_end].push(ParsedFile {
                    id,
                    kind,
                    syntax,
                    referenced,
                });
            }
            ParseOutcome::Failed(error) => {
                parsed
                    .errors
                    .push(syntax_error(id, &source, error.offset, error.message))
            }
            ParseOutcome::Panicked(message) => {
                parsed.internal_errors.push(format!(
                    "internal error while reading {}: {message} (please report it; the rest of the scan went on)",
                    source.display
                ));
                continue;
            }
        }
        sources.push(source);
    }
}

/// Every front end's lowering of what it parsed, in parallel, joined in [`FRONT_ENDS`] order.
/// A front end that panics (a bug) loses its own results only; the panic is returned as an
/// internal error.
pub fn lower_all(parsed: &Parsed, options: &ScanOptions) -> (Lowered, Vec<String>) {
    let lowered: Vec<Result<Lowered, String>> = FRONT_ENDS
        .par_iter()
        .zip(&parsed.files)
        .map(|(front_end, files)| {
            let input = LowerInput {
                files,
                parsed: &parsed.files,
                sources: &parsed.sources,
                options,
            };
            guarded(|| (front_end.lower)(&input)).map_err(|panic| {
                format!(
                    "internal error in the {} front end: {panic} (please report it; its results are missing, the rest of the scan went on)",
                    front_end.name
                )
            })
        })
        .collect();
    let mut all = Lowered::default();
    let mut errors = Vec::new();
    for part in lowered {
        match part {
            Ok(part) => {
                all.model.extend(part.model);
                all.notes.extend(part.notes);
            }
            Err(error) => errors.push(error),
        }
    }
    (all, errors)
}

/// Free the syntax trees of a scan on a thread of their own: freeing millions of nodes takes a
/// while (a tenth of a large scan), and nothing after lowering reads them. The scan's output
/// joins the handle when it is dropped, so the next scan does not hold its trees beside these.
/// (When no thread can be started, `spawn` drops them here.)
pub fn drop_trees(files: Vec<Vec<ParsedFile>>) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("aksguard-free".to_string())
        .spawn(move || drop(files))
        .ok()
}

/// Run `work`, turning a panic (a bug) into its message: the last line of defence that keeps
/// one bad input from taking the whole scan down.
pub fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|p| panic_message(&p))
}

/// The text a panic carried.
fn panic_message(panic: &Box<dyn Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Terraform and ARM accept and ignore a leading UTF-8 byte order mark, so it is dropped before
/// parsing; spans then count from the first character an editor shows.
fn strip_utf8_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    bytes
}

/// A UTF-16 byte order mark (little or big endian): such a file is reported as what it is rather
/// than as invalid UTF-8.
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// The character of `text` at byte `offset` (the one it falls inside, when it is not on a
/// boundary), or nothing at the end of the text: where an error at `offset` points.
pub fn character_at(text: &str, offset: usize) -> std::ops::Range<usize> {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    start..end
}

/// An `E001` finding at `offset`, spanning the character there (or nothing at end of file).
pub fn syntax_error(file: FileId, source: &SourceFile, offset: usize, message: String) -> Finding {
    let mut at = character_at(&source.text, offset);
    // At a line end, the span is empty: an editor shows it at the end of the line.
    if &source.text[at.clone()] == "\n" {
        at.end = at.start;
    }
    Finding::new(
        &PARSE_ERROR,
        Outcome::Violation,
        Span::new(file, at),
        format!("{} does not parse: {message}", source.display),
    )
    .help("fix the syntax error; aksguard cannot check what it cannot parse, and the rest of the scan went on without this file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(guarded(|| 7), Ok(7));
        let caught = guarded(|| -> u8 { panic!("bad input at {}", 3) });
        assert_eq!(caught, Err("bad input at 3".to_string()));
    }

    /// A file kind belongs to one front end: two that claimed it would both read it.
    #[test]
    fn no_file_kind_is_claimed_twice() {
        let kinds = [
            FileKind::Terraform,
            FileKind::TerraformJson,
            FileKind::TfVars,
            FileKind::TfVarsJson,
            FileKind::Json,
            FileKind::Yaml,
            FileKind::Manifests,
            FileKind::TerraformPlan,
        ];
        for kind in kinds {
            let file = Discovered {
                path: "main".into(),
                kind,
            };
            let claimants: Vec<&str> = FRONT_ENDS
                .iter()
                .filter(|front_end| (front_end.claims)(&file))
                .map(|front_end| front_end.name)
                .collect();
            assert!(claimants.len() <= 1, "{kind:?} is claimed by {claimants:?}");
            // A front end that reads directories takes its files out first; the per-file stage
            // must never hand it one.
            for front_end in FRONT_ENDS.iter().filter(|f| f.directories.is_some()) {
                assert!(
                    !(front_end.claims)(&file),
                    "{} claims {kind:?}",
                    front_end.name
                );
            }
        }
    }
}
