//! Raw YAML values of the safe-sync settings that take more than one shape:
//! a limit (`50`, `5%`, `none`, `{count, percent}`) and a delete policy (`trash`, `{delay: 14d}`).

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum LimitValue {
    /// `5%`, `none`, or a count written as text.
    Text(String),
    Count(u64),
    Parts {
        count: Option<u64>,
        percent: Option<f64>,
    },
}

impl<'de> Deserialize<'de> for LimitValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LimitValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a count like 50, a share like 5%, `none`, or { count: 50, percent: 5 }",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LimitValue, E> {
                Ok(LimitValue::Count(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LimitValue, E> {
                Ok(LimitValue::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LimitValue, A::Error> {
                let (mut count, mut percent) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "count" => count = Some(map.next_value()?),
                        "percent" => percent = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["count", "percent"]));
                        }
                    }
                }
                Ok(LimitValue::Parts { count, percent })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyValue {
    /// `delete`, `trash` or `archive`.
    Word(String),
    /// `{ delay: 14d }`.
    Delay(String),
}

impl<'de> Deserialize<'de> for PolicyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PolicyValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`delete`, `trash`, `archive` or { delay: 14d }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PolicyValue, E> {
                Ok(PolicyValue::Word(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PolicyValue, A::Error> {
                let mut delay = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "delay" => delay = Some(map.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["delay"])),
                    }
                }
                delay
                    .map(PolicyValue::Delay)
                    .ok_or_else(|| de::Error::missing_field("delay"))
            }
        }
        d.deserialize_any(V)
    }
}
