//! The Terraform front end's options: `--var-file`, `--var` and `--plan`, and the `[terraform]`
//! table's `var_files` (also read at the top level of the config file, its older place).

use std::path::PathBuf;

use crate::discover::{self, Discovered, FileKind, MissingPath};
use crate::frontend::options::{config_then_flags, require_files, ConfigTable, FrontEndOptions};

use super::CliVar;

/// Inputs that decide root modules' variables, and plans whose values decide what they plan.
#[derive(clap::Args, Debug, Clone, Default)]
// No argument group: its flags are independent, and every front end's struct is `Options`.
#[group(skip)]
pub struct Options {
    /// Terraform variables file for root modules (repeatable; applied after the automatic tfvars)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Terraform variable for root modules, NAME=VALUE (repeatable; applied last)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Terraform plan as JSON (`terraform show -json tf.plan > plan.json`; repeatable): its
    /// planned values decide the clusters it plans, reported at their `.tf` blocks
    #[arg(long = "plan", value_name = "FILE")]
    pub plans: Vec<PathBuf>,
}

impl Options {
    /// The `--var` values, in the order given (each checked by [`OPTIONS`]' `merge`).
    pub fn cli_vars(&self) -> Vec<CliVar> {
        self.vars.iter().filter_map(|var| cli_var(var)).collect()
    }
}

/// `NAME=VALUE`, when it is one.
fn cli_var(var: &str) -> Option<CliVar> {
    let (name, value) = var.split_once('=')?;
    (!name.trim().is_empty()).then(|| CliVar {
        name: name.trim().to_string(),
        value: value.to_string(),
    })
}

pub const OPTIONS: FrontEndOptions = FrontEndOptions {
    table: ConfigTable {
        name: "terraform",
        keys: &["var_files"],
        top_level_aliases: true,
        // Its one key, `var_files`.
        read: |options, _, value, shown, reader| {
            if let Some(files) = reader.paths(value, shown) {
                options.terraform.var_files = files;
            }
        },
    },
    merge: |options, config| {
        let terraform = &mut options.terraform;
        if let Some(bad) = terraform.vars.iter().find(|var| cli_var(var).is_none()) {
            return Err(format!("--var {bad}: expected NAME=VALUE"));
        }
        config_then_flags(&config.terraform.var_files, &mut terraform.var_files);
        Ok(())
    },
    add_files: |options, files| {
        let terraform = &options.terraform;
        add_var_files(files, &terraform.var_files)?;
        require_files(&terraform.plans)?;
        // A plan is read as a plan even when the walk also found it (as JSON).
        files.retain(|file| !terraform.plans.contains(&file.path));
        for path in &terraform.plans {
            files.push(Discovered {
                path: path.clone(),
                kind: FileKind::TerraformPlan,
            });
        }
        Ok(())
    },
};

/// Variable files named on the command line (`--var-file`) are read by the parse stage like any
/// other, even when they lie outside the scanned paths.
fn add_var_files(files: &mut Vec<Discovered>, paths: &[PathBuf]) -> Result<(), MissingPath> {
    require_files(paths)?;
    if paths.is_empty() {
        return Ok(());
    }
    // Canonical paths of what the walk found, computed once (not once per variable file).
    let mut known: std::collections::HashSet<PathBuf> = files
        .iter()
        .filter_map(|f| std::fs::canonicalize(&f.path).ok())
        .collect();
    for path in paths {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if known.insert(canonical) {
            let kind = match discover::classify(path) {
                Some(FileKind::TfVarsJson | FileKind::Json) => FileKind::TfVarsJson,
                _ => FileKind::TfVars,
            };
            files.push(Discovered {
                path: path.clone(),
                kind,
            });
        }
    }
    files.sort();
    Ok(())
}
