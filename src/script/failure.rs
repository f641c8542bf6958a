//! A failed script call in the integrator's words: what the script did, which limit stopped
//! it, and what to change. Rhai's own terms ("Too many operations") are not shown alone.

use super::sandbox::{MAX_ARRAY_SIZE, MAX_CALL_LEVELS, MAX_OPERATIONS, MAX_STRING_SIZE};
use crate::safety::thousands;
use rhai::{EvalAltResult, Position};
use std::time::Duration;

/// What to tell about a failed call, and where in the script it stopped.
pub struct Failure {
    pub message: String,
    pub help: String,
    pub at: Position,
}

const CONFINED: &str = "scripts cannot read or write files, open connections, run programs or \
                        import modules; they get their arguments in `args` and return a value";

/// Describes `error`; `time` is the run's `script_time:`.
pub fn describe(error: &EvalAltResult, time: Duration) -> Failure {
    let inner = error.unwrap_inner();
    let at = if inner.position().is_none() {
        error.position()
    } else {
        inner.position()
    };
    let (message, help) = words(inner, time);
    Failure { message, help, at }
}

fn words(error: &EvalAltResult, time: Duration) -> (String, String) {
    use EvalAltResult as E;
    match error {
        E::ErrorTooManyOperations(_) => (
            format!("the script ran more than {} operations on one record", thousands(MAX_OPERATIONS as usize)),
            "is there a loop that never ends? A script call may run a limited number of operations"
                .to_string(),
        ),
        E::ErrorStackOverflow(_) => (
            format!("the script's functions called each other more than {MAX_CALL_LEVELS} deep"),
            "does a function call itself with no case that stops it?".to_string(),
        ),
        E::ErrorDataTooLarge(what, _) => (
            format!("the script built {}", too_large(what)),
            "a script returns one value per record; build it from the arguments, not in bulk"
                .to_string(),
        ),
        E::ErrorTerminated(..) => (
            format!(
                "scripts used up this run's `script_time` of {}",
                humantime::format_duration(time)
            ),
            "make the script do less per record, or raise `script_time:` in the pipeline (at most 1h)"
                .to_string(),
        ),
        E::ErrorFunctionNotFound(signature, _) => (
            format!("the script calls `{}`, which scripts do not have", name_of(signature)),
            CONFINED.to_string(),
        ),
        E::ErrorModuleNotFound(module, _) => (
            format!("the script imports `{module}`, and scripts cannot import modules"),
            CONFINED.to_string(),
        ),
        other => (
            first_line(&other.to_string()).to_string(),
            "scripts are limited in operations, depth and sizes and cannot read files or the network"
                .to_string(),
        ),
    }
}

fn too_large(what: &str) -> String {
    if what.contains("string") {
        format!("a string longer than {} KiB", MAX_STRING_SIZE / 1024)
    } else if what.contains("map") {
        format!(
            "an object map of more than {} entries",
            thousands(MAX_ARRAY_SIZE)
        )
    } else {
        format!("an array of more than {} items", thousands(MAX_ARRAY_SIZE))
    }
}

/// `open (&str | ImmutableString | String)` -> `open(...)`.
fn name_of(signature: &str) -> String {
    let name = signature.split(" (").next().unwrap_or(signature).trim();
    format!("{name}(...)")
}

fn first_line(text: &str) -> &str {
    text.split(" (line ").next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_function_is_named_without_its_signature() {
        assert_eq!(
            name_of("system (&str | ImmutableString | String)"),
            "system(...)"
        );
    }
}
