//! AKS003: ownership tags on every AKS and Arc-enabled cluster.

use rayon::prelude::*;

use super::coverage::{self, Cover};
use super::{covered_finding, related, unknown_finding, Rule};
use crate::config::Config;
use crate::finding::{Finding, Level, Outcome};
use crate::model::{Cluster, Model, Notation, Setting, Tags};
use crate::policy::KnownPolicy;
use crate::value::UnknownCause;

pub const RULE: Rule = Rule {
    id: "AKS003",
    name: "cluster-ownership-tags",
    title: "Cluster without ownership tags",
    level: Level::Warning,
    doc: include_str!("../../rules/AKS003.md"),
    check: Some(check),
};

pub fn check(model: &Model, config: &Config) -> Vec<Finding> {
    if config.required_tags.is_empty() {
        return Vec::new();
    }
    let covers = coverage::active_covers(model);
    let tag_covers: Vec<(String, &Cover)> = covers
        .iter()
        .filter(|cover| cover.policy == KnownPolicy::Tag)
        .filter_map(|cover| {
            let tag_name = cover
                .assignment
                .parameters
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case("tagName"))?;
            Some((config.normalize_tag_key(tag_name.value.as_str()?), cover))
        })
        .collect();
    // Clusters are checked on every core (a monorepo holds thousands), collected in order.
    model
        .clusters
        .par_iter()
        .flat_map_iter(|cluster| check_cluster(cluster, config, &tag_covers))
        .collect()
}

/// Splits missing keys into those an active tag policy adds and those nothing adds.
fn split_covered<'a>(
    keys: Vec<String>,
    config: &Config,
    tag_covers: &'a [(String, &'a Cover<'a>)],
) -> (Vec<String>, Option<&'a Cover<'a>>, Vec<String>) {
    let mut covered = Vec::new();
    let mut cover = None;
    let mut uncovered = Vec::new();
    for key in keys {
        let wanted = config.normalize_tag_key(&key);
        match tag_covers.iter().find(|(name, _)| *name == wanted) {
            Some((_, found)) => {
                cover.get_or_insert(*found);
                covered.push(key);
            }
            None => uncovered.push(key),
        }
    }
    (covered, cover, uncovered)
}

fn check_cluster(
    cluster: &Cluster,
    config: &Config,
    tag_covers: &[(String, &Cover)],
) -> Vec<Finding> {
    let setting = &cluster.tags;
    let tags = match setting {
        Setting::Known { value, .. } => value,
        Setting::Absent { .. } => {
            return missing_or_covered(
                cluster,
                setting,
                config.required_tags.clone(),
                config,
                tag_covers,
            );
        }
        Setting::Unknown { unknown, .. } => {
            return vec![unknown_finding(
                &RULE,
                cluster,
                setting,
                unknown,
                "carries the ownership tags",
                fix(cluster, &config.required_tags),
            )];
        }
    };
    let mut findings = Vec::new();
    let mut missing_keys = Vec::new();
    for required in &config.required_tags {
        let wanted = config.normalize_tag_key(required);
        let Some(tag) = tags
            .entries
            .iter()
            .find(|tag| config.normalize_tag_key(&tag.key) == wanted)
        else {
            missing_keys.push(required.clone());
            continue;
        };
        match &tag.value {
            Setting::Known { value, .. } if value.trim().is_empty() => findings.push(
                Finding::new(
                    &RULE,
                    Outcome::Violation,
                    tag.value.span(),
                    format!(
                        "`{}` has an empty `{}` tag: nobody is accountable for it",
                        cluster.address, tag.key
                    ),
                )
                .resource(&cluster.address)
                .related(related(cluster, &tag.value))
                .help(format!(
                    "give the `{}` tag of `{}` a value",
                    tag.key, cluster.address
                )),
            ),
            // A value computed at apply (another resource's attribute) is still a value; an
            // unset input may be empty.
            Setting::Unknown { unknown, .. } if unknown.cause != UnknownCause::Computed => findings
                .push(unknown_finding(
                    &RULE,
                    cluster,
                    &tag.value,
                    unknown,
                    &format!("has a non-empty `{}` tag", tag.key),
                    format!(
                        "give the `{}` tag of `{}` a value",
                        tag.key, cluster.address
                    ),
                )),
            _ => {}
        }
    }
    if !missing_keys.is_empty() {
        match &tags.unknown_part {
            Some(unknown) => findings.push(unknown_finding(
                &RULE,
                cluster,
                setting,
                unknown,
                &format!("carries the tags {}", list(&missing_keys)),
                fix(cluster, &missing_keys),
            )),
            None => findings.extend(missing_or_covered(
                cluster,
                setting,
                missing_keys,
                config,
                tag_covers,
            )),
        }
    }
    findings
}

fn missing_or_covered(
    cluster: &Cluster,
    setting: &Setting<Tags>,
    keys: Vec<String>,
    config: &Config,
    tag_covers: &[(String, &Cover)],
) -> Vec<Finding> {
    let (covered, cover, uncovered) = split_covered(keys, config, tag_covers);
    let mut findings = Vec::new();
    if let Some(cover) = cover {
        findings.push(covered_finding(
            &RULE,
            cluster,
            setting,
            cover,
            &format!("lacks the tags {}", list(&covered)),
            fix(cluster, &covered),
        ));
    }
    if !uncovered.is_empty() {
        findings.push(missing(cluster, setting, &uncovered));
    }
    findings
}

fn missing(cluster: &Cluster, setting: &Setting<Tags>, keys: &[String]) -> Finding {
    let noun = if keys.len() == 1 { "tag" } else { "tags" };
    Finding::new(
        &RULE,
        Outcome::Violation,
        setting.span(),
        format!(
            "`{}` lacks the ownership {noun} {}: nobody is accountable for the cluster and its cost",
            cluster.address,
            list(keys)
        ),
    )
    .resource(&cluster.address)
    .related(related(cluster, setting))
    .help(fix(cluster, keys))
}

fn list(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fix(cluster: &Cluster, keys: &[String]) -> String {
    let pairs = |sep: &str, quote_keys: bool| {
        keys.iter()
            .map(|k| {
                if quote_keys {
                    format!("\"{k}\"{sep}\"...\"")
                } else {
                    format!("{k}{sep}\"...\"")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match cluster.dialect.notation() {
        Notation::Hcl => format!(
            "add `tags = {{ {} }}` to `{}` (or merge them into its existing tags)",
            pairs(" = ", true),
            cluster.address
        ),
        Notation::Json => format!(
            "add `\"tags\": {{ {} }}` to `{}`",
            pairs(": ", true),
            cluster.address
        ),
        Notation::Bicep => format!(
            "add `tags: {{ {} }}` to `{}`",
            pairs(": ", true).replace('"', "'"),
            cluster.address
        ),
        Notation::Yaml => match cluster.dialect.shape() {
            crate::model::Shape::CapzSpec => format!(
                "add `additionalTags: {{ {} }}` to the spec of `{}`",
                pairs(": ", false),
                cluster.address
            ),
            crate::model::Shape::CrossplaneParameters => format!(
                "add `tags: {{ {} }}` to `spec.forProvider` of `{}`",
                pairs(": ", false),
                cluster.address
            ),
            _ => format!(
                "add `tags: {{ {} }}` to the spec of `{}`",
                pairs(": ", false),
                cluster.address
            ),
        },
    }
}
