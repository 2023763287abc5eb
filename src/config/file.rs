//! `.aksguard.toml`: finding it, reading it with spans, and reporting its mistakes against the
//! file itself (unknown keys and bad values are errors with a snippet, exit status 2).
//!
//! The file is walked by hand over `toml`'s spanned tables rather than deserialized with serde, so
//! every error points at the exact key or value, and unknown keys are caught everywhere. Each
//! front end's table (`[terraform]`, ...) is read by that front end through [`Reader`]
//! (`crate::frontend::options`).

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Config, ConfigFile, IgnoreEntry, RuleLevel};
use crate::date::Date;
use crate::finding::Level;
use crate::frontend::options::{ConfigTable, FRONT_END_OPTIONS};
use crate::rules;

/// The name looked for from the scanned path upwards.
pub const FILE_NAME: &str = ".aksguard.toml";

/// A config file that cannot be used: either unreadable, or with mistakes located in its text.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    /// Each mistake with the byte range it is about; empty range when the whole file is at fault.
    pub mistakes: Vec<(Range<usize>, String)>,
}

impl ConfigError {
    fn single(path: &Path, text: String, range: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            text,
            mistakes: vec![(range, message)],
        }
    }

    /// Render every mistake as a diagnostic with a snippet of the config file, like scan results.
    pub fn render(&self, out: &mut dyn WriteColor) -> io::Result<()> {
        let file = SimpleFile::new(crate::source::display_path(&self.path), &self.text);
        let config = term::Config::default();
        for (range, message) in &self.mistakes {
            let mut diagnostic = Diagnostic::error()
                .with_message(format!("invalid configuration: {message}"))
                .with_notes(vec![
                    "note: the configuration format is described in docs/configuration.md"
                        .to_string(),
                ]);
            if !self.text.is_empty() {
                let range = range.start.min(self.text.len())..range.end.min(self.text.len());
                diagnostic = diagnostic.with_labels(vec![Label::primary((), range)]);
            }
            term::emit_to_write_style(out, &config, &file, &diagnostic)
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(())
    }
}

/// The nearest `.aksguard.toml` in `start` (or its directory, for a file) and its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    dir.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Read and check a config file; values not set keep their defaults.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        ConfigError::single(path, String::new(), 0..0, format!("cannot read: {error}"))
    })?;
    parse(path, text)
}

/// Check `text` as the config file at `path`.
pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
    let table = match DeTable::parse(&text) {
        Ok(table) => table,
        Err(error) => {
            let range = error.span().unwrap_or(0..0);
            let message = error.message().trim().to_string();
            return Err(ConfigError::single(path, text, range, message));
        }
    };
    let mut reader = Reader {
        mistakes: Vec::new(),
        base: path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .to_path_buf(),
    };
    let mut config = Config::default();
    reader.read_root(table.get_ref(), &mut config);
    let mut mistakes = reader.mistakes;
    if !mistakes.is_empty() {
        mistakes.sort_by_key(|(range, _)| (range.start, range.end));
        return Err(ConfigError {
            path: path.to_path_buf(),
            text,
            mistakes,
        });
    }
    config.file = Some(ConfigFile {
        path: path.to_path_buf(),
        text,
    });
    Ok(config)
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// A value of the config file, with its span.
pub type ConfigValue<'i> = Spanned<DeValue<'i>>;

/// Reads the file, collecting every mistake rather than stopping at the first, so one run shows
/// them all. Front ends read their tables through it.
pub struct Reader {
    mistakes: Vec<(Range<usize>, String)>,
    /// The config file's directory, which relative paths are resolved against.
    base: PathBuf,
}

impl Reader {
    fn mistake(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.mistakes.push((range, message.into()));
    }

    fn unknown_key(&mut self, (key, _): Entry, table: &str, known: &[&str]) {
        let hint = match strsim_closest(key.get_ref(), known) {
            Some(close) => format!("; did you mean `{close}`?"),
            None => format!("; expected one of {}", quoted(known)),
        };
        self.mistake(
            key.span(),
            format!("unknown key `{}` in {table}{hint}", key.get_ref()),
        );
    }

