//! The rule catalogue is declared once (`src/rules/`); this keeps everything that restates it in
//! step: each rule's documentation `rules/<ID>.md`, the README's rule table, and the per-rule
//! fixtures under `testdata/rules/<ID>/` (every checking rule has a `pass/` and a `fail/`).

use std::path::Path;

use aksguard::rules::RULES;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rule_ids_are_unique_and_documented_once() {
    let mut ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len(), "a rule id is declared twice");
    for rule in RULES {
        let heading = format!("# {}: {}", rule.id, rule.title);
        assert_eq!(
            rule.doc.lines().next(),
            Some(heading.as_str()),
            "rules/{}.md must start with its declared id and title",
            rule.id
        );
    }
    let mut documented: Vec<String> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(String::from)
        })
        .collect();
    documented.sort();
    assert_eq!(documented, ids, "rules/*.md and the declared rules differ");
}

#[test]
fn readme_rule_table_lists_every_rule_with_its_level_and_title() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let rows: Vec<Vec<&str>> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| ID | Level | Checks |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let ids: Vec<&str> = rows.iter().map(|row| row[0]).collect();
    let declared: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
    assert_eq!(
        ids, declared,
        "README rule table rows differ from the catalogue"
    );
    for (row, rule) in rows.iter().zip(RULES) {
        assert!(
            row[1].starts_with(rule.level.as_str()),
            "README gives {} the level `{}`, the rule declares `{}`",
            rule.id,
            row[1],
            rule.level.as_str()
        );
        assert!(
            row[2].starts_with(rule.title),
            "README describes {} as `{}`; its declared title is `{}`",
            rule.id,
            row[2],
            rule.title
        );
    }
}

#[test]
fn every_checking_rule_has_pass_and_fail_fixtures() {
    let testdata = root().join("testdata/rules");
    for rule in RULES.iter().filter(|rule| rule.check.is_some()) {
        for intent in ["pass", "fail"] {
            let dir = testdata.join(rule.id).join(intent);
            assert!(
                dir.join("expected.txt").is_file(),
                "{} has no fixture {}",
                rule.id,
                dir.display()
            );
        }
    }
    for entry in std::fs::read_dir(&testdata)
        .expect("testdata/rules")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rule = aksguard::rules::find(&name)
            .unwrap_or_else(|| panic!("testdata/rules/{name} names no rule"));
        assert!(
            rule.check.is_some(),
            "testdata/rules/{name}: {name} has no check to test"
        );
    }
}
