//! Bicep source: `.bicep` templates and `.bicepparam` parameter files, read directly.
//!
//! The lexer and parser are hand-written ([`parser`]); evaluation reuses the ARM function
//! library, since Bicep functions are ARM functions ([`eval`]); resources lower through the
//! shared ARM-shaped lowering ([`crate::frontend::arm_shape`]) as
//! [`crate::model::Dialect::Bicep`] ([`walk`]).
//!
//! Every template no other scanned template calls as a module is a root, evaluated once per
//! parameter source: each `.bicepparam` whose `using` names it, each JSON parameter file paired
//! by name (`main.parameters.json`, `main.parameters.dev.json`) or given with `--param-file`, or
//! else once with its defaults. Modules are evaluated through each call, with its arguments.

pub mod ast;
pub mod eval;
pub mod lexer;
pub mod parser;
mod walk;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::discover::FileKind;
use crate::finding::Finding;
use crate::frontend::{arm, ParsedFile};
use crate::model::Model;
use crate::source::{FileId, SourceMap};
use crate::value::{Related, Value};

pub use parser::parse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `*.bicep`
    Template,
    /// `*.bicepparam`
    Parameters,
}

pub const FRONT_END: crate::frontend::FrontEnd = crate::frontend::FrontEnd {
    name: "bicep",
    claims: |file| matches!(file.kind, FileKind::Bicep | FileKind::BicepParam),
    parse: |file, text| match parse(text) {
        Ok(program) => crate::frontend::ParseOutcome::Parsed(Box::new(Document {
            id: FileId(0),
            kind: match file.kind {
                FileKind::Bicep => DocumentKind::Template,
                _ => DocumentKind::Parameters,
            },
            program,
        })),
        Err(error) => crate::frontend::ParseOutcome::Failed(crate::frontend::SyntaxError {
            offset: error.offset,
            message: error.message,
        }),
    },
    // Spans in the syntax tree are byte ranges; the document carries its file.
    set_file: |syntax, id| {
        if let Some(document) = syntax.downcast_mut::<Document>() {
            document.id = id;
        }
    },
    referenced: |_, _| Vec::new(),
    directories: None,
    lower: |input| {
        let documents: Vec<&Document> = input
            .files
            .iter()
            .filter_map(|file| file.syntax.downcast_ref::<Document>())
            .collect();
        // JSON parameter files (`main.parameters.json`) are the ARM front end's documents.
        let arm_documents: Vec<&arm::Document> = input
            .files_of("arm")
            .iter()
            .filter_map(|file| file.syntax.downcast_ref::<arm::Document>())
            .collect();
        let output = build_model(
            &documents,
            &arm_documents,
            input.sources,
            &input.options.front_ends.arm.param_files,
        );
        crate::frontend::Lowered {
            model: output.model,
            notes: output.not_analysed,
        }
    },
};

/// A parsed `.bicep` or `.bicepparam` file; spans are byte ranges into the file `id`.
#[derive(Debug)]
pub struct Document {
    pub id: FileId,
    pub kind: DocumentKind,
    pub program: ast::Program,
}

/// What the Bicep front end found: the model for the rules, and modules it could not follow
/// (E003 notes).
#[derive(Debug, Default)]
pub struct BicepOutput {
    pub model: Model,
    pub not_analysed: Vec<Finding>,
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Evaluate every root template with each of its parameter sources and lower what it deploys.
pub fn build_model(
    documents: &[&Document],
    arm_documents: &[&arm::Document],
    sources: &SourceMap,
    param_files: &[PathBuf],
) -> BicepOutput {
    let by_path: HashMap<PathBuf, usize> = documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == DocumentKind::Template)
        .map(|(i, d)| (walk::normalise(&sources.get(d.id).path), i))
        .collect();
    let calls = walk::called(documents, sources, &by_path);
    let roots = roots(documents, &calls);
    let explicit = arm::params::explicit(arm_documents, sources, param_files);
    let explicit_paths: Vec<PathBuf> = param_files.iter().map(|p| canonical(p)).collect();
    let parameter_index = arm::params::ParameterIndex::new(arm_documents, sources);
    // `.bicepparam` files by the template their `using` names, found once rather than per root.
    let mut bicepparams_of: HashMap<PathBuf, Vec<&Document>> = HashMap::new();
    for params in documents
        .iter()
        .filter(|d| d.kind == DocumentKind::Parameters)
        // Given `--param-file`s replace the files found by pairing, as for ARM.
        .filter(|d| {
            explicit_paths.is_empty()
                || explicit_paths.contains(&canonical(&sources.get(d.id).path))
        })
    {
        if let Some(template) = uses(params, sources) {
            bicepparams_of.entry(template).or_default().push(params);
        }
    }
    // Roots are independent: each is evaluated on its own (in parallel), and the results join
    // in root order.
    let per_root: Vec<BicepOutput> = roots
        .par_iter()
        // One job per root (as per file in `read_and_parse`).
        .with_max_len(1)
        .map(|&root| {
            let mut walker = walk::Walker {
                documents,
                sources,
                by_path: &by_path,
                model: Model::default(),
                not_analysed: Vec::new(),
                budget: crate::budget::Budget::new(walk::BICEP_INSTANCE_BUDGET),
            };
            let document = documents[root];
            let source = sources.get(document.id);
            let mut inputs: Vec<(Vec<(String, Value)>, String)> = Vec::new();
            for params in bicepparams_of
                .get(&walk::normalise(&source.path))
                .into_iter()
                .flatten()
            {
                inputs.push(bicepparam_values(params, sources));
            }
            let json_files = if param_files.is_empty() {
                arm::params::paired_with_file(&source.path, ".bicep", &parameter_index)
            } else {
                explicit.clone()
            };
            for file in json_files {
                let (supplied, missing) = arm::params::supplied(Some(file), sources);
                let missing = match missing {
                    arm::expr::eval::MissingInput::FileDoesNotSet(file) => {
                        format!("{file} does not set it")
                    }
                    _ => "no parameter file sets it".to_string(),
                };
                inputs.push((
                    supplied
                        .into_iter()
                        .map(|(name, supplied)| (name, supplied.value))
                        .collect(),
                    missing,
                ));
            }
            if inputs.is_empty() {
                inputs.push((Vec::new(), "no parameter file".to_string()));
            }
            for (supplied, missing) in inputs {
                let mut template = eval::Template::new(
                    document.id,
                    &document.program,
                    &source.text,
                    supplied,
                    missing,
                );
                template.base_dir = source.path.parent().map(Path::to_path_buf);
                // Each evaluation of a root has its own budget: a scan grows linearly with its
                // roots.
                walker.budget = crate::budget::Budget::new(walk::BICEP_INSTANCE_BUDGET);
                walker.template(
                    &template,
                    &walk::Frame {
                        context: Vec::new(),
                        chain: vec![root],
                    },
                );
            }
            BicepOutput {
                model: walker.model,
                not_analysed: walker.not_analysed,
            }
        })
        .collect();
    // The same module reached from two roots lowers to the same resources: kept once, as when
    // the roots were walked one after another.
    let mut all = BicepOutput::default();
    let mut models = Vec::with_capacity(per_root.len());
    for part in per_root {
        models.push(part.model);
        all.not_analysed.extend(part.not_analysed);
    }
    all.model.extend_unique_all(models);
    all
}

