//! The format-agnostic model the rules read.
//!
//! Parsers lower Terraform, ARM and Kubernetes resources into these types; rules never see syntax.
//! Every setting is a [`Setting`]: known (with the span of the value), absent (with the span of the
//! block that should hold it) or unknown (with the reason).

use std::collections::HashMap;

use crate::source::Span;
use crate::value::{Related, Unknown};

/// Everything the scan found, ready for the rules.
#[derive(Debug, Default)]
pub struct Model {
    pub clusters: Vec<Cluster>,
    /// Defender for Cloud pricings (plans), any plan.
    pub pricings: Vec<Pricing>,
    /// Legacy `autoProvisioningSettings` (the retired Log Analytics agent).
    pub legacy_auto_provisioning: Vec<Resource>,
    pub assignments: Vec<PolicyAssignment>,
    /// Subscriptions the configuration creates.
    pub subscriptions: Vec<Resource>,
    pub management_groups: Vec<Resource>,
    /// Arc cluster extensions (and any other cluster extension resource).
    pub extensions: Vec<ClusterExtension>,
    /// Patches applied to clusters after creation (`azapi_update_resource`).
    pub patches: Vec<ClusterPatch>,
    /// Custom initiatives (policy set definitions) defined in the scan.
    pub policy_sets: Vec<PolicySet>,
    /// Custom policy definitions defined in the scan.
    pub policy_definitions: Vec<PolicyDefinition>,
    /// Why settings are absent, by the block that should hold them (a Helm `{{ if }}` that a
    /// values key made leave the block out): findings at that block name them.
    pub absent_reasons: Vec<AbsentReason>,
}

/// A place that explains why the block at `holder` lacks a setting.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsentReason {
    pub holder: Span,
    pub related: Related,
}

impl Model {
    pub fn extend(&mut self, other: Model) {
        self.join(vec![other], false);
    }

    /// Add what `other` holds, leaving out entities already here (the same template evaluated
    /// with several parameter files finds the same clusters).
    pub fn extend_unique(&mut self, other: Model) {
        self.join(vec![other], true);
    }

    /// [`Model::extend_unique`] with each of `parts` in turn (the top level of a front end joins
    /// thousands of templates' models).
    pub fn extend_unique_all(&mut self, parts: Vec<Model>) {
        self.join(parts, true);
    }

    /// Every field, listed once. With `unique`, an entity is compared only with those at the
    /// same place (equal entities have equal headers): comparing each with all is quadratic.
    fn join(&mut self, mut parts: Vec<Model>, unique: bool) {
        fn add<T: PartialEq>(
            into: &mut Vec<T>,
            parts: &mut [Model],
            field: fn(&mut Model) -> &mut Vec<T>,
            place: fn(&T) -> Span,
            unique: bool,
        ) {
            if !unique {
                for part in parts.iter_mut() {
                    into.append(field(part));
                }
                return;
            }
            let mut at: HashMap<Span, Vec<usize>> = HashMap::new();
            for (index, item) in into.iter().enumerate() {
                at.entry(place(item)).or_default().push(index);
            }
            for part in parts.iter_mut() {
                for item in std::mem::take(field(part)) {
                    let same_place = at.entry(place(&item)).or_default();
                    if !same_place.iter().any(|&index| into[index] == item) {
                        same_place.push(into.len());
                        into.push(item);
                    }
                }
            }
        }
        let parts = &mut parts[..];
        let u = unique;
        add(
            &mut self.clusters,
            parts,
            |m| &mut m.clusters,
            |c| c.header,
            u,
        );
        add(
            &mut self.pricings,
            parts,
            |m| &mut m.pricings,
            |p| p.resource.header,
            u,
        );
        add(
            &mut self.legacy_auto_provisioning,
            parts,
            |m| &mut m.legacy_auto_provisioning,
            |r| r.header,
            u,
        );
        add(
            &mut self.assignments,
            parts,
            |m| &mut m.assignments,
            |a| a.resource.header,
            u,
        );
        add(
            &mut self.subscriptions,
            parts,
            |m| &mut m.subscriptions,
            |r| r.header,
            u,
        );
        add(
            &mut self.management_groups,
            parts,
            |m| &mut m.management_groups,
            |r| r.header,
            u,
        );
        add(
            &mut self.extensions,
            parts,
            |m| &mut m.extensions,
            |e| e.resource.header,
            u,
        );
        add(
            &mut self.patches,
            parts,
            |m| &mut m.patches,
            |p| p.resource.header,
            u,
        );
        add(
            &mut self.policy_sets,
            parts,
            |m| &mut m.policy_sets,
            |p| p.resource.header,
            u,
        );
        add(
            &mut self.policy_definitions,
            parts,
            |m| &mut m.policy_definitions,
            |p| p.resource.header,
            u,
        );
        add(
            &mut self.absent_reasons,
            parts,
            |m| &mut m.absent_reasons,
            |r| r.holder,
            u,
        );
    }
}

