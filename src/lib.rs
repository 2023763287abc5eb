//! aksguard: finds AKS and Arc clusters, subscriptions and management groups in IaC that lack
//! Microsoft Defender for Containers, the Azure Policy add-on, auto-provisioning or ownership tags.
//!
//! The pipeline is discover → parse → model → rules → report; each stage is its own module.

pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
pub mod value;

use std::path::PathBuf;

use config::Config;
use finding::Finding;
use model::Model;
use source::SourceMap;

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub config: Config,
    /// Report unknown results at their rule's level, so they fail like violations.
    pub strict: bool,
    /// Terraform `--var-file` paths and `--var NAME=VALUE` values, for root modules.
    pub terraform: parse::terraform::TerraformInputs,
}

/// Everything a report needs: the sources (for snippets), the model (for the posture summary)
/// and the findings, sorted.
#[derive(Debug)]
pub struct ScanOutput {
    pub sources: SourceMap,
    pub model: Model,
    pub findings: Vec<Finding>,
    /// Directories or files the walk could not read; they make the exit status 2.
    pub walk_errors: Vec<String>,
}

/// Run the whole pipeline. Fails only when a given path does not exist; everything else (files that
/// do not parse, unreadable directories) is part of the output.
pub fn scan(options: &ScanOptions) -> Result<ScanOutput, discover::MissingPath> {
    let mut discovery = discover::discover(&options.paths)?;
    add_input_files(&mut discovery, &options.terraform.var_files)?;
    let parsed = parse::parse_all(&discovery.files);
    let (model, notes) =
        parse::terraform::build_model(&parsed.files, &parsed.sources, &options.terraform);
    let mut findings = parsed.errors;
    findings.extend(notes);
    findings.extend(rules::run(&model, &options.config, options.strict));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    Ok(ScanOutput {
        sources: parsed.sources,
        model,
        findings,
        walk_errors: discovery.errors,
    })
}

/// Files named on the command line (`--var-file`) are read by the parse stage like any other,
/// even when they lie outside the scanned paths.
fn add_input_files(
    discovery: &mut discover::Discovery,
    paths: &[PathBuf],
) -> Result<(), discover::MissingPath> {
    for path in paths {
        if !path.is_file() {
            return Err(discover::MissingPath(path.clone()));
        }
        let canonical = std::fs::canonicalize(path).ok();
        let known = discovery
            .files
            .iter()
            .any(|f| std::fs::canonicalize(&f.path).ok() == canonical);
        if !known {
            let kind = discover::classify(path).unwrap_or(discover::FileKind::TfVars);
            let kind = match kind {
                discover::FileKind::TfVarsJson | discover::FileKind::Json => {
                    discover::FileKind::TfVarsJson
                }
                _ => discover::FileKind::TfVars,
            };
            discovery.files.push(discover::Discovered {
                path: path.clone(),
                kind,
            });
        }
    }
    discovery.files.sort();
    Ok(())
}
