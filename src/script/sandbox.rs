//! The Rhai engine scripts run in: no file system, no network, no modules, no printing,
//! and limits on work and size so a script cannot hang or exhaust a nightly run.

use super::budget::Budget;
use rhai::{Dynamic, Engine};
use std::sync::Arc;

pub const MAX_OPERATIONS: u64 = 200_000;
pub const MAX_CALL_LEVELS: usize = 32;
pub const MAX_STRING_SIZE: usize = 64 * 1024;
pub const MAX_ARRAY_SIZE: usize = 10_000;

/// An engine whose calls stop when `budget`, the run's script time, is used up.
pub fn engine(budget: Arc<Budget>) -> Engine {
    let mut engine = Engine::new();
    engine.on_progress(move |operations| {
        budget
            .overdue(operations)
            .then(|| Dynamic::from("script_time"))
    });
    engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_string_size(MAX_STRING_SIZE);
    engine.set_max_array_size(MAX_ARRAY_SIZE);
    engine.set_max_map_size(MAX_ARRAY_SIZE);
    engine.set_max_expr_depths(64, 32);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.disable_symbol("eval");
    engine
}