/// Templates no other template calls, plus any that only a cycle reaches.
fn roots(documents: &[&Document], calls: &[Vec<usize>]) -> Vec<usize> {
    let templates =
        || (0..documents.len()).filter(|i| documents[*i].kind == DocumentKind::Template);
    let called: std::collections::HashSet<usize> = templates()
        .flat_map(|i| calls[i].iter().copied().filter(move |c| *c != i))
        .collect();
    let mut roots: Vec<usize> = templates().filter(|i| !called.contains(i)).collect();
    let mut reached: std::collections::HashSet<usize> = roots.iter().copied().collect();
    let mut stack = roots.clone();
    while let Some(next) = stack.pop() {
        for &callee in &calls[next] {
            if reached.insert(callee) {
                stack.push(callee);
            }
        }
    }
    roots.extend(templates().filter(|i| !reached.contains(i)));
    roots
}

/// The template a `.bicepparam` file's `using` names, normalised.
fn uses(params: &Document, sources: &SourceMap) -> Option<PathBuf> {
    params
        .program
        .statements
        .iter()
        .find_map(|s| match &s.kind {
            ast::StatementKind::Using(Some(path)) => match &params.program[*path].kind {
                ast::ExprKind::Str(path)
                    if !walk::is_remote(
                        params.program.text(path, &sources.get(params.id).text),
                    ) =>
                {
                    let source = sources.get(params.id);
                    Some(walk::module_path(
                        &source.path,
                        params.program.text(path, &source.text),
                    ))
                }
                _ => None,
            },
            _ => None,
        })
}

/// The values a `.bicepparam` file assigns, each carrying the line that set it, and how to say
/// that it sets a parameter not.
fn bicepparam_values(params: &Document, sources: &SourceMap) -> (Vec<(String, Value)>, String) {
    let source = sources.get(params.id);
    let display = walk::file_name(&source.display);
    let mut template = eval::Template::new(
        params.id,
        &params.program,
        &source.text,
        Vec::new(),
        format!("{display} does not set it"),
    );
    template.base_dir = source.path.parent().map(Path::to_path_buf);
    let evaluator = template.evaluator();
    let supplied = params
        .program
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            ast::StatementKind::Param {
                name,
                ty: None,
                value: Some(value),
            } => {
                let name = template.name(name);
                let value = template.expr(*value);
                let mut evaluated = evaluator.value(value);
                evaluated.provenance.push(Related {
                    span: template.span(&value.span),
                    message: format!("{display} sets {name} = {}", evaluated.describe()),
                });
                Some((name.to_string(), evaluated))
            }
            _ => None,
        })
        .collect();
    (supplied, format!("{display} does not set it"))
}

/// The paths of the `.bicep` templates this scan parsed: the ARM front end leaves the templates
/// compiled from them to this one.
pub fn template_paths(bicep_files: &[ParsedFile], sources: &SourceMap) -> HashSet<PathBuf> {
    bicep_files
        .iter()
        .filter_map(|file| file.syntax.downcast_ref::<Document>())
        .filter(|d| d.kind == DocumentKind::Template)
        .map(|d| sources.get(d.id).path.clone())
        .collect()
}
