//! Helm charts: rendered as `helm template` renders them, then read as Kubernetes manifests.

pub mod template;
