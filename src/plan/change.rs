//! One change of a plan: what happens to one record of a target, with its values before
//! and after. A rollover's plan holds millions of them, so a change keeps what only a few
//! carry (a re-key's old key, a delayed delete's date) in one optional box: 72 bytes a
//! change instead of 112. The saved plan's JSON is as it was.

use super::Action;
use crate::model::Fields;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "Saved")]
pub struct Change {
    pub action: Action,
    pub key: String,
    pub before: Option<Fields>,
    pub after: Option<Fields>,
    rare: Option<Box<Rare>>,
}

/// What few changes carry.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rare {
    old_key: Option<String>,
    due: Option<String>,
}

impl Change {
    pub fn new(action: Action, key: &str) -> Change {
        Change {
            action,
            key: key.to_string(),
            before: None,
            after: None,
            rare: None,
        }
    }

    /// The record's values as the target will hold them (or held them, for a delete).
    pub fn values(&self) -> Option<&Fields> {
        self.after.as_ref().or(self.before.as_ref())
    }

    /// For a re-key: the key the target knew the record by.
    pub fn old_key(&self) -> Option<&str> {
        self.rare.as_ref()?.old_key.as_deref()
    }

    /// For a delayed delete: the date it will be carried out (YYYY-MM-DD).
    pub fn due(&self) -> Option<&str> {
        self.rare.as_ref()?.due.as_deref()
    }

    pub fn set_old_key(&mut self, old_key: Option<String>) {
        self.rare_mut().old_key = old_key;
        self.drop_empty_rare();
    }

    pub fn set_due(&mut self, due: Option<String>) {
        self.rare_mut().due = due;
        self.drop_empty_rare();
    }

    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    /// No box holding nothing, so that equal changes compare equal however they were made.
    fn drop_empty_rare(&mut self) {
        if self.rare.as_deref() == Some(&Rare::default()) {
            self.rare = None;
        }
    }
}

/// A change as a saved plan holds it (the fields in this order, the empty ones left out).
#[derive(Deserialize)]
struct Saved {
    action: Action,
    key: String,
    #[serde(default)]
    old_key: Option<String>,
    #[serde(default)]
    before: Option<Fields>,
    #[serde(default)]
    after: Option<Fields>,
    #[serde(default)]
    due: Option<String>,
}

impl From<Saved> for Change {
    fn from(saved: Saved) -> Change {
        let mut change = Change {
            action: saved.action,
            key: saved.key,
            before: saved.before,
            after: saved.after,
            rare: None,
        };
        if saved.old_key.is_some() || saved.due.is_some() {
            change.rare = Some(Box::new(Rare {
                old_key: saved.old_key,
                due: saved.due,
            }));
        }
        change
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let present = [
            self.old_key().is_some(),
            self.before.is_some(),
            self.after.is_some(),
            self.due().is_some(),
        ];
        let len = 2 + present.iter().filter(|p| **p).count();
        let mut out = serializer.serialize_struct("Change", len)?;
        out.serialize_field("action", &self.action)?;
        out.serialize_field("key", &self.key)?;
        if let Some(old_key) = self.old_key() {
            out.serialize_field("old_key", old_key)?;
        }
        if let Some(before) = &self.before {
            out.serialize_field("before", before)?;
        }
        if let Some(after) = &self.after {
            out.serialize_field("after", after)?;
        }
        if let Some(due) = self.due() {
            out.serialize_field("due", due)?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_takes_72_bytes() {
        assert_eq!(std::mem::size_of::<Change>(), 72);
    }

    #[test]
    fn saved_json_is_as_before_and_reads_back() {
        let mut change = Change::new(Action::Rekey, "new");
        change.set_old_key(Some("old".into()));
        change.after = Some(Fields::new([Some("a"), None]));
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(
            json,
            r#"{"action":"rekey","key":"new","old_key":"old","after":["a",null]}"#
        );
        assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
        let mut delay = Change::new(Action::Delay, "k");
        delay.set_due(Some("2026-12-01".into()));
        let json = serde_json::to_string(&delay).unwrap();
        assert_eq!(json, r#"{"action":"delay","key":"k","due":"2026-12-01"}"#);
        assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), delay);
    }

    #[test]
    fn clearing_what_was_rare_leaves_an_equal_change() {
        let mut change = Change::new(Action::Update, "k");
        change.set_old_key(Some("old".into()));
        change.set_old_key(None);
        assert_eq!(change, Change::new(Action::Update, "k"));
    }
}
