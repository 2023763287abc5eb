//! The built-in Azure Policy definitions aksguard knows, and how references to them resolve.
//!
//! GUIDs and display names are those of SPEC §3 (checked against Microsoft's built-in
//! definitions). A reference resolves by the GUID at the end of a definition id
//! (`/providers/Microsoft.Authorization/policyDefinitions/<guid>`, `policySetDefinitions`, Bicep's
//! `tenantResourceId(...)` output), by display name, or by the Azure Landing Zones initiative name.

/// What an assignment of a known policy does for container protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KnownPolicy {
    /// DINE: Defender profile on AKS clusters (covers AKS001).
    DefenderProfileDine,
    /// DINE: Azure Policy add-on on AKS clusters (covers AKS002).
    PolicyAddonDine,
    /// DINE: the Defender for Containers plan on subscriptions.
    ContainersPlanDine,
    /// DINE: Defender extension on Arc-enabled clusters (covers ARC001).
    ArcDefenderDine,
    /// DINE: Azure Policy extension on Arc-enabled clusters (covers ARC002).
    ArcPolicyDine,
    /// Built-in initiative enabling Defender for Containers (plan and components).
    ContainersInitiative,
    /// The Azure Landing Zones `Deploy-MDFC-Config*` initiative; Containers only when its
    /// `enableAscForContainers` parameter is not `Disabled` (the shipped default).
    AlzMdfcConfig,
    /// Audit-only variants: report gaps, provision nothing.
    Audit(AuditPolicy),
    /// Deprecated container policies (SUB003).
    Deprecated,
    /// Tag policies (cover AKS003 for the tag their `tagName` names).
    Tag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditPolicy {
    DefenderProfile,
    PolicyAddon,
    ContainersPlan,
    ArcDefender,
    ArcPolicy,
}

impl KnownPolicy {
    /// A DeployIfNotExists definition or initiative that provisions container protection.
    pub fn provisions(self) -> bool {
        matches!(
            self,
            KnownPolicy::DefenderProfileDine
                | KnownPolicy::PolicyAddonDine
                | KnownPolicy::ContainersPlanDine
                | KnownPolicy::ArcDefenderDine
                | KnownPolicy::ArcPolicyDine
                | KnownPolicy::ContainersInitiative
                | KnownPolicy::AlzMdfcConfig
        )
    }

    /// Whether an assignment of this policy enables the Containers plan on its scope.
    pub fn enables_containers_plan(self) -> bool {
        matches!(
            self,
            KnownPolicy::ContainersPlanDine
                | KnownPolicy::ContainersInitiative
                | KnownPolicy::AlzMdfcConfig
        )
    }

    /// The audit variant that this DINE makes redundant, if any.
    pub fn audit_counterpart(self) -> Option<AuditPolicy> {
        match self {
            KnownPolicy::DefenderProfileDine => Some(AuditPolicy::DefenderProfile),
            KnownPolicy::PolicyAddonDine => Some(AuditPolicy::PolicyAddon),
            KnownPolicy::ContainersPlanDine
            | KnownPolicy::ContainersInitiative
            | KnownPolicy::AlzMdfcConfig => Some(AuditPolicy::ContainersPlan),
            KnownPolicy::ArcDefenderDine => Some(AuditPolicy::ArcDefender),
            KnownPolicy::ArcPolicyDine => Some(AuditPolicy::ArcPolicy),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KnownPolicy::DefenderProfileDine => {
                "Configure Azure Kubernetes Service clusters to enable Defender profile"
            }
            KnownPolicy::PolicyAddonDine => {
                "Deploy Azure Policy Add-on to Azure Kubernetes Service clusters"
            }
            KnownPolicy::ContainersPlanDine => "Configure Microsoft Defender for Containers plan",
            KnownPolicy::ArcDefenderDine => {
                "Configure Azure Arc enabled Kubernetes clusters to install Microsoft Defender for Cloud extension"
            }
            KnownPolicy::ArcPolicyDine => {
                "Configure Azure Arc enabled Kubernetes clusters to install the Azure Policy extension"
            }
            KnownPolicy::ContainersInitiative => {
                "Configure Microsoft Defender for Containers to be enabled (initiative)"
            }
            KnownPolicy::AlzMdfcConfig => "Azure Landing Zones Deploy-MDFC-Config initiative",
            KnownPolicy::Audit(_) => "an audit-only container protection policy",
            KnownPolicy::Deprecated => "a deprecated container protection policy",
            KnownPolicy::Tag => "a tag policy",
        }
    }
}

