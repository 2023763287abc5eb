//! Bicep source: `.bicep` templates and `.bicepparam` parameter files, read directly.
//!
//! The lexer and parser are hand-written ([`parser`]); evaluation reuses the ARM function
//! library, since Bicep functions are ARM functions; resources lower through the shared
//! ARM-shaped lowering ([`crate::frontend::arm_shape`]) as [`crate::model::Dialect::Bicep`].

pub mod ast;
pub mod lexer;
pub mod parser;

pub use parser::parse;
