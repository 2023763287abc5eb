//! Lowering of azapi resources: ARM property shapes inside HCL, read through the shared
//! [`arm_shape`] lowering.

use super::eval::{EvalAttribute, EvalBlock};
use super::values::respan_deep;
use crate::model::{Cluster, Dialect};
use crate::parse::arm_shape::{self, ManagedClusterSource};
use crate::value::{UnknownCause, Value, ValueKind};

const MANAGED_CLUSTER: &str = "microsoft.containerservice/managedclusters";

/// The model entity for an `azapi_resource`, if its `type` is one the rules care about.
/// `default_tags` is the azapi provider's, used when neither the resource nor its body has tags.
pub fn lower_resource(
    resource_type: &str,
    address: String,
    block: &EvalBlock,
    default_tags: Option<&Value>,
) -> Option<Cluster> {
    if resource_type != "azapi_resource" {
        return None;
    }
    let arm_type = block.attribute("type")?.value.as_str()?;
    let (arm_type, _version) = arm_type.split_once('@').unwrap_or((arm_type, ""));
    if !arm_type.eq_ignore_ascii_case(MANAGED_CLUSTER) {
        return None;
    }
    let body = block.attribute("body").map(body_value);
    // An unknown body hides everything, properties and tags alike.
    let properties = match &body {
        Some(body) if body.as_unknown().is_some() => Some(body),
        Some(body) => body.get_ignore_case("properties").map(|e| &e.value),
        None => None,
    };
    let tags = block
        .attribute("tags")
        .map(|a| &a.value)
        .or_else(|| match &body {
            Some(body) if body.as_unknown().is_some() => Some(body),
            Some(body) => body.get_ignore_case("tags").map(|e| &e.value),
            None => None,
        })
        .or(default_tags);
    Some(arm_shape::managed_cluster(ManagedClusterSource {
        address,
        dialect: Dialect::Azapi,
        header: block.header,
        properties,
        tags,
    }))
}

/// The body as an object: `body = {...}` as is, `body = jsonencode({...})` through its argument,
/// `body = <<JSON ... JSON` decoded (its parts all point at the attribute).
fn body_value(attribute: &EvalAttribute) -> Value {
    if let Some(encoded) = &attribute.encoded {
        return encoded.clone();
    }
    let value = &attribute.value;
    match &value.kind {
        ValueKind::String(text) => match crate::parse::json::parse(value.span.file, text) {
            Ok(Some(decoded)) => {
                let mut decoded = respan_deep(decoded, attribute.span);
                decoded.provenance = value.provenance.clone();
                decoded
            }
            _ => Value::unknown(
                UnknownCause::Unsupported,
                "the azapi body string is not valid JSON",
                attribute.span,
            ),
        },
        _ => value.clone(),
    }
}
