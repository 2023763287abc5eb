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
pub mod policy;
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
    /// ARM parameter files (`--param-file`); when given, every template is evaluated once with
    /// each of them instead of its name-paired parameter files.
    pub param_files: Vec<PathBuf>,
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
    if let Some(missing) = options.param_files.iter().find(|p| !p.is_file()) {
        return Err(discover::MissingPath(missing.clone()));
    }
    // Parameter files given by flag are read like scanned files (once, even when also scanned).
    for path in &options.param_files {
        discovery.files.push(discover::Discovered {
            path: path.clone(),
            kind: discover::FileKind::Json,
        });
    }
    discovery.files.sort();
    discovery.files.dedup_by(|a, b| a.path == b.path);
    let parsed = parse::parse_all(&discovery.files);
    let mut model = parse::terraform::build_model(&parsed.files, &parsed.sources);
    let arm = parse::arm::build_model(&parsed.arm, &parsed.sources, &options.param_files);
    model.extend(arm.model);
    let mut findings = parsed.errors;
    if options.config.rule_levels.get("E003") != Some(&config::RuleLevel::Off) {
        findings.extend(arm.not_analysed);
    }
    findings.extend(rules::run(&model, &options.config, options.strict));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // One result per rule, place and message: a template evaluated with several parameter files
    // reports what they have in common once, with every file's explanation.
    findings.dedup_by(|later, kept| {
        let same =
            later.rule == kept.rule && later.span == kept.span && later.message == kept.message;
        if same {
            for related in later.related.drain(..) {
                if !kept.related.contains(&related) {
                    kept.related.push(related);
                }
            }
        }
        same
    });
    Ok(ScanOutput {
        sources: parsed.sources,
        model,
        findings,
        walk_errors: discovery.errors,
    })
}
