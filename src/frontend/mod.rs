//! Parse: read every discovered file once and parse it, in parallel.
//!
//! Each format's quirks stay inside its own module; what leaves this stage is syntax with spans
//! (and, for unparsable files, an `E001` finding at the error).

pub mod arm;
pub mod arm_shape;
pub mod helm;
pub mod json;
pub mod kubernetes;
pub mod terraform;
pub mod yaml;

use rayon::prelude::*;

use crate::discover::{Discovered, FileKind};
use crate::finding::{Finding, Level, Outcome};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// Where and why a file does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the error.
    pub offset: usize,
    pub message: String,
}

/// The parsed form of one file.
#[derive(Debug)]
pub enum Syntax {
    /// `*.tf` and `*.tfvars`.
    Terraform(hcl_edit::structure::Body),
    /// JSON with comments (`*.tf.json`, `*.tfvars.json`); `None` for an empty file.
    Json(Option<crate::value::Value>),
}

#[derive(Debug)]
pub struct ParsedFile {
    pub id: FileId,
    pub kind: FileKind,
    pub syntax: Syntax,
}

/// Every parsed file of a scan, with its sources and the files that did not parse.
#[derive(Debug, Default)]
pub struct Parsed {
    pub sources: SourceMap,
    pub files: Vec<ParsedFile>,
    pub errors: Vec<Finding>,
    /// ARM deployment templates and parameter files (other JSON is not kept).
    pub arm: Vec<arm::Document>,
    /// Kubernetes manifests, one document list per file (other YAML is not kept).
    pub manifests: Vec<kubernetes::Manifest>,
}

/// Whether a parser exists for this kind yet; files of other kinds are not read at all.
fn has_parser(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Terraform
            | FileKind::TerraformJson
            | FileKind::TfVars
            | FileKind::TfVarsJson
            | FileKind::Json
            | FileKind::Yaml
    )
}

enum FileResult {
    Parsed(Syntax),
    Arm(arm::DocumentKind, crate::value::Value),
    Manifest(Vec<crate::value::Value>),
    /// Not IaC (JSON that is not a deployment template or parameter file): not kept.
    Skipped,
    Failed {
        offset: usize,
        message: String,
    },
}

/// Read and parse every file, in parallel; results keep the (sorted) order of `files`, so
/// [`FileId`]s are deterministic whatever the thread count.
pub fn parse_all(files: &[Discovered]) -> Parsed {
    // Files are numbered after parsing (skipped JSON gets no number); parsers use a placeholder id
    // and spans are pointed at the real file below.
    let results: Vec<(SourceFile, FileKind, FileResult)> = files
        .par_iter()
        .filter(|file| has_parser(file.kind))
        .filter(|file| !(file.kind == FileKind::Yaml && kubernetes::is_in_helm_chart(&file.path)))
        .map(|file| {
            let id = FileId(0);
            let (text, outcome) = match read_input(&file.path) {
                Err(error) => (
                    String::new(),
                    FileResult::Failed {
                        offset: 0,
                        message: format!("cannot read file: {error}"),
                    },
                ),
                Ok(bytes) if is_utf16(&bytes) => (
                    String::new(),
                    FileResult::Failed {
                        offset: 0,
                        message: "file is UTF-16 encoded; aksguard reads UTF-8 (re-save the file as UTF-8)"
                            .to_string(),
                    },
                ),
                Ok(bytes) => match String::from_utf8(strip_utf8_bom(bytes)) {
                    Err(error) => {
                        let offset = error.utf8_error().valid_up_to();
                        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                        (
                            text,
                            FileResult::Failed {
                                offset,
                                message: "file is not valid UTF-8".to_string(),
                            },
                        )
                    }
                    Ok(text) => {
                        let outcome = if file.path == std::path::Path::new(STDIN) {
                            parse_stdin(&text)
                        } else {
                            parse_text(id, file.kind, &text)
                        };
                        (text, outcome)
                    }
                },
            };
            let shown = if file.path == std::path::Path::new(STDIN) {
                std::path::PathBuf::from("<stdin>")
            } else {
                file.path.clone()
            };
            (SourceFile::new(shown, text), file.kind, outcome)
        })
        .collect();

    let mut parsed = Parsed::default();
    let mut sources = Vec::with_capacity(results.len());
    for (source, kind, outcome) in results {
        let id = FileId(sources.len() as u32);
        match outcome {
            FileResult::Skipped => continue,
            FileResult::Parsed(mut syntax) => {
                if let Syntax::Json(Some(value)) = &mut syntax {
                    value.set_file(id);
                }
                parsed.files.push(ParsedFile { id, kind, syntax })
            }
            FileResult::Arm(document, root) => {
                parsed.arm.push(arm::Document::new(id, document, root))
            }
            FileResult::Manifest(mut documents) => {
                documents.iter_mut().for_each(|d| d.set_file(id));
                parsed.manifests.push(kubernetes::Manifest {
                    file: id,
                    documents,
                })
            }
            FileResult::Failed { offset, message } => parsed
                .errors
                .push(syntax_error(id, &source, offset, message)),
        }
        sources.push(source);
    }
    parsed.sources = SourceMap::new(sources);
    parsed
}

