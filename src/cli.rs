//! Command line: argument parsing, running the scan, choosing the exit status.
//!
//! Exit status: 0 nothing at or above `--fail-on`; 1 something at or above it; 2 usage,
//! configuration or internal error. The same in every output format.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{Buffer, WriteColor};

use crate::finding::Level;
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
    /// Files or directories to scan
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE (the summary still goes to stderr)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
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
    /// Terraform variables file for root modules (repeatable; applied after the automatic tfvars)
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// Terraform variable for root modules, NAME=VALUE (repeatable; applied last)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Number of parser threads (default: one per core); output is identical whatever the number
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
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
        Command::Explain { id } => explain(&id),
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
    let mut config = crate::config::Config::default();
    if !args.rules.is_empty() {
        if let Some(unknown) = args.rules.iter().find(|id| rules::find(id).is_none()) {
            return fail(format!(
                "--rule {unknown}: no such rule; `aksguard rules` lists them"
            ));
        }
        for rule in rules::RULES {
            if !args.rules.iter().any(|id| id.eq_ignore_ascii_case(rule.id)) {
                config
                    .rule_levels
                    .insert(rule.id.to_string(), crate::config::RuleLevel::Off);
            }
        }
    }
    let mut vars = Vec::new();
    for var in &args.vars {
        match var.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                vars.push(crate::parse::terraform::CliVar {
                    name: name.trim().to_string(),
                    value: value.to_string(),
                })
            }
            _ => return fail(format!("--var {var}: expected NAME=VALUE")),
        }
    }
    let options = ScanOptions {
        paths: args.paths.clone(),
        config,
        strict: args.strict,
        terraform: crate::parse::terraform::TerraformInputs {
            var_files: args.var_files.clone(),
            vars,
        },
    };
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
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    if let Err(error) = report::render(args.format, &output, &mut buffer as &mut dyn WriteColor) {
        return fail(format!("cannot render the report: {error}"));
    }
    let written = match &args.output {
        Some(path) => std::fs::write(path, buffer.as_slice())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(buffer.as_slice())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write the report: {e}"))
        }
    };
    if let Err(error) = written {
        return fail(error);
    }
    if args.output.is_some() || args.format != Format::Human {
        eprintln!("{}", report::summary_line(&output));
    }
    for error in &output.walk_errors {
        eprintln!("error: {error}");
    }
    if !output.walk_errors.is_empty() {
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
            .any(|finding| finding.level >= threshold)
    });
    Status(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
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