/// Built-in definitions and initiatives by GUID (lowercase).
const BY_GUID: &[(&str, KnownPolicy)] = &[
    (
        "64def556-fbad-4622-930e-72d1d5589bf5",
        KnownPolicy::DefenderProfileDine,
    ),
    (
        "a8eff44f-8c92-45c3-a3fb-9880802d67a7",
        KnownPolicy::PolicyAddonDine,
    ),
    (
        "c9ddb292-b203-4738-aead-18e2716e858f",
        KnownPolicy::ContainersPlanDine,
    ),
    (
        "efd4031d-b232-4595-babf-ae817348e91b",
        KnownPolicy::ContainersPlanDine,
    ),
    (
        "708b60a6-d253-4fe0-9114-4be4c00f012c",
        KnownPolicy::ArcDefenderDine,
    ),
    (
        "0adc5395-9169-4b9b-8687-af838d69410a",
        KnownPolicy::ArcPolicyDine,
    ),
    (
        "f08c57cd-dbd6-49a4-a85e-9ae77ac959b0",
        KnownPolicy::ContainersInitiative,
    ),
    (
        "a1840de2-8088-4ea8-b153-b4c723e9cb01",
        KnownPolicy::Audit(AuditPolicy::DefenderProfile),
    ),
    (
        "0a15ec92-a229-4763-bb14-0ea34a568f8d",
        KnownPolicy::Audit(AuditPolicy::PolicyAddon),
    ),
    (
        "1c988dd6-ade4-430f-a608-2a3e5b0a6d38",
        KnownPolicy::Audit(AuditPolicy::ContainersPlan),
    ),
    (
        "8dfab9c4-fe7b-49ad-85e4-1e9be085358f",
        KnownPolicy::Audit(AuditPolicy::ArcDefender),
    ),
    (
        "6b2122c1-8120-4ff5-801b-17625a355590",
        KnownPolicy::Audit(AuditPolicy::ArcPolicy),
    ),
    (
        "133047bf-1369-41e3-a3be-74a11ed1395a",
        KnownPolicy::Deprecated,
    ),
    (
        "d3d1e68e-49d4-4b56-acff-93cef644b432",
        KnownPolicy::Deprecated,
    ),
    ("4f9dc7db-30c1-420c-b61a-e1d640128d26", KnownPolicy::Tag),
    ("5ffd78d9-436d-4b41-a421-5baa819e3008", KnownPolicy::Tag),
    ("cd3aa116-8754-49c9-a813-ad46512ece54", KnownPolicy::Tag),
    ("ea3f2387-9b95-492a-a190-fcdc54f7b070", KnownPolicy::Tag),
    ("b27a0cbd-a167-4dfa-ae64-4337be671140", KnownPolicy::Tag),
    ("40df99da-1232-49b1-a39a-6da8d878f469", KnownPolicy::Tag),
];

/// Display names of the provisioning definitions (compared case-insensitively, without a
/// `[Preview]: ` or `[Deprecated]: ` prefix).
const BY_DISPLAY_NAME: &[(&str, &str)] = &[
    (
        "configure azure kubernetes service clusters to enable defender profile",
        "64def556-fbad-4622-930e-72d1d5589bf5",
    ),
    (
        "deploy azure policy add-on to azure kubernetes service clusters",
        "a8eff44f-8c92-45c3-a3fb-9880802d67a7",
    ),
    (
        "configure microsoft defender for containers to be enabled",
        "c9ddb292-b203-4738-aead-18e2716e858f",
    ),
    (
        "configure microsoft defender for containers plan",
        "efd4031d-b232-4595-babf-ae817348e91b",
    ),
    (
        "configure azure arc enabled kubernetes clusters to install microsoft defender for cloud extension",
        "708b60a6-d253-4fe0-9114-4be4c00f012c",
    ),
    (
        "configure azure arc enabled kubernetes clusters to install the azure policy extension",
        "0adc5395-9169-4b9b-8687-af838d69410a",
    ),
];

/// The built-in definition id for a display name, if it is one of the provisioning definitions.
pub fn id_for_display_name(display_name: &str) -> Option<String> {
    let mut name = display_name.trim();
    for prefix in ["[preview]: ", "[deprecated]: "] {
        if name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix) {
            name = &name[prefix.len()..];
        }
    }
    let name = name.to_ascii_lowercase();
    BY_DISPLAY_NAME
        .iter()
        .find(|(display, _)| *display == name)
        .map(|(_, guid)| format!("/providers/Microsoft.Authorization/policyDefinitions/{guid}"))
}

/// Classify a policy definition or initiative reference: an id ending in a GUID, a bare GUID, or a
/// name ending in the ALZ initiative's name.
pub fn classify(reference: &str) -> Option<KnownPolicy> {
    let last = reference
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_matches(|c| c == '\'' || c == '"');
    let lower = last.to_ascii_lowercase();
    if let Some((_, known)) = BY_GUID.iter().find(|(guid, _)| *guid == lower) {
        return Some(*known);
    }
    if lower.starts_with("deploy-mdfc-config") {
        return Some(KnownPolicy::AlzMdfcConfig);
    }
    id_for_display_name(reference).and_then(|id| classify(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_ids_guids_display_names_and_alz() {
        assert_eq!(
            classify("/providers/Microsoft.Authorization/policyDefinitions/64DEF556-fbad-4622-930e-72d1d5589bf5"),
            Some(KnownPolicy::DefenderProfileDine)
        );
        assert_eq!(
            classify("/providers/Microsoft.Authorization/policySetDefinitions/f08c57cd-dbd6-49a4-a85e-9ae77ac959b0"),
            Some(KnownPolicy::ContainersInitiative)
        );
        assert_eq!(
            classify("/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config_20240319"),
            Some(KnownPolicy::AlzMdfcConfig)
        );
        assert_eq!(
            id_for_display_name("[Preview]: Configure Azure Kubernetes Service clusters to enable Defender profile")
                .as_deref(),
            Some("/providers/Microsoft.Authorization/policyDefinitions/64def556-fbad-4622-930e-72d1d5589bf5")
        );
        assert_eq!(
            classify("Deploy Azure Policy Add-on to Azure Kubernetes Service clusters"),
            Some(KnownPolicy::PolicyAddonDine)
        );
        assert_eq!(classify("/providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000000"), None);
        assert!(!KnownPolicy::Audit(AuditPolicy::PolicyAddon).provisions());
    }
}