/// The path that names standard input (`aksguard scan -`): read as Kubernetes manifests.
pub const STDIN: &str = "-";

/// Standard input is manifests by the user's word: any YAML error there is E001.
fn parse_stdin(text: &str) -> FileResult {
    match yaml::parse_stream(text) {
        Ok(documents) => FileResult::Manifest(documents),
        Err(error) => FileResult::Failed {
            offset: error.offset,
            message: error.message,
        },
    }
}

fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if path == std::path::Path::new(STDIN) {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
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

fn parse_text(id: FileId, kind: FileKind, text: &str) -> FileResult {
    match kind {
        FileKind::TerraformJson | FileKind::TfVarsJson => match json::parse(id, text) {
            Ok(value) => FileResult::Parsed(Syntax::Json(value)),
            Err(error) => FileResult::Failed {
                offset: error.offset,
                message: error.message,
            },
        },
        FileKind::Terraform | FileKind::TfVars => match terraform::parse(text) {
            Ok(body) => FileResult::Parsed(Syntax::Terraform(body)),
            Err(error) => FileResult::Failed {
                offset: error.offset,
                message: error.message,
            },
        },
        FileKind::Json => match arm::recognise(text) {
            arm::Recognised::Document(kind, root) => FileResult::Arm(kind, root),
            arm::Recognised::NotArm => FileResult::Skipped,
            arm::Recognised::Failed(error) => FileResult::Failed {
                offset: error.offset,
                message: error.message,
            },
        },
        FileKind::Yaml => match kubernetes::recognise(text) {
            kubernetes::Recognised::Manifest(documents) => FileResult::Manifest(documents),
            kubernetes::Recognised::NotKubernetes => FileResult::Skipped,
            kubernetes::Recognised::Failed(error) => FileResult::Failed {
                offset: error.offset,
                message: error.message,
            },
        },
    }
}

/// An `E001` finding at `offset`, spanning the character there (or nothing at end of file).
pub fn syntax_error(file: FileId, source: &SourceFile, offset: usize, message: String) -> Finding {
    let text = &source.text;
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .chars()
        .next()
        .filter(|c| *c != '\n')
        .map_or(start, |c| start + c.len_utf8());
    Finding {
        rule: "E001",
        level: Level::Error,
        outcome: Outcome::Violation,
        span: Span::new(file, start..end),
        message: format!("{} does not parse: {message}", source.display),
        resource: None,
        related: Vec::new(),
        help: Some(
            "fix the syntax error; aksguard cannot check what it cannot parse, and the rest of the scan went on without this file"
                .to_string(),
        ),
    }
}
