//! Protected identities in SS12000: a person whose `securityMarking` is anything but
//! `Ingen` (Sekretessmarkering, Skyddad folkbokföring, or a value this version does not
//! know) is not read, and neither is any row that names them (memberships, placements,
//! duties). Their ids are held only in memory for the length of the read.

use super::flatten::Obj;
use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Protected {
    ids: HashSet<String>,
}

impl Protected {
    #[cfg(test)]
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Protected {
        Protected {
            ids: ids.into_iter().map(str::to_string).collect(),
        }
    }

    /// Notes `person` when it is marked; true when it is.
    pub fn note_person(&mut self, person: Obj) -> bool {
        if !marked(person) {
            return false;
        }
        self.ids.insert(person.text("id"));
        true
    }

    /// A reference to a person that is marked itself or names a marked person.
    pub fn reference(&self, person: &Obj) -> bool {
        marked(*person) || self.ids.contains(&person.text("id"))
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Unmarked means no marking or `Ingen`; anything else counts as protected, so that a
/// new marking in a later version of the standard errs on the safe side.
fn marked(person: Obj) -> bool {
    let marking = person.text("securityMarking");
    let marking = marking.trim();
    !(marking.is_empty() || marking.eq_ignore_ascii_case("Ingen"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_ingen_or_no_marking_is_unprotected() {
        let mut p = Protected::default();
        for (marking, expected) in [
            (json!(null), false),
            (json!("Ingen"), false),
            (json!("Sekretessmarkering"), true),
            (json!("Skyddad folkbokföring"), true),
            (json!("Något nytt"), true),
        ] {
            let person = json!({"id": "x", "securityMarking": marking});
            assert_eq!(p.note_person(Obj(&person)), expected, "{marking}");
        }
        assert_eq!(p.len(), 1);
    }
}
