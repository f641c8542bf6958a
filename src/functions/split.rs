use super::args::text;
use super::signature::*;
use crate::model::Value;

pub const SPLIT: Function = Function {
    name: "split",
    summary: "Part `index` (from 0) of the text split at `separator`; null when there is no such part.",
    params: &[
        param("text", Ty::Str),
        param("separator", Ty::Str),
        param("index", Ty::Num),
    ],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| {
        let (Some(s), Some(sep)) = (text(&args[0]), text(&args[1])) else {
            return Ok(Value::Null);
        };
        let Value::Num(index) = args[2] else {
            return Ok(Value::Null);
        };
        if index < 0.0 || sep.is_empty() {
            return Ok(Value::Null);
        }
        Ok(s.split(&*sep)
            .nth(index as usize)
            .map_or(Value::Null, |p| Value::str(p.to_string())))
    },
    examples: &[
        Example {
            expr: r#"split("anna.berg@skola.se", "@", 1)"#,
            result: r#""skola.se""#,
        },
        Example {
            expr: r#"split("a,b", ",", 5)"#,
            result: "null",
        },
    ],
};
