//! Command line: argument parsing, running the scan, choosing the exit status.
//!
//! Exit status: 0 nothing at or above `--fail-on`; 1 something at or above it; 2 usage,
//! configuration or internal error. The same in every output format.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{Ansi, Buffer, NoColor};

use crate::finding::{Level, Outcome};
use crate::report::{self, Format};
use crate::{rules, ScanOptions};

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(name = "aksguard", version, about = "Finds AKS clusters and Azure subscriptions left unprotected in Terraform, ARM/Bicep and Kubernetes IaC", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan IaC files and directories (default: the current directory)
    Scan(ScanArgs),
    /// List the rules
    Rules,
    /// Show a rule's documentation
    Explain {
        /// Rule ID, e.g. AKS001
        id: String,
    },
    /// Record the current findings, so `scan --baseline FILE` reports only new ones
    Baseline(BaselineArgs),
    /// Print a Helm chart's templates as aksguard renders them (for debugging a chart scan)
    Render(RenderArgs),
}

#[derive(clap::Args, Debug)]
struct RenderArgs {
    /// The chart directory (holding Chart.yaml)
    chart: PathBuf,
    /// Helm values file (repeatable, merged in order)
    #[arg(long = "values", value_name = "FILE")]
    values_files: Vec<PathBuf>,
    /// Helm value, KEY=VALUE in `helm --set` syntax (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// What to scan and with which inputs: shared by `scan` and `baseline`, so a baseline records
/// exactly what the same scan reports.
#[derive(clap::Args, Debug)]
struct InputArgs {
    /// Files or directories to scan
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Configuration file (default: the nearest .aksguard.toml from the first path upwards)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    // Every front end's flags (`--var-file`, `--param-file`, `--values`, ...), declared in its
    // folder.
    #[command(flatten)]
    front_ends: crate::frontend::options::Options,
}

#[derive(clap::Args, Debug)]
struct BaselineArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Where to write the baseline (JSON, see docs/baseline.md)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE (the summary still goes to stderr)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the SARIF report to FILE, from the same scan (in addition to --format/--output)
    #[arg(long, value_name = "FILE")]
    output_sarif: Option<PathBuf>,
    /// Also write the JSON report to FILE, from the same scan (in addition to --format/--output)
    #[arg(long, value_name = "FILE")]
    output_json: Option<PathBuf>,
    /// Exit with status 1 when a result is at or above this level
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Report unknown results at their rule's level, so they fail like violations
    #[arg(long)]
    strict: bool,
    /// Colour in human output (auto: only on a terminal, and never when NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Run only these rules (repeatable, e.g. --rule AKS001 --rule AKS002)
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Number of parser threads (default: one per core); output is identical whatever the number
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Apply no suppression (inline comments or config ignores): report everything, to audit them
    #[arg(long)]
    no_ignore: bool,
    /// Leave out the findings recorded in this baseline (written by `aksguard baseline`)
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// SARIF: `runs[0].automationDetails.id`, to tell apart several analyses of one repository
    #[arg(long, value_name = "ID")]
    category: Option<String>,
    /// SARIF: include suppressed results, each with its `suppressions` entry
    #[arg(long)]
    sarif_include_suppressed: bool,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                EXIT_ERROR.into()
            } else {
                EXIT_CLEAN.into()
            };
        }
    };
    let status = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules => list_rules(),
        Command::Render(args) => render_chart(&args),
        Command::Explain { id } => explain(&id),
        Command::Baseline(args) => write_baseline(args),
    };
    u8::from(status).into()
}

struct Status(u8);

impl From<Status> for u8 {
    fn from(status: Status) -> u8 {
        status.0
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.0)
    }
}

fn fail(message: impl std::fmt::Display) -> Status {
    eprintln!("error: {message}");
    Status(EXIT_ERROR)
}

