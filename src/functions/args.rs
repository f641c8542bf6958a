//! Helpers for reading arguments inside function implementations.

use crate::model::Value;
use chrono::NaiveDate;
use std::borrow::Cow;

/// A string argument; `None` for null (functions then return null).
pub fn text<'a>(v: &Value<'a>) -> Option<Cow<'a, str>> {
    match v {
        Value::Null => None,
        Value::Str(s) => Some(s.clone()),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// A literal string argument (checked at compile time to be a string).
pub fn lit<'v>(v: &'v Value<'_>) -> &'v str {
    v.as_str().unwrap_or("")
}

/// A date argument: a date, or a string in one of the register formats; null stays null.
pub fn date(v: &Value<'_>) -> Result<Option<NaiveDate>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Date(d) => Ok(Some(*d)),
        Value::Str(s) => super::date::parse_register_date(s, None).map(Some),
        other => Err(format!("expected a date, got {}", other.type_name())),
    }
}

/// Maps a string argument to a new value, passing null through.
pub fn map_text<'a>(v: &Value<'a>, f: impl FnOnce(&str) -> String) -> Value<'a> {
    match text(v) {
        Some(s) => Value::str(f(&s)),
        None => Value::Null,
    }
}