/// What every lowered resource has: how messages name it, its dialect and its header span.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub address: String,
    pub dialect: Dialect,
    pub header: Span,
}

/// A Defender for Cloud pricing: one plan's tier and its extensions (components).
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    pub resource: Resource,
    /// The plan: azurerm `resource_type`, ARM the pricing's `name` (`Containers`,
    /// `VirtualMachines`, `KubernetesService`, ...).
    pub plan: Setting<String>,
    /// `Free` or `Standard` (as written).
    pub tier: Setting<String>,
    pub extensions: PricingExtensions,
}

/// The extensions (components) a pricing declares.
#[derive(Debug, Clone, PartialEq)]
pub enum PricingExtensions {
    /// azurerm: for a Standard pricing the provider disables every extension not listed.
    Exhaustive(Vec<PricingExtension>),
    /// ARM / azapi: extensions as listed; an omitted extension keeps the service default.
    Listed(Vec<PricingExtension>),
    /// ARM / azapi without an `extensions` array: the service defaults apply.
    Omitted,
    /// The list depends on something that cannot be known statically.
    Unknown { unknown: Unknown, span: Span },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricingExtension {
    pub name: String,
    pub span: Span,
    pub enabled: Setting<bool>,
}

/// Where a policy assignment applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentScope {
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
    Unknown,
}

impl AssignmentScope {
    /// The scope an Azure resource id names.
    pub fn of_id(id: &str) -> AssignmentScope {
        let lower = id.to_ascii_lowercase();
        let segments: Vec<&str> = lower.trim_matches('/').split('/').collect();
        match segments.as_slice() {
            ["providers", "microsoft.management", "managementgroups", _] => {
                AssignmentScope::ManagementGroup
            }
            ["subscriptions", _] => AssignmentScope::Subscription,
            ["subscriptions", _, "resourcegroups", _] => AssignmentScope::ResourceGroup,
            ["subscriptions", ..] => AssignmentScope::Resource,
            _ => AssignmentScope::Unknown,
        }
    }
}

/// A policy assignment, with what decides whether it can act.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyAssignment {
    pub resource: Resource,
    /// The definition or initiative id as evaluated (a built-in id, an ALZ initiative id, or a
    /// resolved display name).
    pub definition: Setting<String>,
    pub scope: AssignmentScope,
    /// `enforce` / `enforcementMode` (absent = enforced).
    pub enforce: Setting<bool>,
    /// Parameter values by name, as evaluated.
    pub parameters: Vec<AssignmentParameter>,
    /// Set when the parameters could not be evaluated as a whole.
    pub parameters_unknown: Option<(Unknown, Span)>,
    /// Whether the assignment has a managed identity (DINE remediation needs one).
    pub identity: Setting<bool>,
    /// `not_scopes` / `notScopes` entries.
    pub not_scopes: Vec<crate::value::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentParameter {
    pub name: String,
    pub name_span: Span,
    pub value: crate::value::Value,
}

/// A cluster extension (Arc or AKS): its type and the cluster it targets.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterExtension {
    pub resource: Resource,
    pub extension_type: Setting<String>,
    /// The target cluster as written: a Terraform address (`azurerm_arc_kubernetes_cluster.edge`)
    /// or an ARM id / name.
    pub target: Setting<String>,
}

/// One setting of a resource as the source decides it.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    /// The source sets it; `span` is the value (or attribute) that decides it.
    Known {
        value: T,
        span: Span,
        provenance: Vec<Related>,
    },
    /// The source does not mention it; `holder` is the block that should hold it.
    Absent { holder: Span },
    /// It depends on something that cannot be known statically.
    Unknown {
        unknown: Unknown,
        span: Span,
        provenance: Vec<Related>,
    },
}

impl<T> Setting<T> {
    pub fn known(value: T, span: Span) -> Setting<T> {
        Setting::Known {
            value,
            span,
            provenance: Vec::new(),
        }
    }

