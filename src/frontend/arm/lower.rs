//! Lowering of ARM resources into the model.

use super::expr::eval::Evaluator;
use crate::frontend::arm_shape::{self, ManagedClusterSource};
use crate::model::{Cluster, Dialect};
use crate::source::Span;
use crate::value::{Related, Value};

pub const MANAGED_CLUSTERS: &str = "Microsoft.ContainerService/managedClusters";

/// A `Microsoft.ContainerService/managedClusters` resource, its `properties` and `tags`
/// evaluated; `name` is the evaluated name, or the name's text when it cannot be evaluated.
pub fn managed_cluster(
    resource: &Value,
    evaluator: &Evaluator,
    header: Span,
    name: &str,
    context: Vec<Related>,
) -> Cluster {
    let properties = resource
        .get_ignore_case("properties")
        .map(|p| evaluator.value(&p.value));
    let tags = resource
        .get_ignore_case("tags")
        .map(|t| evaluator.value(&t.value));
    let mut cluster = arm_shape::managed_cluster(ManagedClusterSource {
        address: format!("{MANAGED_CLUSTERS} '{name}'"),
        dialect: Dialect::Arm,
        header,
        properties: properties.as_ref(),
        tags: tags.as_ref(),
    });
    cluster.context = context;
    cluster
}