fn scan(args: ScanArgs) -> Status {
    if let Some(jobs) = args.jobs {
        if let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
        {
            return fail(format!("cannot start {jobs} threads: {error}"));
        }
    }
    let mut options = match input_options(&args.inputs) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if !args.rules.is_empty() {
        if let Some(unknown) = args.rules.iter().find(|id| rules::find(id).is_none()) {
            return fail(format!(
                "--rule {unknown}: no such rule; `aksguard rules` lists them"
            ));
        }
        for rule in rules::RULES {
            if !args.rules.iter().any(|id| id.eq_ignore_ascii_case(rule.id)) {
                options
                    .config
                    .rule_levels
                    .insert(rule.id.to_string(), crate::config::RuleLevel::Off);
            }
        }
    }
    options.baseline = match args
        .baseline
        .as_deref()
        .map(crate::baseline::Baseline::read)
    {
        Some(Err(error)) => return fail(error),
        Some(Ok(baseline)) => Some(baseline),
        None => None,
    };
    options.strict = args.strict;
    options.no_ignore = args.no_ignore;
    let output = match crate::scan(&options) {
        Ok(output) => output,
        Err(missing) => return fail(missing),
    };

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = args.format == Format::Human
        && match args.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
    let report_options = report::ReportOptions {
        category: args.category.clone(),
        include_suppressed: args.sarif_include_suppressed,
    };
    let main_report = write_report(
        args.format,
        color,
        &output,
        &report_options,
        args.output.as_deref(),
    );
    if let Err(error) = main_report {
        return fail(error);
    }
    let extra = [
        (Format::Sarif, args.output_sarif.as_deref()),
        (Format::Json, args.output_json.as_deref()),
    ];
    for (format, path) in extra {
        let Some(path) = path else { continue };
        if let Err(error) = write_report(format, false, &output, &report_options, Some(path)) {
            return fail(error);
        }
    }
    if args.output.is_some() || args.format != Format::Human {
        eprintln!("{}", report::summary_line(&output));
    }
    report_baseline(&output);
    for error in &output.errors {
        eprintln!("error: {error}");
    }
    if !output.errors.is_empty() {
        return Status(EXIT_ERROR);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Note => Some(Level::Note),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|threshold| {
        output
            .findings
            .iter()
            .any(|finding| finding.outcome != Outcome::Pass && finding.level >= threshold)
    });
    // The process exits next: freeing a large scan's model and sources one allocation at a time
    // would take a twentieth of the run, for memory the exit returns at once.
    std::mem::forget(output);
    Status(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Render a report straight to `path` (standard output without one) as it is rendered, a chunk
/// of results at a time: a large report is tens of megabytes, and holding it whole before writing
/// it was that much more memory and one more copy on one core.
fn write_report(
    format: Format,
    color: bool,
    output: &crate::ScanOutput,
    options: &report::ReportOptions,
    path: Option<&std::path::Path>,
) -> Result<(), String> {
    let (sink, target): (Box<dyn Write>, String) = match path {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => (Box::new(file), path.display().to_string()),
            Err(error) => return Err(format!("cannot write {}: {error}", path.display())),
        },
        None => (Box::new(std::io::stdout().lock()), "the report".to_string()),
    };
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, sink);
    let rendered = if color {
        report::render_with(format, output, options, &mut Ansi::new(&mut writer))
    } else {
        report::render_with(format, output, options, &mut NoColor::new(&mut writer))
    };
    rendered
        .and_then(|()| writer.flush())
        .map_err(|error| format!("cannot write {target}: {error}"))
}

/// The configuration: `--config FILE`, else the nearest `.aksguard.toml` above the first path,
/// else the defaults. A bad file is shown with a snippet and makes the exit status 2.
fn load_config(
    explicit: Option<&std::path::Path>,
    paths: &[PathBuf],
) -> Result<crate::config::Config, Status> {
    use crate::config::file;
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => paths.first().and_then(|first| file::discover(first)),
    };
    let Some(path) = path else {
        return Ok(crate::config::Config::default());
    };
    file::load(&path).map_err(|error| {
        let mut buffer = if std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let _ = error.render(&mut buffer);
        let _ = std::io::stderr().write_all(buffer.as_slice());
        Status(EXIT_ERROR)
    })
}