    /// The span a finding about this setting points at.
    pub fn span(&self) -> Span {
        match self {
            Setting::Known { span, .. } | Setting::Unknown { span, .. } => *span,
            Setting::Absent { holder } => *holder,
        }
    }

    pub fn provenance(&self) -> &[Related] {
        match self {
            Setting::Known { provenance, .. } | Setting::Unknown { provenance, .. } => provenance,
            Setting::Absent { .. } => &[],
        }
    }
}

/// What kind of Kubernetes cluster a [`Cluster`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKind {
    /// An AKS managed cluster.
    Managed,
    /// An Azure Arc-enabled (connected) cluster.
    ArcConnected,
}

/// Which IaC dialect declared a resource. Rules never match on it: they word their fixes by
/// [`Dialect::shape`] (which property names the resource uses) and [`Dialect::notation`] (how a
/// value is written), so a new dialect that shares a shape needs no rule change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Terraform with the azurerm provider.
    Azurerm,
    /// Terraform with the azapi provider (ARM property shapes inside HCL).
    Azapi,
    /// ARM JSON, usually compiled from Bicep.
    Arm,
    /// Bicep source (ARM property shapes in Bicep syntax).
    Bicep,
    /// Kubernetes objects that embed ARM properties (Azure Service Operator v2 `ManagedCluster`).
    KubernetesArm,
    /// Cluster API Provider Azure (`AzureManagedControlPlane`): its own spec fields.
    Capz,
    /// Crossplane's Azure provider (`KubernetesCluster`, `SecurityCenterSubscriptionPricing`):
    /// the azurerm vocabulary in camelCase under `spec.forProvider`.
    Crossplane,
}

/// The vocabulary a resource is declared in: which names its settings have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// azurerm attributes and blocks (`microsoft_defender`, `azure_policy_enabled`).
    AzurermAttributes,
    /// ARM resource properties (`securityProfile.defender`, `addonProfiles.azurepolicy`),
    /// wherever they are written: ARM JSON, Bicep, azapi bodies, ASO specs.
    ArmProperties,
    /// CAPZ control-plane spec fields (`spec.addonProfiles: [{name, enabled}]`,
    /// `spec.securityProfile.defender`, `spec.additionalTags`).
    CapzSpec,
    /// Crossplane `spec.forProvider` parameters (`azurePolicyEnabled`, `microsoftDefender`,
    /// `tier`, `extension`).
    CrossplaneParameters,
}

/// How a value is written in the source, for fixes that show code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    Hcl,
    Json,
    Bicep,
    Yaml,
}

impl Dialect {
    pub fn shape(self) -> Shape {
        match self {
            Dialect::Azurerm => Shape::AzurermAttributes,
            Dialect::Azapi | Dialect::Arm | Dialect::Bicep | Dialect::KubernetesArm => {
                Shape::ArmProperties
            }
            Dialect::Capz => Shape::CapzSpec,
            Dialect::Crossplane => Shape::CrossplaneParameters,
        }
    }

    pub fn notation(self) -> Notation {
        match self {
            Dialect::Azurerm | Dialect::Azapi => Notation::Hcl,
            Dialect::Arm => Notation::Json,
            Dialect::Bicep => Notation::Bicep,
            Dialect::KubernetesArm | Dialect::Capz | Dialect::Crossplane => Notation::Yaml,
        }
    }
}

/// State of the Defender for Containers profile (sensor) on a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefenderProfile {
    /// `microsoft_defender { ... }` / `securityProfile.defender.securityMonitoring.enabled = true`.
    Enabled,
    /// Explicitly off.
    Disabled,
    /// Only the legacy `securityProfile.azureDefender.enabled = true` shape.
    LegacyEnabled,
}

/// State of the Azure Policy add-on on a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAddon {
    Enabled,
    Disabled,
    /// Two add-on keys differing only in case disagree; `other` is the second key.
    CaseConflict {
        other: Span,
    },
}

/// The tags of a resource as far as they can be evaluated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tags {
    pub entries: Vec<Tag>,
    /// Set when part of the tag map could not be evaluated (e.g. `merge(local.common, var.extra)`
    /// with `var.extra` unset): a key not among `entries` may still come from there.
    pub unknown_part: Option<Unknown>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub key: String,
    pub key_span: Span,
    pub value: Setting<String>,
}