    fn read_root(&mut self, table: &DeTable, config: &mut Config) {
        let tables = || FRONT_END_OPTIONS.iter().map(|front_end| &front_end.table);
        let aliases = || {
            tables()
                .filter(|table| table.top_level_aliases)
                .flat_map(|table| table.keys.iter().copied())
        };
        let top_level: Vec<&str> = table
            .iter()
            .map(|(key, _)| key.get_ref().as_ref())
            .collect();
        for entry in table.iter() {
            let (key, value) = entry;
            match key.get_ref().as_ref() {
                "tags" => self.read_tags(value, config),
                "rules" => self.read_rules(value, config),
                "exclude" => {
                    if let Some(globs) = self.strings(value, "exclude") {
                        for (glob, range) in &globs {
                            self.check_glob(glob, range.clone());
                        }
                        config.exclude = globs.into_iter().map(|(g, _)| g).collect();
                    }
                }
                "ignore" => self.read_ignores(value, config),
                name => {
                    if let Some(front_end) = tables().find(|table| table.name == name) {
                        self.read_front_end_table(front_end, value, &top_level, config);
                    } else if let Some(front_end) =
                        tables().find(|table| table.top_level_aliases && table.keys.contains(&name))
                    {
                        (front_end.read)(&mut config.front_ends, name, value, name, self);
                    } else {
                        let known: Vec<&str> = ["tags", "rules", "exclude", "ignore"]
                            .into_iter()
                            .chain(tables().map(|table| table.name))
                            .chain(aliases())
                            .collect();
                        self.unknown_key(entry, "the configuration", &known);
                    }
                }
            }
        }
    }

    /// A front end's table (`[terraform]`); a key it also accepts at the top level may be set in
    /// one place only.
    fn read_front_end_table(
        &mut self,
        front_end: &ConfigTable,
        value: &Spanned<DeValue>,
        top_level: &[&str],
        config: &mut Config,
    ) {
        let Some(table) = self.table(value, front_end.name) else {
            return;
        };
        let shown_table = format!("[{}]", front_end.name);
        for entry in table.iter() {
            let (key, value) = entry;
            let name = key.get_ref().as_ref();
            if !front_end.keys.contains(&name) {
                self.unknown_key(entry, &shown_table, front_end.keys);
            } else if front_end.top_level_aliases && top_level.contains(&name) {
                self.mistake(
                    key.span(),
                    format!("`{name}` is set both at the top level and in {shown_table}; keep the one in {shown_table} (the top-level key is its older spelling)"),
                );
            } else {
                let shown = format!("{}.{name}", front_end.name);
                (front_end.read)(&mut config.front_ends, name, value, &shown, self);
            }
        }
    }

    fn read_tags(&mut self, value: &Spanned<DeValue>, config: &mut Config) {
        let Some(table) = self.table(value, "tags") else {
            return;
        };
        for entry in table.iter() {
            let (key, value) = entry;
            match key.get_ref().as_ref() {
                "required" => {
                    if let Some(tags) = self.strings(value, "tags.required") {
                        for (tag, range) in &tags {
                            if tag.trim().is_empty() {
                                self.mistake(range.clone(), "a required tag key cannot be empty");
                            }
                        }
                        config.required_tags = tags.into_iter().map(|(t, _)| t).collect();
                    }
                }
                "ignore_separators" => match value.get_ref() {
                    DeValue::Boolean(flag) => config.tag_match_ignore_separators = *flag,
                    other => {
                        self.wrong_type(value.span(), "tags.ignore_separators", "a boolean", other)
                    }
                },
                _ => self.unknown_key(entry, "[tags]", &["required", "ignore_separators"]),
            }
        }
    }

    fn read_rules(&mut self, value: &Spanned<DeValue>, config: &mut Config) {
        let Some(table) = self.table(value, "rules") else {
            return;
        };
        for (key, value) in table.iter() {
            let Some(rule) = rules::find(key.get_ref()) else {
                self.mistake(
                    key.span(),
                    format!("no rule `{}`; `aksguard rules` lists them", key.get_ref()),
                );
                continue;
            };
            if rule.id == "E001" {
                self.mistake(
                    key.span(),
                    "E001 (files that do not parse) cannot be reconfigured: aksguard cannot vouch for what it did not read",
                );
                continue;
            }
            let level = match value.get_ref().as_str() {
                Some("off") => RuleLevel::Off,
                Some("error") => RuleLevel::Level(Level::Error),
                Some("warning") => RuleLevel::Level(Level::Warning),
                Some("note") => RuleLevel::Level(Level::Note),
                _ => {
                    self.mistake(
                        value.span(),
                        format!(
                            "the level of {} must be one of \"error\", \"warning\", \"note\", \"off\"",
                            rule.id
                        ),
                    );
                    continue;
                }
            };
            config.rule_levels.insert(rule.id.to_string(), level);
        }
    }