/// Baseline bookkeeping goes to stderr, so it never changes a report's format: how many known
/// findings were left out, and the entries that no longer match (fixed, renamed or moved).
fn report_baseline(output: &crate::ScanOutput) {
    if output.baselined > 0 {
        eprintln!(
            "aksguard: {} known finding(s) left out by the baseline",
            output.baselined
        );
    }
    if !output.stale_baseline.is_empty() {
        let stale: usize = output.stale_baseline.iter().map(|e| e.count).sum();
        let noun = if stale == 1 { "finding" } else { "findings" };
        eprintln!("aksguard: {stale} baselined {noun} no longer found (fixed, moved or renamed); regenerate the baseline with `aksguard baseline` to drop them:");
        for entry in &output.stale_baseline {
            eprintln!(
                "  {} {} {} (x{})",
                entry.rule,
                entry.path,
                entry
                    .resource
                    .as_deref()
                    .or(entry.message.as_deref())
                    .unwrap_or(""),
                entry.count
            );
        }
    }
}

/// The scan options `inputs` describe: the configuration file, then the command line's files.
fn input_options(inputs: &InputArgs) -> Result<ScanOptions, Status> {
    let config = load_config(inputs.config.as_deref(), &inputs.paths)?;
    let mut front_ends = inputs.front_ends.clone();
    front_ends.merge(&config.front_ends).map_err(fail)?;
    let today = crate::date::Date::today().map_err(fail)?;
    Ok(ScanOptions {
        paths: inputs.paths.clone(),
        front_ends,
        config,
        today: Some(today),
        ..ScanOptions::default()
    })
}

/// `aksguard render`: each template as `helm template` prints it (`# Source:` headers), and
/// for a template that is not rendered, why.
fn render_chart(args: &RenderArgs) -> Status {
    if !args.chart.join("Chart.yaml").is_file() {
        return fail(format!("{}: no Chart.yaml", args.chart.display()));
    }
    if let Some(missing) = args.values_files.iter().find(|p| !p.is_file()) {
        return fail(format!("{}: no such file", missing.display()));
    }
    let mut stdout = std::io::stdout().lock();
    for (name, result) in
        crate::frontend::helm::render_for_display(&args.chart, &args.values_files, &args.set)
    {
        let text = match result {
            Ok(text) if text.trim().is_empty() || name.ends_with("/NOTES.txt") => continue,
            Ok(text) => format!("---\n# Source: {name}\n{text}\n"),
            Err(message) => format!("---\n# Source: {name}\n# aksguard: not rendered: {message}\n"),
        };
        let _ = stdout.write_all(text.as_bytes());
    }
    Status(EXIT_CLEAN)
}

fn write_baseline(args: BaselineArgs) -> Status {
    let options = match input_options(&args.inputs) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let output = match crate::scan(&options) {
        Ok(output) => output,
        Err(missing) => return fail(missing),
    };
    let baseline = crate::baseline::Baseline::of(&output.findings, &output.sources);
    if let Err(error) = std::fs::write(&args.output, baseline.to_json()) {
        return fail(format!("cannot write {}: {error}", args.output.display()));
    }
    let recorded: usize = baseline.entries.iter().map(|e| e.count).sum();
    eprintln!(
        "aksguard: recorded {recorded} finding(s) under {} key(s) in {}",
        baseline.entries.len(),
        args.output.display()
    );
    for error in &output.errors {
        eprintln!("error: {error}");
    }
    Status(if output.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

fn list_rules() -> Status {
    let mut out = String::new();
    out.push_str(&format!("{:<8} {:<8} {}\n", "ID", "LEVEL", "CHECKS"));
    for rule in rules::RULES {
        out.push_str(&format!(
            "{:<8} {:<8} {}\n",
            rule.id,
            rule.level.as_str(),
            rule.title
        ));
    }
    out.push_str("\nRun `aksguard explain ID` for a rule's documentation.\n");
    print!("{out}");
    Status(EXIT_CLEAN)
}

fn explain(id: &str) -> Status {
    match rules::find(id) {
        Some(rule) => {
            print!("{}", rule.doc);
            Status(EXIT_CLEAN)
        }
        None => fail(format!(
            "no rule `{id}`; `aksguard rules` lists them ({})",
            rules::RULES
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
