//! aksguard: finds AKS and Arc clusters, subscriptions and management groups in IaC that lack
//! Microsoft Defender for Containers, the Azure Policy add-on, auto-provisioning or ownership tags.
//!
//! The pipeline is discover → front ends (parse, evaluate, lower; one folder per format) → model
//! → rules → report; each stage is its own module.

pub mod allocator;
pub mod baseline;
pub mod budget;
pub mod cli;
pub mod config;
pub mod custom_policy;
pub mod date;
pub mod discover;
pub mod encoding;
pub mod finding;
pub mod frontend;
pub mod model;
pub mod policy;
pub mod posture;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
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
    /// Apply no suppression (inline or config), to audit them; malformed ones are still reported.
    pub no_ignore: bool,
    /// The date suppressions expire against; `None` = today from the system clock.
    pub today: Option<date::Date>,
    /// Findings already known (`scan --baseline FILE`); they are left out of the report.
    pub baseline: Option<baseline::Baseline>,
    /// Every front end's options (its flags after its config table's settings): Terraform's
    /// variable files and plans, ARM's parameter files, Helm's values.
    pub front_ends: frontend::options::Options,
}

/// Everything a report needs: the sources (for snippets), the model (for the posture summary)
/// and the findings, sorted.
#[derive(Debug)]
pub struct ScanOutput {
    pub sources: SourceMap,
    pub model: Model,
    pub findings: Vec<Finding>,
    /// Directories or files the walk could not read, and internal errors (a front end or rule
    /// that failed on some input); they make the exit status 2.
    pub errors: Vec<String>,
    /// Findings an inline comment or a config ignore suppressed (SARIF can include them).
    pub suppressed: Vec<suppress::Suppressed>,
    /// How many findings the baseline left out, and its entries that matched nothing.
    pub baselined: usize,
    pub stale_baseline: Vec<baseline::Entry>,
    /// The playbook's KPIs, from the model and the results before suppression.
    pub posture: posture::Posture,
    /// Held for its `Drop`: see [`Freeing`].
    _freeing: Freeing,
}

/// The thread that frees a scan's syntax trees while its results are reported. Dropping the
/// output waits for it, so back-to-back scans never hold two scans' trees; the CLI never drops
/// its output (the process exits), so it never waits for the freeing.
#[derive(Debug)]
struct Freeing(Option<std::thread::JoinHandle<()>>);

impl Drop for Freeing {
    fn drop(&mut self) {
        if let Some(freeing) = self.0.take() {
            // A panic while freeing would be a bug in a destructor; the results are complete.
            let _ = freeing.join();
        }
    }
}

/// Run the whole pipeline. Fails only when a given path does not exist; everything else (files that
/// do not parse, unreadable directories) is part of the output.
pub fn scan(options: &ScanOptions) -> Result<ScanOutput, discover::MissingPath> {
    // Evaluators recurse as deep as their bounds allow (a chain of 200 locals, nested modules and
    // deployments), deeper than a default 2 MB thread stack holds: the scan runs on threads with
    // room for it, as many as the current pool has (`-j`).
    match rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(SCAN_STACK_BYTES)
        .build()
    {
        Ok(pool) => pool.install(|| scan_on_this_pool(options)),
        Err(_) => scan_on_this_pool(options),
    }
}

/// The stack of every thread a scan runs on.
const SCAN_STACK_BYTES: usize = 64 << 20;

fn scan_on_this_pool(options: &ScanOptions) -> Result<ScanOutput, discover::MissingPath> {
    // `-` is standard input, read as Kubernetes manifests (`helm template ... | aksguard scan -`).
    let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        (options.paths.iter().cloned()).partition(|p| p.as_os_str() == frontend::STDIN);
    let mut discovery = discover::discover(&paths)?;
    if !stdin.is_empty() {
        discovery.files.push(discover::Discovered {
            path: PathBuf::from(frontend::STDIN),
            kind: discover::FileKind::Manifests,
        });
    }
    // Files the front ends' flags name (parameter and variable files, plans) are read like
    // scanned ones.
    options.front_ends.add_files(&mut discovery.files)?;
    discovery.files.dedup_by(|a, b| a.path == b.path);
    exclude(&mut discovery.files, &options.config);
    // Directories read as a whole (Helm charts) are read beside the parsing of every other file.
    let mut parsed = frontend::read_all(&mut discovery.files, options);
    let (lowered, lowering_errors) = frontend::lower_all(&parsed, options);
    // The model owns what rules and reports read; the syntax trees are not needed past here.
    let freeing = frontend::drop_trees(std::mem::take(&mut parsed.files));
    let model = lowered.model;
    let mut findings = std::mem::take(&mut parsed.errors);
    // Modules, deployments and chart dependencies that could not be followed (E003).
    findings.extend(lowered.notes);
    let (checked, rule_errors) = rules::run(&model, &options.config);
    findings.extend(checked);
    let mut findings = rules::apply_levels(findings, &options.config, options.strict);
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
    let posture = posture::compute(&model, &findings, &options.config);
    let today = options
        .today
        .unwrap_or_else(|| date::Date::today().unwrap_or(date::Date::parse("1970-01-01").unwrap()));
    let applied = suppress::apply(
        findings,
        &mut parsed.sources,
        &options.config,
        today,
        options.no_ignore,
    );
    let (findings, baselined, stale_baseline) = match &options.baseline {
        Some(baseline) => baseline.filter(applied.findings, &parsed.sources),
        None => (applied.findings, 0, Vec::new()),
    };
    Ok(ScanOutput {
        sources: parsed.sources,
        model,
        findings,
        errors: discovery
            .errors
            .into_iter()
            .chain(parsed.internal_errors)
            .chain(lowering_errors)
            .chain(rule_errors)
            .collect(),
        suppressed: applied.suppressed,
        baselined,
        stale_baseline,
        posture,
        _freeing: Freeing(freeing),
    })
}

/// Drop the files the config's `exclude` globs match (relative to the config file's directory,
/// or to the working directory without a config file).
fn exclude(files: &mut Vec<discover::Discovered>, config: &Config) {
    let globs: Vec<globset::GlobMatcher> = config
        .exclude
        .iter()
        .filter_map(|glob| globset::Glob::new(glob).ok())
        .map(|glob| glob.compile_matcher())
        .collect();
    if globs.is_empty() {
        return;
    }
    let base = config
        .file
        .as_ref()
        .map_or_else(|| PathBuf::from("."), |file| file.dir().to_path_buf());
    let base = std::fs::canonicalize(base).ok();
    files.retain(|file| {
        let relative = base
            .as_deref()
            .zip(std::fs::canonicalize(&file.path).ok())
            .and_then(|(base, path)| {
                path.strip_prefix(base)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .unwrap_or_else(|| source::display_path(&file.path));
        !globs
            .iter()
            .any(|glob| suppress::path_matches(glob, &relative))
    });
}
