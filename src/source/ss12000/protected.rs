//! Protected identities in SS12000: a person whose `securityMarking` is anything but
//! `Ingen` (Sekretessmarkering, Skyddad folkbokföring, or a value this version does not
//! know) is not read, and neither is any row that names them (memberships, placements,
//! duties). Their ids are held only in memory for the length of the read; a mirror of the
//! register keeps only [`Fingerprints`] of them, so that an incremental read still knows
//! who was protected without the mirror naming anyone.

use super::flatten::Obj;
use ring::digest::{SHA256, digest};
use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Protected {
    ids: HashSet<String>,
    /// Persons known to be protected from earlier reads (incremental reads only).
    earlier: Fingerprints,
}

/// Salted SHA-256 digests of protected persons' ids: whether an id is among them can be
/// asked, but the ids cannot be listed. The salt is random per mirror.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fingerprints {
    pub salt: [u8; 16],
    pub set: HashSet<[u8; 32]>,
}

impl Fingerprints {
    /// An empty set with a fresh random salt.
    pub fn fresh() -> Result<Fingerprints, String> {
        let mut salt = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt)
            .map_err(|_| "the system gives no random numbers".to_string())?;
        Ok(Fingerprints {
            salt,
            set: HashSet::new(),
        })
    }

    pub fn of(&self, id: &str) -> [u8; 32] {
        let mut input = Vec::with_capacity(16 + id.len());
        input.extend_from_slice(&self.salt);
        input.extend_from_slice(id.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(digest(&SHA256, &input).as_ref());
        out
    }

    pub fn contains(&self, id: &str) -> bool {
        !self.set.is_empty() && self.set.contains(&self.of(id))
    }

    pub fn insert(&mut self, id: &str) {
        let fp = self.of(id);
        self.set.insert(fp);
    }

    pub fn remove(&mut self, id: &str) {
        let fp = self.of(id);
        self.set.remove(&fp);
    }
}

impl Protected {
    /// Knowing who earlier reads found protected.
    pub fn knowing(earlier: Fingerprints) -> Protected {
        Protected {
            ids: HashSet::new(),
            earlier,
        }
    }

    /// Whether an earlier read found person `id` protected.
    pub fn was_protected(&self, id: &str) -> bool {
        self.earlier.contains(id)
    }

    /// The protected persons' fingerprints, with `salt`: those of this read and those
    /// known earlier.
    pub fn fingerprints(&self) -> Fingerprints {
        let mut all = self.earlier.clone();
        for id in &self.ids {
            all.insert(id);
        }
        all
    }

    /// A protected person was deleted from the register.
    pub fn forget(&mut self, id: &str) {
        self.earlier.remove(id);
        self.ids.remove(id);
    }

    #[cfg(test)]
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Protected {
        Protected {
            ids: ids.into_iter().map(str::to_string).collect(),
            earlier: Fingerprints::default(),
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
        if marked(*person) {
            return true;
        }
        let id = person.text("id");
        self.ids.contains(&id) || self.earlier.contains(&id)
    }

    /// Protected persons: found by this read, and known earlier but not read again.
    pub fn len(&self) -> usize {
        let again = self
            .ids
            .iter()
            .filter(|id| self.earlier.contains(id))
            .count();
        self.ids.len() + self.earlier.set.len() - again
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

    #[test]
    fn fingerprints_answer_for_an_id_without_holding_it() {
        let mut earlier = Fingerprints::fresh().unwrap();
        earlier.insert("p-secret");
        let held = format!("{:?}", earlier);
        assert!(!held.contains("p-secret"));
        let mut p = Protected::knowing(earlier);
        assert!(p.reference(&Obj(&json!({"id": "p-secret"}))));
        assert!(!p.reference(&Obj(&json!({"id": "p-other"}))));
        assert!(p.was_protected("p-secret"));
        assert_eq!(p.len(), 1);
        p.note_person(Obj(
            &json!({"id": "p-new", "securityMarking": "Sekretessmarkering"}),
        ));
        assert_eq!(p.len(), 2);
        assert_eq!(p.fingerprints().set.len(), 2);
        p.forget("p-secret");
        assert!(!p.reference(&Obj(&json!({"id": "p-secret"}))));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn two_mirrors_fingerprint_the_same_id_differently() {
        let a = Fingerprints::fresh().unwrap();
        let b = Fingerprints::fresh().unwrap();
        assert_ne!(a.of("p1"), b.of("p1"));
        assert_eq!(a.of("p1"), a.of("p1"));
    }
}
