//! The format-agnostic model the rules read.
//!
//! Parsers lower Terraform, ARM and Kubernetes resources into these types; rules never see syntax.
//! Every setting is a [`Setting`]: known (with the span of the value), absent (with the span of the
//! block that should hold it) or unknown (with the reason).

use crate::source::Span;
use crate::value::{Related, Unknown};

/// Everything the scan found, ready for the rules.
#[derive(Debug, Default)]
pub struct Model {
    pub clusters: Vec<Cluster>,
}

impl Model {
    pub fn extend(&mut self, other: Model) {
        self.clusters.extend(other.clusters);
    }
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

/// Which IaC dialect declared a resource; rules use it to phrase the fix in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Terraform with the azurerm provider.
    Azurerm,
    /// Terraform with the azapi provider (ARM property shapes inside HCL).
    Azapi,
    /// ARM JSON, usually compiled from Bicep.
    Arm,
    /// Kubernetes manifests or Helm charts (ASO, CAPZ, Crossplane).
    Kubernetes,
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
}
