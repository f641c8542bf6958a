use super::signature::*;

/// `script` is bound to its compiled Rhai file when the mapping is compiled (see `check`).
pub const SCRIPT: Function = Function {
    name: "script",
    summary: "Runs a Rhai script (path relative to the mapping file) with the other arguments in the \
              array `args`; the script's last expression is the result. Scripts run sandboxed: no \
              files, network or modules, and limits on operations, call depth, string and array \
              sizes. An error stops the run, naming the script line and the mapping line.",
    params: &[literal("path"), optional("arg", Ty::Any)],
    variadic: true,
    returns: Ty::Any,
    fallible: Fallible::Never,
    call: |_, _| Err("script is bound at compile time".to_string()),
    examples: &[Example {
        expr: r#"script("scripts/initials.rhai", "Anna", "Berg")"#,
        result: r#""AB""#,
    }],
};
