//! The ARM front end's options, which Bicep shares: `--param-file` and the `[arm]` table's
//! `param_files` (also read at the top level of the config file, its older place).

use std::path::PathBuf;

use crate::discover::{self, Discovered, FileKind};
use crate::frontend::options::{config_then_flags, require_files, ConfigTable, FrontEndOptions};

/// Parameter files that replace name pairing, for ARM templates and Bicep files alike.
#[derive(clap::Args, Debug, Clone, Default)]
// No argument group: its flags are independent, and every front end's struct is `Options`.
#[group(skip)]
pub struct Options {
    /// ARM parameter file (repeatable): every template is evaluated once with each, instead of
    /// its name-paired parameter files
    #[arg(long = "param-file", value_name = "FILE")]
    pub param_files: Vec<PathBuf>,
}

pub const OPTIONS: FrontEndOptions = FrontEndOptions {
    table: ConfigTable {
        name: "arm",
        keys: &["param_files"],
        top_level_aliases: true,
        // Its one key, `param_files`.
        read: |options, _, value, shown, reader| {
            if let Some(files) = reader.paths(value, shown) {
                options.arm.param_files = files;
            }
        },
    },
    merge: |options, config| {
        config_then_flags(&config.arm.param_files, &mut options.arm.param_files);
        Ok(())
    },
    // Parameter files given by flag are read like scanned files (once, even when also scanned).
    add_files: |options, files| {
        let param_files = &options.arm.param_files;
        require_files(param_files)?;
        for path in param_files {
            files.push(Discovered {
                path: path.clone(),
                kind: match discover::classify(path) {
                    Some(FileKind::BicepParam) => FileKind::BicepParam,
                    _ => FileKind::Json,
                },
            });
        }
        Ok(())
    },
};