/// An AKS or Arc-enabled cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// How messages name it: `azurerm_kubernetes_cluster.main`,
    /// `module.dev.azurerm_kubernetes_cluster.this`, `Microsoft.ContainerService/managedClusters 'aks-prod'`.
    pub address: String,
    pub kind: ClusterKind,
    pub dialect: Dialect,
    /// The resource's header (block labels, or the resource object's `type`), where findings about
    /// missing settings point when no nearer block exists.
    pub header: Span,
    /// Places that explain which instance this is (module call sites, parameter files).
    pub context: Vec<Related>,
    pub defender: Setting<DefenderProfile>,
    pub azure_policy: Setting<PolicyAddon>,
    pub tags: Setting<Tags>,
    /// Attribute names listed in Terraform's `lifecycle { ignore_changes }`.
    pub ignore_changes: Vec<String>,
    /// The Azure resource name, when known (ARM ids of extensions' targets end with it).
    pub name: Option<String>,
}

/// A change applied to an existing cluster (azapi `azapi_update_resource`): which cluster, and
/// which protections it turns on.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterPatch {
    pub resource: Resource,
    /// The patched cluster as written (`azurerm_kubernetes_cluster.main`, or an ARM id).
    pub target: Setting<String>,
    pub enables_defender: bool,
    pub enables_policy_addon: bool,
}

/// A custom initiative defined in the scan, with the definitions it groups.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySet {
    pub resource: Resource,
    /// The set's `name` (the last segment of its id), when known.
    pub name: Option<String>,
    /// The name's derivation when only the deployment knows it (`guid(subscription().id,'x')`):
    /// an assignment in the same file whose id ends with `/[derivation]` assigns this set.
    pub symbolic_name: Option<String>,
    /// Member definition ids as evaluated; a member known only at deployment by the provider
    /// path its id ends with (`/providers/Microsoft.Authorization/policyDefinitions/x`).
    /// Members known not even that way are left out.
    pub members: Vec<String>,
    /// The parameters the initiative passes to each member, by member id (only members that
    /// pass any), as written: policy-language values (`[parameters('effect')]`) read against
    /// [`PolicySet::parameters`] and the assignment's values.
    pub member_parameters: Vec<(String, crate::value::Value)>,
    /// The initiative's own parameter declarations, if any.
    pub parameters: Option<crate::value::Value>,
}

/// A custom policy definition defined in the scan (ARM, Bicep and azapi `policyDefinitions`,
/// azurerm `azurerm_policy_definition`, or a standalone definition file). Its rule stays in the
/// Azure Policy language: what it does depends on the parameters each assignment passes, so
/// [`crate::custom_policy`] reads it per assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDefinition {
    pub resource: Resource,
    /// The definition's `name` (the last segment of its id), when known.
    pub name: Option<String>,
    /// As for [`PolicySet::symbolic_name`].
    pub symbolic_name: Option<String>,
    /// `properties.parameters`: the declarations (`type`, `defaultValue`, ...), if any.
    pub parameters: Option<crate::value::Value>,
    /// `properties.policyRule`, its strings policy-language expressions (`[parameters('effect')]`,
    /// `[field('name')]`), not yet evaluated.
    pub rule: Setting<crate::value::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn subscription(address: &str, start: u32) -> Resource {
        Resource {
            address: address.to_string(),
            dialect: Dialect::Arm,
            header: Span {
                file: FileId(start % 3),
                start,
                end: start + 1,
            },
        }
    }

    #[test]
    fn joining_many_keeps_what_joining_one_by_one_keeps() {
        // Repeats, the same place with different contents, and repeats within one part.
        let parts = || -> Vec<Model> {
            (0..20u32)
                .map(|i| Model {
                    subscriptions: (0..6u32)
                        .map(|j| subscription(&format!("s{}", (i + j) % 4), (i * j) % 7))
                        .collect(),
                    ..Model::default()
                })
                .collect()
        };
        let mut one_by_one = Model {
            subscriptions: vec![subscription("s1", 0)],
            ..Model::default()
        };
        for part in parts() {
            one_by_one.extend_unique(part);
        }
        let mut all = Model {
            subscriptions: vec![subscription("s1", 0)],
            ..Model::default()
        };
        all.extend_unique_all(parts());
        assert_eq!(all.subscriptions, one_by_one.subscriptions);
        assert!(all.subscriptions.len() > 4 && all.subscriptions.len() < 120);
    }
}
