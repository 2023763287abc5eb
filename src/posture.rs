//! The posture summary (SPEC §6): the playbook's KPIs, computed from the model and the rules'
//! results before suppressions and baselines, so a suppressed finding is not counted as protected.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Outcome};
use crate::model::{AssignmentScope, Cluster, ClusterKind, Model, Setting};
use crate::rules::coverage;

/// How many clusters have one protection, by how they have it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Share {
    /// The rule was not run (turned off or not selected): the counts below say nothing.
    pub checked: bool,
    /// Declared in the IaC.
    pub declared: usize,
    /// Provided by an active policy assignment in the scan.
    pub covered: usize,
    /// Depends on an input that cannot be known statically.
    pub unknown: usize,
    /// Missing or off.
    pub missing: usize,
}

impl Share {
    /// Protected = declared + covered.
    pub fn protected(&self) -> usize {
        self.declared + self.covered
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Posture {
    pub clusters: usize,
    pub aks_clusters: usize,
    pub arc_clusters: usize,
    /// AKS: the Defender profile (AKS001); Arc: the Defender extension (ARC001).
    pub defender_sensor: Share,
    /// AKS: the Azure Policy add-on (AKS002); Arc: the Azure Policy extension (ARC002).
    pub azure_policy: Share,
    pub ownership_tags: Share,
    pub subscriptions_created: usize,
    pub management_groups: usize,
    /// Pricings for the Containers plan at Standard, and at Free.
    pub containers_plan_standard: usize,
    pub containers_plan_free: usize,
    /// Assignments of provisioning policies: active (at subscription / management-group scope)
    /// and inert (POL001).
    pub provisioning_assignments_subscription: usize,
    pub provisioning_assignments_management_group: usize,
    pub provisioning_assignments_inert: usize,
    /// Owners (by the first required tag) of clusters missing the sensor or the policy add-on,
    /// with those clusters; `null` owner = no owner tag.
    pub unprotected_by_owner: Vec<OwnerClusters>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerClusters {
    pub owner: Option<String>,
    pub clusters: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Declared,
    Covered,
    Unknown,
    Missing,
}

/// The worst status per (rule, resource) among `findings`; a resource with no finding for a rule
/// declares what it checks, and so does a passing result with advice (the legacy Defender shape's
/// migration note).
fn statuses(findings: &[Finding]) -> HashMap<(&'static str, &str), Status> {
    let mut worst: HashMap<(&'static str, &str), Status> = HashMap::new();
    for finding in findings {
        let Some(resource) = finding.resource.as_deref() else {
            continue;
        };
        let status = match finding.outcome {
            Outcome::Covered => Status::Covered,
            Outcome::Unknown => Status::Unknown,
            Outcome::Pass => Status::Declared,
            Outcome::Violation => Status::Missing,
        };
        let entry = worst.entry((finding.rule, resource)).or_insert(status);
        *entry = (*entry).max(status);
    }
    worst
}

fn count(share: &mut Share, status: Status) {
    match status {
        Status::Declared => share.declared += 1,
        Status::Covered => share.covered += 1,
        Status::Unknown => share.unknown += 1,
        Status::Missing => share.missing += 1,
    }
}

fn enabled(config: &Config, rule: &str) -> bool {
    config.rule_levels.get(rule) != Some(&RuleLevel::Off)
}

/// One cluster's statuses, and for a cluster without the sensor or the add-on, its owner (the
/// first required tag's value, if it has one).
struct ClusterFacts {
    sensor: Status,
    policy: Status,
    tags: Status,
    unprotected_owner: Option<Option<String>>,
}

fn cluster_facts(
    cluster: &Cluster,
    statuses: &HashMap<(&'static str, &str), Status>,
    owner_key: Option<&str>,
    config: &Config,
) -> ClusterFacts {
    let (sensor_rule, policy_rule) = match cluster.kind {
        ClusterKind::Managed => ("AKS001", "AKS002"),
        ClusterKind::ArcConnected => ("ARC001", "ARC002"),
    };
    let status = |rule: &'static str| {
        statuses
            .get(&(rule, cluster.address.as_str()))
            .copied()
            .unwrap_or(Status::Declared)
    };
    let sensor = status(sensor_rule);
    let policy = status(policy_rule);
    let unprotected = sensor == Status::Missing || policy == Status::Missing;
    let owner = || match (&cluster.tags, owner_key) {
        (Setting::Known { value, .. }, Some(key)) => value
            .entries
            .iter()
            .find(|tag| config.normalize_tag_key(&tag.key) == key)
            .and_then(|tag| match &tag.value {
                Setting::Known { value, .. } if !value.trim().is_empty() => Some(value.clone()),
                _ => None,
            }),
        _ => None,
    };
    ClusterFacts {
        sensor,
        policy,
        tags: status("AKS003"),
        unprotected_owner: unprotected.then(owner),
    }
}

/// The posture of `model`, given the rules' results before suppression.
pub fn compute(model: &Model, findings: &[Finding], config: &Config) -> Posture {
    let mut posture = Posture {
        defender_sensor: Share {
            checked: enabled(config, "AKS001") || enabled(config, "ARC001"),
            ..Share::default()
        },
        azure_policy: Share {
            checked: enabled(config, "AKS002") || enabled(config, "ARC002"),
            ..Share::default()
        },
        ownership_tags: Share {
            checked: enabled(config, "AKS003") && !config.required_tags.is_empty(),
            ..Share::default()
        },
        subscriptions_created: model.subscriptions.len(),
        management_groups: model.management_groups.len(),
        ..Posture::default()
    };
    let owner_key = config
        .required_tags
        .first()
        .map(|key| config.normalize_tag_key(key));
    let statuses = statuses(findings);
    // The same cluster evaluated with several parameter files counts once.
    let mut seen = std::collections::BTreeSet::new();
    let clusters: Vec<&Cluster> = model
        .clusters
        .iter()
        .filter(|cluster| seen.insert((cluster.address.as_str(), cluster.header)))
        .collect();
    // What each cluster has is looked up on every core (a monorepo holds thousands), then
    // counted in order.
    let facts: Vec<ClusterFacts> = clusters
        .par_iter()
        .map(|cluster| cluster_facts(cluster, &statuses, owner_key.as_deref(), config))
        .collect();
    let mut unprotected: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for (cluster, facts) in clusters.iter().zip(facts) {
        posture.clusters += 1;
        match cluster.kind {
            ClusterKind::Managed => posture.aks_clusters += 1,
            ClusterKind::ArcConnected => posture.arc_clusters += 1,
        }
        count(&mut posture.defender_sensor, facts.sensor);
        count(&mut posture.azure_policy, facts.policy);
        count(&mut posture.ownership_tags, facts.tags);
        if let Some(owner) = facts.unprotected_owner {
            unprotected
                .entry(owner)
                .or_default()
                .push(cluster.address.clone());
        }
    }
    posture.unprotected_by_owner = unprotected
        .into_iter()
        .map(|(owner, clusters)| OwnerClusters { owner, clusters })
        .collect();
    for pricing in &model.pricings {
        let plan_is_containers = matches!(&pricing.plan, Setting::Known { value, .. } if value.eq_ignore_ascii_case("Containers"));
        if !plan_is_containers {
            continue;
        }
        match &pricing.tier {
            Setting::Known { value, .. } if value.eq_ignore_ascii_case("Standard") => {
                posture.containers_plan_standard += 1
            }
            Setting::Known { value, .. } if value.eq_ignore_ascii_case("Free") => {
                posture.containers_plan_free += 1
            }
            _ => {}
        }
    }
    for assignment in &model.assignments {
        let Some(policy) = coverage::provisioning_policy(model, assignment) else {
            continue;
        };
        if coverage::inertness(model, assignment, policy).is_some() {
            posture.provisioning_assignments_inert += 1;
        } else if assignment.scope == AssignmentScope::ManagementGroup {
            posture.provisioning_assignments_management_group += 1;
        } else if assignment.scope == AssignmentScope::Subscription {
            posture.provisioning_assignments_subscription += 1;
        }
    }
    posture
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn share_line(name: &str, share: &Share, clusters: usize) -> String {
    if !share.checked {
        return format!("  {name:<22} not checked (rule turned off)");
    }
    format!(
        "  {name:<22} {}/{clusters} ({}): {} declared, {} covered by policy, {} unknown, {} missing",
        share.protected(),
        percent(share.protected(), clusters),
        share.declared,
        share.covered,
        share.unknown,
        share.missing
    )
}

/// The posture as text for the end of the human report.
pub fn render_text(posture: &Posture) -> String {
    let mut text = String::from("\nPosture\n");
    text.push_str(&format!(
        "  clusters               {} ({} AKS, {} Arc-enabled)\n",
        posture.clusters, posture.aks_clusters, posture.arc_clusters
    ));
    if posture.clusters > 0 {
        for (name, share) in [
            ("Defender sensor", &posture.defender_sensor),
            ("Azure Policy add-on", &posture.azure_policy),
            ("ownership tags", &posture.ownership_tags),
        ] {
            text.push_str(&share_line(name, share, posture.clusters));
            text.push('\n');
        }
    }
    text.push_str(&format!(
        "  subscriptions created  {}; management groups {}\n",
        posture.subscriptions_created, posture.management_groups
    ));
    text.push_str(&format!(
        "  Containers plan        {} Standard, {} Free\n",
        posture.containers_plan_standard, posture.containers_plan_free
    ));
    text.push_str(&format!(
        "  provisioning policies  {} at management-group scope, {} at subscription scope, {} inert\n",
        posture.provisioning_assignments_management_group,
        posture.provisioning_assignments_subscription,
        posture.provisioning_assignments_inert
    ));
    if !posture.unprotected_by_owner.is_empty() {
        text.push_str("  owners of unprotected clusters\n");
        for entry in &posture.unprotected_by_owner {
            text.push_str(&format!(
                "    {:<20} {}\n",
                entry.owner.as_deref().unwrap_or("(no owner tag)"),
                entry.clusters.join(", ")
            ));
        }
    }
    text
}