    fn read_ignores(&mut self, value: &Spanned<DeValue>, config: &mut Config) {
        let DeValue::Array(entries) = value.get_ref() else {
            self.mistake(
                value.span(),
                "`ignore` must be an array of tables: write each entry as `[[ignore]]`",
            );
            return;
        };
        for entry in entries.iter() {
            if let Some(ignore) = self.read_ignore(entry) {
                config.ignores.push(ignore);
            }
        }
    }

    fn read_ignore(&mut self, value: &Spanned<DeValue>) -> Option<IgnoreEntry> {
        const KEYS: &[&str] = &["rule", "rules", "path", "resource", "reason", "until"];
        let table = self.table(value, "ignore")?;
        let mut ignore = IgnoreEntry {
            rules: Vec::new(),
            path: None,
            resource: None,
            reason: String::new(),
            until: None,
            span: value.span(),
        };
        let mut ok = true;
        let mut has_reason = false;
        for entry in table.iter() {
            let (key, value) = entry;
            match key.get_ref().as_ref() {
                name @ ("rule" | "rules") => {
                    let ids = if name == "rule" {
                        self.string(value, "ignore.rule")
                            .map(|id| vec![(id, value.span())])
                    } else {
                        self.strings(value, "ignore.rules")
                    };
                    for (id, range) in ids.unwrap_or_default() {
                        match rules::find(&id) {
                            Some(rule) if rule.id == "E001" => {
                                ok = false;
                                self.mistake(
                                    range,
                                    "E001 (files that do not parse) cannot be ignored",
                                );
                            }
                            Some(rule) => ignore.rules.push(rule.id.to_string()),
                            None => {
                                ok = false;
                                self.mistake(
                                    range,
                                    format!("no rule `{id}`; `aksguard rules` lists them"),
                                );
                            }
                        }
                    }
                }
                "path" => {
                    ignore.path = self.string(value, "ignore.path");
                    if let Some(glob) = &ignore.path {
                        ok &= self.check_glob(glob, value.span());
                    }
                }
                "resource" => {
                    ignore.resource = self.string(value, "ignore.resource");
                    if let Some(glob) = &ignore.resource {
                        ok &= self.check_glob(glob, value.span());
                    }
                }
                "reason" => {
                    has_reason = true;
                    let reason = self.string(value, "ignore.reason").unwrap_or_default();
                    if reason.trim().is_empty() {
                        ok = false;
                        self.mistake(value.span(), "the reason of an ignore cannot be empty");
                    }
                    ignore.reason = reason.trim().to_string();
                }
                "until" => {
                    let text = match value.get_ref() {
                        DeValue::String(text) => Some(text.to_string()),
                        DeValue::Datetime(datetime) => Some(datetime.to_string()),
                        _ => None,
                    };
                    match text.as_deref().and_then(Date::parse) {
                        Some(date) => ignore.until = Some(date),
                        None => {
                            ok = false;
                            self.mistake(value.span(), "`until` must be a date YYYY-MM-DD");
                        }
                    }
                }
                _ => {
                    ok = false;
                    self.unknown_key(entry, "[[ignore]]", KEYS);
                }
            }
        }
        if ignore.rules.is_empty() && ok {
            ok = false;
            self.mistake(
                value.span(),
                "an ignore needs `rule = \"ID\"` (or `rules = [...]`)",
            );
        }
        if !has_reason {
            ok = false;
            self.mistake(
                value.span(),
                "an ignore needs `reason = \"...\"`: say why the finding does not apply",
            );
        }
        ok.then_some(ignore)
    }

