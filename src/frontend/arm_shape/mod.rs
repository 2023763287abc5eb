//! The one lowering of ARM-shaped properties into the model.
//!
//! ARM templates, azapi `body`s, Azure Service Operator specs and Bicep all describe Azure
//! resources with the same property names, which ARM compares case-insensitively. Each front end
//! evaluates its own syntax into [`crate::value::Value`]s and calls these.

mod cluster;
pub mod governance;

pub use cluster::*;
