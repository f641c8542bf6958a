use super::signature::*;
use crate::model::Value;

pub const TODAY: Function = Function {
    name: "today",
    summary: "The run's date: the local date, or `--today` when given (tests and re-runs use it).",
    params: &[],
    variadic: false,
    returns: Ty::Date,
    fallible: Fallible::Never,
    call: |_, ctx| Ok(Value::Date(ctx.today)),
    examples: &[Example {
        expr: "today()",
        result: "2026-11-21",
    }],
};
