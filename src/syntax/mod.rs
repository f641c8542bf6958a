//! Stage "parse": mapping files (pest grammar in `grammar/mapping.pest`) into an AST.

pub mod ast;
mod parser;
mod rule_names;

pub use parser::{parse_expr, parse_file};
