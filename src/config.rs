//! Scan configuration: which tag keys are required, how they match, and rule levels.

use std::collections::BTreeMap;

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
}

impl Default for Config {
    fn default() -> Config {
        Config {
            required_tags: vec!["owner".to_string(), "cost-center".to_string()],
            tag_match_ignore_separators: true,
            rule_levels: BTreeMap::new(),
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
