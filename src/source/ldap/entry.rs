//! A search result entry taken apart without trusting the server: a malformed entry is an
//! error, never a panic, and every value stays bytes until its attribute says what it is
//! (`objectGUID` is binary even when its bytes happen to be valid UTF-8).

use ldap3::ResultEntry;
use ldap3::asn1::{PL, StructureTag};

/// One entry: its DN and each attribute's values, as the server sent them.
#[derive(Debug, Default)]
pub struct Entry {
    pub dn: String,
    pub attributes: Vec<(String, Vec<Vec<u8>>)>,
}

impl Entry {
    /// The values of `name` (attribute names compare case-insensitively).
    pub fn values(&self, name: &str) -> Option<&[Vec<u8>]> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// `SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName, attributes }`.
pub fn parse(raw: ResultEntry) -> Result<Entry, String> {
    let parts = constructed(raw.0).ok_or("a search result entry is not a sequence")?;
    let mut parts = parts.into_iter();
    let dn = parts
        .next()
        .and_then(primitive)
        .ok_or("a search result entry has no DN")?;
    let dn = String::from_utf8(dn).map_err(|_| "an entry's DN is not UTF-8".to_string())?;
    let mut attributes = Vec::new();
    for attribute in parts.next().and_then(constructed).unwrap_or_default() {
        let mut pair = constructed(attribute)
            .ok_or_else(|| format!("entry {dn}: an attribute is not a sequence"))?
            .into_iter();
        let name = pair
            .next()
            .and_then(primitive)
            .and_then(|n| String::from_utf8(n).ok())
            .ok_or_else(|| format!("entry {dn}: an attribute has no readable name"))?;
        let values = pair
            .next()
            .and_then(constructed)
            .unwrap_or_default()
            .into_iter()
            .map(primitive)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("entry {dn}: attribute {name} has a malformed value"))?;
        attributes.push((name, values));
    }
    Ok(Entry { dn, attributes })
}

fn constructed(tag: StructureTag) -> Option<Vec<StructureTag>> {
    match tag.payload {
        PL::C(inner) => Some(inner),
        PL::P(_) => None,
    }
}

fn primitive(tag: StructureTag) -> Option<Vec<u8>> {
    match tag.payload {
        PL::P(bytes) => Some(bytes),
        PL::C(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3::asn1::TagClass;

    fn p(bytes: &[u8]) -> StructureTag {
        StructureTag {
            class: TagClass::Universal,
            id: 4,
            payload: PL::P(bytes.to_vec()),
        }
    }

    fn c(inner: Vec<StructureTag>) -> StructureTag {
        StructureTag {
            class: TagClass::Universal,
            id: 16,
            payload: PL::C(inner),
        }
    }

    #[test]
    fn takes_an_entry_apart_keeping_binary_values_as_bytes() {
        let guid = [0xffu8, 0x00, 0x41, 0x42];
        let raw = c(vec![
            p(b"CN=a,DC=x"),
            c(vec![
                c(vec![p(b"objectGUID"), c(vec![p(&guid)])]),
                c(vec![p(b"mail"), c(vec![p(b"a@x.se"), p(b"b@x.se")])]),
            ]),
        ]);
        let entry = parse(ResultEntry::new(raw)).unwrap();
        assert_eq!(entry.dn, "CN=a,DC=x");
        assert_eq!(entry.values("OBJECTGUID").unwrap(), &[guid.to_vec()]);
        assert_eq!(entry.values("mail").unwrap().len(), 2);
        assert!(entry.values("sn").is_none());
    }

    #[test]
    fn a_malformed_entry_is_an_error_not_a_panic() {
        assert!(parse(ResultEntry::new(p(b"not a sequence"))).is_err());
        assert!(parse(ResultEntry::new(c(vec![]))).is_err());
        let bad_value = c(vec![
            p(b"CN=a"),
            c(vec![c(vec![p(b"mail"), c(vec![c(vec![])])])]),
        ]);
        assert!(parse(ResultEntry::new(bad_value)).is_err());
    }
}
