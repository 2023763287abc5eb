//! Scan configuration: which tag keys are required, how they match, rule levels, excludes,
//! ignores and default input files. `.aksguard.toml` is read by [`file`].

pub mod file;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::finding::Level;

/// What a rule's level is set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Level(Level),
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Tag keys every cluster must carry (AKS003).
    pub required_tags: Vec<String>,
    /// Ignore `-`, `_` and spaces when matching tag keys (case is always ignored: Azure tag names
    /// are case-insensitive).
    pub tag_match_ignore_separators: bool,
    /// Per-rule level overrides; rules not listed keep their default level.
    pub rule_levels: BTreeMap<String, RuleLevel>,
    /// Path globs (relative to the config file's directory) whose files are not scanned.
    pub exclude: Vec<String>,
    /// Findings to leave out, by rule, path and resource, each with a reason.
    pub ignores: Vec<IgnoreEntry>,
    /// What the front ends' tables set (`[terraform] var_files`, `[arm] param_files`, `[helm]
    /// values_files`, paths resolved against the config file's directory): defaults the command
    /// line's flags add to.
    pub front_ends: crate::frontend::options::Options,
    /// The file this configuration was read from, if any: ignores and excludes are relative to
    /// its directory, and problems with its ignores point into it.
    pub file: Option<ConfigFile>,
}

/// A `.aksguard.toml` as read, kept so results (E002) can point into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
}

impl ConfigFile {
    /// The directory relative paths in the file are resolved against.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }
}

/// An `[[ignore]]` entry of the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Rule IDs, uppercase.
    pub rules: Vec<String>,
    /// Glob over the file path relative to the config file's directory; `None` = every file.
    pub path: Option<String>,
    /// Glob over the resource address (`azurerm_kubernetes_cluster.sandbox*`); `None` = any.
    pub resource: Option<String>,
    pub reason: String,
    pub until: Option<Date>,
    /// Byte range of the entry in the config file.
    pub span: Range<usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            required_tags: vec!["owner".to_string(), "cost-center".to_string()],
            tag_match_ignore_separators: true,
            rule_levels: BTreeMap::new(),
            exclude: Vec::new(),
            ignores: Vec::new(),
            front_ends: crate::frontend::options::Options::default(),
            file: None,
        }
    }
}

impl Config {
    /// The key as it is compared: lowercased and, when configured, without `-`, `_` and spaces,
    /// so `Owner`, `CostCenter` and `cost_center` match `owner` and `cost-center`.
    pub fn normalize_tag_key(&self, key: &str) -> String {
        key.chars()
            .filter(|c| !(self.tag_match_ignore_separators && matches!(c, '-' | '_' | ' ')))
            .flat_map(char::to_lowercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_keys_match_ignoring_case_and_separators() {
        let config = Config::default();
        assert_eq!(config.normalize_tag_key("CostCenter"), "costcenter");
        assert_eq!(config.normalize_tag_key("cost_center"), "costcenter");
        assert_eq!(config.normalize_tag_key("Cost Center"), "costcenter");
        let strict = Config {
            tag_match_ignore_separators: false,
            ..Config::default()
        };
        assert_eq!(strict.normalize_tag_key("Cost_Center"), "cost_center");
    }
}
