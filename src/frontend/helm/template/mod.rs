//! Go `text/template`, as Helm runs it: lexer, parser (a range on every node), executor, and
//! the Helm and Sprig functions. Output is [`Text`]: the rendered string with, for each part,
//! the template text or values key it came from.

pub mod data;
pub mod exec;
pub mod funcs;
pub mod gofmt;
pub mod lexer;
pub mod parse;

pub use data::{Kind, Origin, Seg, Text, Val};
pub use exec::{Engine, Fail, Named, Place};
#[cfg(test)]
mod tests;
