//! Diagnostics are a product feature: every error has a stable code, points into the
//! user's own file, and carries a hint. All errors of a run are reported together.

mod code;
mod diag;
pub mod reference;
mod render;
mod source_map;
mod span;
pub mod suggest;

pub use code::Code;
pub use diag::{Diag, Diagnostics, Label, Severity};
pub use render::{render, render_all};
pub use source_map::{SourceFile, SourceMap};
pub use span::{FileId, Node, Span};