    fn check_glob(&mut self, glob: &str, range: Range<usize>) -> bool {
        match globset::Glob::new(glob) {
            Ok(_) => true,
            Err(error) => {
                self.mistake(range, format!("invalid glob `{glob}`: {}", error.kind()));
                false
            }
        }
    }

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        name: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                self.wrong_type(value.span(), name, "a table", other);
                None
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue>, name: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(text) => Some(text.to_string()),
            other => {
                self.wrong_type(value.span(), name, "a string", other);
                None
            }
        }
    }

    /// An array of paths, resolved against the config file's directory.
    pub fn paths(&mut self, value: &Spanned<DeValue>, name: &str) -> Option<Vec<PathBuf>> {
        let paths = self.strings(value, name)?;
        Some(paths.into_iter().map(|(p, _)| self.base.join(p)).collect())
    }

    fn strings(
        &mut self,
        value: &Spanned<DeValue>,
        name: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value.span(), name, "an array of strings", value.get_ref());
            return None;
        };
        let mut strings = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push((text.to_string(), item.span())),
                other => {
                    self.wrong_type(item.span(), name, "an array of strings", other);
                    return None;
                }
            }
        }
        Some(strings)
    }

    fn wrong_type(&mut self, range: Range<usize>, name: &str, expected: &str, found: &DeValue) {
        self.mistake(
            range,
            format!("`{name}` must be {expected}, not {}", found.type_str()),
        );
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known name closest to a misspelt one, when it is close enough to be a typo.
fn strsim_closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, ConfigError> {
        parse(Path::new("/repo/.aksguard.toml"), text.to_string())
    }

    #[test]
    fn reads_every_setting() {
        let config = parse_text(
            r#"
exclude = ["examples/**"]
var_files = ["env/prod.tfvars"]
[tags]
required = ["owner"]
ignore_separators = false
[rules]
AKS003 = "off"
aks001 = "warning"
[[ignore]]
rule = "AKS002"
path = "sandbox/**"
resource = "azurerm_kubernetes_cluster.sandbox*"
reason = "sandbox clusters are throwaway"
until = 2030-01-31
"#,
        )
        .unwrap();
        assert_eq!(config.required_tags, ["owner"]);
        assert!(!config.tag_match_ignore_separators);
        assert_eq!(config.rule_levels["AKS003"], RuleLevel::Off);
        assert_eq!(
            config.rule_levels["AKS001"],
            RuleLevel::Level(Level::Warning)
        );
        assert_eq!(config.exclude, ["examples/**"]);
        assert_eq!(
            config.front_ends.terraform.var_files,
            [PathBuf::from("/repo/env/prod.tfvars")]
        );
        let ignore = &config.ignores[0];
        assert_eq!(ignore.rules, ["AKS002"]);
        assert_eq!(ignore.until, Date::parse("2030-01-31"));
    }

    #[test]
    fn unknown_keys_point_at_the_key_with_a_suggestion() {
        let text = "[tags]\nrequried = [\"owner\"]\n";
        let error = parse_text(text).unwrap_err();
        let (range, message) = &error.mistakes[0];
        assert_eq!(&text[range.clone()], "requried");
        assert!(message.contains("did you mean `required`"), "{message}");
    }

    #[test]
    fn every_mistake_is_reported() {
        let error = parse_text(
            "[rules]\nAKS999 = \"off\"\nAKS001 = \"loud\"\n[[ignore]]\nrule = \"AKS001\"\n",
        )
        .unwrap_err();
        let messages: Vec<&str> = error.mistakes.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("no rule `AKS999`"));
        assert!(messages[1].contains("must be one of"));
        assert!(messages[2].contains("needs `reason"));
    }

    #[test]
    fn front_end_tables_and_their_top_level_aliases_are_read() {
        let config = parse_text(
            "param_files = [\"p.json\"]\n[terraform]\nvar_files = [\"env/prod.tfvars\"]\n[helm]\nvalues_files = [\"v.yaml\"]\n",
        )
        .unwrap();
        let front_ends = &config.front_ends;
        assert_eq!(
            front_ends.terraform.var_files,
            [PathBuf::from("/repo/env/prod.tfvars")]
        );
        assert_eq!(front_ends.arm.param_files, [PathBuf::from("/repo/p.json")]);
        assert_eq!(
            front_ends.helm.values_files,
            [PathBuf::from("/repo/v.yaml")]
        );
    }

    #[test]
    fn front_end_tables_report_their_mistakes() {
        let text = "var_files = []\n[terraform]\nvar_files = []\nvar_file = []\n[arm]\nparam_files = \"p.json\"\n";
        let error = parse_text(text).unwrap_err();
        let mistakes: Vec<(&str, &str)> = error
            .mistakes
            .iter()
            .map(|(range, message)| (&text[range.clone()], message.as_str()))
            .collect();
        assert_eq!(mistakes.len(), 3, "{mistakes:?}");
        assert_eq!(mistakes[0].0, "var_files");
        assert!(mistakes[0]
            .1
            .contains("set both at the top level and in [terraform]"));
        assert_eq!(mistakes[1].0, "var_file");
        assert!(mistakes[1]
            .1
            .contains("in [terraform]; did you mean `var_files`?"));
        assert_eq!(mistakes[2].0, "\"p.json\"");
        assert!(mistakes[2]
            .1
            .contains("`arm.param_files` must be an array of strings"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = parse_text("exclude = [\n").unwrap_err();
        assert_eq!(error.mistakes.len(), 1);
    }
}
