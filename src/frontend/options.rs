//! Every front end's own command-line flags and `.aksguard.toml` table, gathered.
//!
//! A front end declares its options in its folder: an `Options` struct (a `clap::Args`, so its
//! flags and their `--help` text live beside the code that reads them, which also holds what its
//! config table sets) and a [`FrontEndOptions`] saying how its table is read, how the config
//! file's settings combine with the command line's, and which files its flags name. A new front
//! end with options adds one field to [`Options`] and one line to [`FRONT_END_OPTIONS`].

use std::path::PathBuf;

use crate::config::file::{ConfigValue, Reader};
use crate::discover::{Discovered, MissingPath};

use super::{arm, helm, terraform};

/// The options of every front end that has some: flattened into the `scan` and `baseline`
/// commands (their flags appear in `--help` in this order), and read from the config file's
/// tables.
#[derive(clap::Args, Debug, Clone, Default)]
// No argument group: its flags are independent, and every front end's struct is `Options`.
#[group(skip)]
pub struct Options {
    #[command(flatten)]
    pub terraform: terraform::Options,
    #[command(flatten)]
    pub arm: arm::Options,
    #[command(flatten)]
    pub helm: helm::Options,
}

/// How one front end's options are read and used.
pub struct FrontEndOptions {
    pub table: ConfigTable,
    /// Combine the command line's options (`options`) with the config file's (`config`): config
    /// files first, then the flags'. An error is a bad flag value (exit status 2).
    pub merge: fn(options: &mut Options, config: &Options) -> Result<(), String>,
    /// Add the files its flags name to the discovered files, so the shared stage reads them like
    /// scanned ones; a named file that does not exist stops the scan.
    pub add_files: fn(&Options, &mut Vec<Discovered>) -> Result<(), MissingPath>,
}

/// A front end's table in `.aksguard.toml` (`[terraform]`).
pub struct ConfigTable {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    /// Its keys are also read at the top level of the file, where configurations written before
    /// the table existed set them (`var_files = [...]`).
    pub top_level_aliases: bool,
    /// Read `key` (one of `keys`) into the options; `shown` names it in messages
    /// (`terraform.var_files`, or `var_files` at the top level).
    pub read: fn(&mut Options, key: &str, value: &ConfigValue, shown: &str, reader: &mut Reader),
}

/// Every front end's options, in the order their named files join the scan (ARM's parameter
/// files, then Terraform's variable files and plans, then Helm's values files).
pub const FRONT_END_OPTIONS: &[FrontEndOptions] =
    &[arm::OPTIONS, terraform::OPTIONS, helm::OPTIONS];

impl Options {
    /// The command line's options after the config file's (see [`FrontEndOptions::merge`]).
    pub fn merge(&mut self, config: &Options) -> Result<(), String> {
        FRONT_END_OPTIONS
            .iter()
            .try_for_each(|front_end| (front_end.merge)(self, config))
    }

    /// Add every file the options name to `files`.
    pub fn add_files(&self, files: &mut Vec<Discovered>) -> Result<(), MissingPath> {
        FRONT_END_OPTIONS
            .iter()
            .try_for_each(|front_end| (front_end.add_files)(self, files))
    }
}

/// `config` then `flags`: a config file's default files, to which the command line adds.
pub fn config_then_flags(config: &[PathBuf], flags: &mut Vec<PathBuf>) {
    let from_flags = std::mem::take(flags);
    flags.extend(config.iter().cloned());
    flags.extend(from_flags);
}

/// The first of `paths` that is not a file, as the error that stops the scan.
pub fn require_files(paths: &[PathBuf]) -> Result<(), MissingPath> {
    match paths.iter().find(|path| !path.is_file()) {
        Some(missing) => Err(MissingPath(missing.clone())),
        None => Ok(()),
    }
}
