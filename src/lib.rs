//! roster-etl: declare a school roster sync in files; compile it into a plan; apply it safely.
//!
//! The stages, in the order a run goes through them:
//! `load` (pipeline YAML) -> `syntax` (mapping files) -> `check` (names, types, tier) ->
//! `compile` (the graph of steps) ->
//! `source` (read datasets) -> `execute` (join, filter, map) -> `diff` (against `state`) ->
//! `plan` -> `apply` (write `target`s, then record `state`) -> `report`.
//! Beside the run: `explain` (one record through every step), `export` (what the mappings
//! make) and `testing` (`etl test`: mapping unit tests on rows a test file gives).

pub mod apply;
pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod domain;
pub mod execute;
pub mod explain;
pub mod export;
pub mod functions;
pub mod fuzz;
pub mod load;
pub mod model;
pub mod net;
pub mod plan;
pub mod private_file;
pub mod report;
pub mod safety;
pub mod script;
pub mod source;
pub mod state;
pub mod syntax;
pub mod target;
pub mod testing;
