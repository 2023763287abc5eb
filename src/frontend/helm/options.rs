//! The Helm front end's options: `--values` and `--set`, and the `[helm]` table's
//! `values_files` (also read at the top level of the config file, its older place).

use std::path::PathBuf;

use crate::frontend::options::{config_then_flags, require_files, ConfigTable, FrontEndOptions};

/// What every chart is rendered with, after its own `values.yaml`.
#[derive(clap::Args, Debug, Clone, Default)]
// No argument group: its flags are independent, and every front end's struct is `Options`.
#[group(skip)]
pub struct Options {
    /// Helm values file for charts (repeatable; merged in order after the config's values_files)
    #[arg(long = "values", value_name = "FILE")]
    pub values_files: Vec<PathBuf>,
    /// Helm value for charts, KEY=VALUE in `helm --set` syntax (repeatable; applied last)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub const OPTIONS: FrontEndOptions = FrontEndOptions {
    table: ConfigTable {
        name: "helm",
        keys: &["values_files"],
        top_level_aliases: true,
        // Its one key, `values_files`.
        read: |options, _, value, shown, reader| {
            if let Some(files) = reader.paths(value, shown) {
                options.helm.values_files = files;
            }
        },
    },
    merge: |options, config| {
        config_then_flags(&config.helm.values_files, &mut options.helm.values_files);
        Ok(())
    },
    // Values files are read by the chart rendering, not the shared stage; they must exist.
    add_files: |options, _| require_files(&options.helm.values_files),
};
