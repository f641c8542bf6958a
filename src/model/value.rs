//! Values during evaluation. Strings borrow from the dataset buffers where they can.

use chrono::NaiveDate;
use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    Days(i64),
}

impl<'a> Value<'a> {
    /// A dataset field: the empty string reads as null, as registers mean "none".
    pub fn field(text: &'a str) -> Self {
        if text.is_empty() {
            Value::Null
        } else {
            Value::Str(Cow::Borrowed(text))
        }
    }

    pub fn str(text: impl Into<Cow<'a, str>>) -> Self {
        Value::Str(text.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Num(n) => Value::Num(n),
            Value::Bool(b) => Value::Bool(b),
            Value::Date(d) => Value::Date(d),
            Value::Days(d) => Value::Days(d),
        }
    }

    /// The text stored in records and state: `None` for null.
    pub fn to_text(&self) -> Option<String> {
        self.clone().into_text().map(Cow::into_owned)
    }

    /// [`Value::to_text`] without copying a string value: a dataset field stays borrowed.
    pub fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Value::Null => None,
            Value::Str(text) => Some(text),
            other => Some(Cow::Owned(other.to_string())),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Str(_) => "string",
            Value::Num(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Date(_) => "date",
            Value::Days(_) => "days",
        }
    }
}

impl Value<'_> {
    /// A total order for sorting (`first by`, merge rules): null first, then booleans
    /// (false before true), numbers, dates, days and strings (by code point); values of
    /// different types order by that list.
    pub fn sort_cmp(&self, other: &Value<'_>) -> std::cmp::Ordering {
        fn rank(v: &Value<'_>) -> u8 {
            match v {
                Value::Null => 0,
                Value::Bool(_) => 1,
                Value::Num(_) => 2,
                Value::Date(_) => 3,
                Value::Days(_) => 4,
                Value::Str(_) => 5,
            }
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Num(a), Value::Num(b)) => a.total_cmp(b),
            (Value::Date(a), Value::Date(b)) => a.cmp(b),
            (Value::Days(a), Value::Days(b)) => a.cmp(b),
            (Value::Str(a), Value::Str(b)) => a.as_ref().cmp(b.as_ref()),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Str(s) => f.write_str(s),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => write!(f, "{}", *n as i64),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Days(d) => write!(f, "{d}d"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;
    use std::cmp::Ordering;

    #[test]
    fn sort_order_is_total_and_puts_null_first() {
        let mut values = [
            Value::str("b"),
            Value::Bool(true),
            Value::Null,
            Value::str("a"),
            Value::Num(2.0),
            Value::Bool(false),
            Value::Num(-1.0),
        ];
        values.sort_by(|a, b| a.sort_cmp(b));
        let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        assert_eq!(shown, ["null", "false", "true", "-1", "2", "a", "b"]);
        assert_eq!(
            Value::str("Å").sort_cmp(&Value::str("Z")),
            Ordering::Greater
        );
    }
}
