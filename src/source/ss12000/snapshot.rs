//! The register as rows, object by object: what a mirrored read builds its datasets from.
//! An incremental read changes it object by object (deleted ids out, changed objects in),
//! and remembers which, so that only those are written back to the mirror.

use super::flatten::{self, Purged};
use super::resource::{Endpoint, Resource};
use crate::source::Dataset;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// An object: the endpoint it is read from and its id.
pub type Key = (Endpoint, String);

/// The rows one object gives, each with the dataset kind it belongs to.
pub type Rows = Vec<(Resource, Vec<String>)>;

#[derive(Debug, Default)]
pub struct Snapshot {
    objects: BTreeMap<Key, Rows>,
    removed: BTreeSet<Key>,
    changed: BTreeSet<Key>,
    /// Objects that were held and are now gone (not counting ids deleted twice).
    deleted: usize,
}

/// What changed since the snapshot was loaded, to be written back.
#[derive(Debug, Default)]
pub struct Delta {
    pub removed: Vec<Key>,
    pub changed: Vec<(Key, Rows)>,
}

impl Snapshot {
    pub fn new(objects: BTreeMap<Key, Rows>) -> Snapshot {
        Snapshot {
            objects,
            ..Snapshot::default()
        }
    }

    /// The object is gone from the register.
    pub fn remove(&mut self, key: Key) {
        if self.objects.remove(&key).is_some() {
            self.deleted += 1;
        }
        self.changed.remove(&key);
        self.removed.insert(key);
    }

    /// The object as the register holds it now; an object without rows is not kept.
    pub fn put(&mut self, key: Key, rows: Rows) {
        if rows.is_empty() {
            if self.objects.remove(&key).is_some() {
                self.removed.insert(key.clone());
            }
            self.changed.remove(&key);
            return;
        }
        self.removed.remove(&key);
        self.changed.insert(key.clone());
        self.objects.insert(key, rows);
    }

    /// Takes the persons `ids`, protected since the rows were made, out of every row.
    pub fn purge(&mut self, ids: &HashSet<String>) {
        if ids.is_empty() {
            return;
        }
        let mut touched = Vec::new();
        for (key, rows) in &mut self.objects {
            let mut changed = false;
            rows.retain_mut(|(resource, row)| {
                let purged = flatten::without_persons(*resource, row, ids);
                changed |= purged != Purged::Unchanged;
                purged != Purged::Drop
            });
            if changed {
                touched.push(key.clone());
            }
        }
        for key in touched {
            let rows = self.objects.remove(&key).unwrap_or_default();
            self.put(key, rows);
        }
    }

    pub fn deleted(&self) -> usize {
        self.deleted
    }

    /// One dataset per `wanted` resource (named by `names`), rows in object order; `None`
    /// when a dataset would outgrow what it can hold.
    pub fn datasets(&self, wanted: &[Resource], names: &[String]) -> Option<Vec<Dataset>> {
        let mut datasets: Vec<Dataset> = wanted
            .iter()
            .zip(names)
            .map(|(r, name)| {
                let columns = r.columns().iter().map(|c| c.to_string()).collect();
                Dataset::from_api(name.clone(), columns)
            })
            .collect();
        let mut number: u32 = 0;
        let mut endpoint = None;
        for ((e, _), rows) in &self.objects {
            // Objects are numbered within their endpoint, as a server's list numbers them.
            if endpoint != Some(*e) {
                endpoint = Some(*e);
                number = 0;
            }
            number = number.saturating_add(1);
            for (dataset, resource) in datasets.iter_mut().zip(wanted) {
                for (_, row) in rows.iter().filter(|(r, _)| r == resource) {
                    if !dataset.push_row(row.iter().map(String::as_str), number) {
                        return None;
                    }
                }
            }
        }
        Some(datasets)
    }

    /// The objects removed and changed since [`Snapshot::new`].
    pub fn delta(&self) -> Delta {
        Delta {
            removed: self.removed.iter().cloned().collect(),
            changed: self
                .changed
                .iter()
                .filter_map(|k| Some((k.clone(), self.objects.get(k)?.clone())))
                .collect(),
        }
    }

    /// Every object, for a mirror written whole.
    pub fn into_objects(self) -> BTreeMap<Key, Rows> {
        self.objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Key {
        (Endpoint::Groups, id.to_string())
    }

    fn group(id: &str, name: &str) -> Rows {
        vec![(
            Resource::Groups,
            vec![id, name, "Klass", "GR", "o1", "", "", ""]
                .into_iter()
                .map(String::from)
                .collect(),
        )]
    }

    fn names(d: &Dataset) -> Vec<String> {
        (0..d.len() as u32)
            .map(|r| d.get(r, 1).to_string())
            .collect()
    }

    #[test]
    fn deletes_and_changes_merge_into_what_was_held() {
        let held: BTreeMap<Key, Rows> = [("g1", "1A"), ("g2", "1B"), ("g3", "1C")]
            .into_iter()
            .map(|(id, n)| (key(id), group(id, n)))
            .collect();
        let mut s = Snapshot::new(held);
        s.remove(key("g2"));
        s.remove(key("g9")); // deleted before it was ever read: nothing to do
        s.put(key("g3"), group("g3", "2C"));
        s.put(key("g4"), group("g4", "1D"));
        let d = s
            .datasets(&[Resource::Groups], &["groups".to_string()])
            .unwrap();
        assert_eq!(names(&d[0]), ["1A", "2C", "1D"]);
        assert_eq!(s.deleted(), 1);
        let delta = s.delta();
        assert_eq!(delta.removed, vec![key("g2"), key("g9")]);
        let changed: Vec<&str> = delta.changed.iter().map(|(k, _)| k.1.as_str()).collect();
        assert_eq!(changed, ["g3", "g4"]);
    }

    #[test]
    fn an_object_deleted_and_made_again_in_one_read_is_kept() {
        let mut s = Snapshot::new(BTreeMap::from([(key("g1"), group("g1", "1A"))]));
        s.remove(key("g1"));
        s.put(key("g1"), group("g1", "1A"));
        assert_eq!(s.delta().removed, Vec::<Key>::new());
        assert_eq!(s.delta().changed.len(), 1);
    }

    #[test]
    fn a_person_protected_since_is_purged_from_rows_kept() {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let g1: Rows = vec![
            (
                Resource::Groups,
                row(&["g1", "1A", "Klass", "GR", "o1", "", "", ""]),
            ),
            (Resource::GroupMemberships, row(&["g1", "p1", "", ""])),
            (Resource::GroupMemberships, row(&["g1", "p2", "", ""])),
        ];
        let g2: Rows = vec![(Resource::GroupMemberships, row(&["g2", "p3", "", ""]))];
        let mut s = Snapshot::new(BTreeMap::from([(key("g1"), g1), (key("g2"), g2)]));
        s.purge(&HashSet::from(["p2".to_string()]));
        let delta = s.delta();
        assert_eq!(delta.changed.len(), 1, "only g1 changed");
        let members: Vec<&str> = delta.changed[0]
            .1
            .iter()
            .filter(|(r, _)| *r == Resource::GroupMemberships)
            .map(|(_, row)| row[1].as_str())
            .collect();
        assert_eq!(members, ["p1"]);
    }

    #[test]
    fn an_object_that_now_gives_no_rows_is_dropped() {
        let mut s = Snapshot::new(BTreeMap::from([(key("g1"), group("g1", "1A"))]));
        s.put(key("g1"), Vec::new());
        assert_eq!(s.delta().removed, vec![key("g1")]);
        assert!(s.into_objects().is_empty());
    }
}
