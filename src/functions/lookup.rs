use super::signature::*;

/// `lookup` is bound to its table when the mapping is compiled (see `check`); this entry
/// gives the checker and the docs its signature.
pub const LOOKUP: Function = Function {
    name: "lookup",
    summary: "The value for `key` in a table declared under `lookups:` in the pipeline (inline \
              `values:` or a CSV `file:`). Fails when the key is missing, so it must be handled: \
              `lookup(\"roller\", p.Befattning) ?? \"staff\"`.",
    params: &[literal("table"), param("key", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Always,
    call: |_, _| Err("lookup is bound at compile time".to_string()),
    examples: &[
        Example {
            expr: r#"lookup("roller", "Lärare")"#,
            result: r#""teacher""#,
        },
        Example {
            expr: r#"lookup("roller", "Vaktmästare") ?? "staff""#,
            result: r#""staff""#,
        },
    ],
};
