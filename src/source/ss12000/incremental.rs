//! Incremental reads: whether this read can ask only for what changed, and the read itself.
//! Deleted ids are asked for first and changed objects after, so that an object deleted
//! and made again while the read runs is kept. A person protected since the last read is
//! taken out of every row kept in the mirror. A person no longer protected makes the read a
//! full one: rows that name them in objects that did not change were never kept.

use super::failure::Failure;
use super::mirror::{Header, Mirror};
use super::options::Incremental;
use super::protected::Protected;
use super::resource::{Endpoint, Resource};
use super::snapshot::Snapshot;
use super::{deleted, flatten, pages};
use crate::net::Http;
use crate::report::Tally;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashSet};

/// How this read goes.
#[derive(Debug, PartialEq)]
pub enum Choice {
    /// Everything, for this reason.
    Full(String),
    /// What changed after this time (the last read's start less the overlap).
    Since(DateTime<Utc>),
}

/// Full unless the mirror was read from this server, holds every dataset wanted, and had
/// a full read within `full_every`.
pub fn choose(
    mirror: Option<&Mirror>,
    url: &str,
    wanted: &BTreeSet<Resource>,
    settings: &Incremental,
    now: DateTime<Utc>,
    forced: bool,
) -> Choice {
    let full = |why: &str| Choice::Full(why.to_string());
    let Some(m) = mirror else {
        return full("no mirror yet");
    };
    if forced {
        return full("--full-read");
    }
    if m.outdated {
        return full("the mirror was written by another version of roster-etl");
    }
    let h: &Header = &m.header;
    if h.url != url {
        return full("the mirror was read from another server");
    }
    let missing: Vec<&str> = wanted.difference(&h.resources).map(|r| r.name()).collect();
    if !missing.is_empty() {
        return Choice::Full(format!("the mirror does not hold {}", missing.join(", ")));
    }
    let full_every =
        chrono::Duration::from_std(settings.full_every).unwrap_or(chrono::Duration::MAX);
    if h.full_at
        .checked_add_signed(full_every)
        .is_none_or(|due| due <= now)
    {
        return Choice::Full(format!(
            "the last full read was at {} (full_every: {})",
            h.full_at.format("%Y-%m-%d %H:%M UTC"),
            humantime::format_duration(settings.full_every)
        ));
    }
    let overlap = chrono::Duration::from_std(settings.overlap).unwrap_or(chrono::Duration::MAX);
    Choice::Since(
        h.read_at
            .checked_sub_signed(overlap)
            .unwrap_or(DateTime::UNIX_EPOCH),
    )
}

/// What an incremental read found.
pub struct Found {
    /// Objects the server sent as changed.
    pub changed: usize,
    /// The server's clock when the read began.
    pub date: Option<DateTime<Utc>>,
    /// A person is no longer protected: the read stopped and must be done in full.
    pub unprotected: bool,
}

/// Applies what changed since `since` to `snapshot` and `protected`.
pub async fn read(
    http: &Http,
    page_size: usize,
    wanted: &[Resource],
    tally: &Tally,
    since: DateTime<Utc>,
    snapshot: &mut Snapshot,
    protected: &mut Protected,
) -> Result<Found, Failure> {
    let after = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let endpoints = super::endpoints_of(wanted);
    let list: Vec<Endpoint> = endpoints.iter().copied().collect();
    let (gone, date) = deleted::read(http, &list, &after, page_size)
        .await
        .map_err(|e| Failure::Request(format!("GET {}{}", http.url(""), deleted::PATH), e))?;
    for key in gone {
        if key.0 == Endpoint::Persons {
            protected.forget(&key.1);
        }
        snapshot.remove(key);
    }
    let filters = [("meta.modified.after", after)];
    let mut found = Found {
        changed: 0,
        date,
        unprotected: false,
    };
    let mut newly_protected = HashSet::new();
    // Persons sort first (see `Endpoint`), so a change of protection is seen before the rest.
    for endpoint in &endpoints {
        let mut take = |object: &serde_json::Value| {
            let id = flatten::Obj(object).text("id");
            if *endpoint == Endpoint::Persons {
                match person_change(protected, object, &id) {
                    PersonChange::Unmarked => {}
                    PersonChange::NoLongerProtected => found.unprotected = true,
                    PersonChange::Protected { newly } => {
                        if newly {
                            newly_protected.insert(id.clone());
                        }
                        snapshot.remove((*endpoint, id));
                        return;
                    }
                }
            }
            snapshot.put(
                (*endpoint, id),
                super::object_rows(wanted, *endpoint, object, protected),
            );
        };
        let paged = pages::read_all(http, endpoint.path(), &filters, page_size, tally, &mut take)
            .await
            .map_err(|e| Failure::Request(format!("GET {}{}", http.url(""), endpoint.path()), e))?;
        found.changed += paged.count;
        if found.unprotected {
            return Ok(found);
        }
    }
    snapshot.purge(&newly_protected);
    Ok(found)
}

/// What a changed person's marking means for the mirror.
#[derive(Debug, PartialEq)]
enum PersonChange {
    /// Not protected, now or before.
    Unmarked,
    /// Protected now; `newly` when an earlier read did not know it.
    Protected { newly: bool },
    /// Protected before and not now: rows naming them were never kept.
    NoLongerProtected,
}

/// Notes changed person `object` (id `id`) in `protected`, and says what changed.
fn person_change(protected: &mut Protected, object: &serde_json::Value, id: &str) -> PersonChange {
    let was = protected.was_protected(id);
    match (was, protected.note_person(flatten::Obj(object))) {
        (_, true) => PersonChange::Protected { newly: !was },
        (true, false) => PersonChange::NoLongerProtected,
        (false, false) => PersonChange::Unmarked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::ss12000::protected::Fingerprints;
    use std::collections::BTreeMap;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn mirror(full_at: &str, read_at: &str) -> Mirror {
        Mirror {
            header: Header {
                url: "http://register".into(),
                resources: BTreeSet::from([Resource::Persons, Resource::Groups]),
                read_at: at(read_at),
                full_at: at(full_at),
            },
            protected: Fingerprints::default(),
            objects: BTreeMap::new(),
            outdated: false,
        }
    }

    fn why(choice: Choice) -> String {
        match choice {
            Choice::Full(why) => why,
            Choice::Since(t) => panic!("incremental since {t}"),
        }
    }

    #[test]
    fn a_person_s_marking_is_compared_with_what_earlier_reads_knew() {
        let mut earlier = Fingerprints::fresh().unwrap();
        earlier.insert("p-was");
        let mut protected = Protected::knowing(earlier);
        let person =
            |id: &str, marking: &str| serde_json::json!({"id": id, "securityMarking": marking});
        let mut change =
            |id: &str, marking: &str| person_change(&mut protected, &person(id, marking), id);
        assert_eq!(change("p-plain", "Ingen"), PersonChange::Unmarked);
        assert_eq!(
            change("p-new", "Sekretessmarkering"),
            PersonChange::Protected { newly: true }
        );
        assert_eq!(
            change("p-was", "Skyddad folkbokföring"),
            PersonChange::Protected { newly: false }
        );
        assert_eq!(change("p-was", "Ingen"), PersonChange::NoLongerProtected);
    }

    #[test]
    fn a_read_is_incremental_only_when_the_mirror_fits() {
        let settings = Incremental::default();
        let now = at("2026-11-21T02:00:00Z");
        let persons = BTreeSet::from([Resource::Persons]);
        let m = mirror("2026-11-17T02:00:00Z", "2026-11-20T02:00:00Z");
        let choose = |m: Option<&Mirror>, url: &str, wanted: &BTreeSet<Resource>, forced| {
            choose(m, url, wanted, &settings, now, forced)
        };
        assert_eq!(
            choose(Some(&m), "http://register", &persons, false),
            Choice::Since(at("2026-11-20T01:50:00Z"))
        );
        assert_eq!(
            why(choose(None, "http://register", &persons, false)),
            "no mirror yet"
        );
        assert_eq!(
            why(choose(Some(&m), "http://register", &persons, true)),
            "--full-read"
        );
        assert!(why(choose(Some(&m), "http://other", &persons, false)).contains("another server"));
        let more = BTreeSet::from([Resource::Persons, Resource::Enrolments]);
        assert_eq!(
            why(choose(Some(&m), "http://register", &more, false)),
            "the mirror does not hold enrolments"
        );
        let old = mirror("2026-11-14T02:00:00Z", "2026-11-20T02:00:00Z");
        assert!(
            why(choose(Some(&old), "http://register", &persons, false))
                .contains("full_every: 7days")
        );
        let mut outdated = mirror("2026-11-20T02:00:00Z", "2026-11-20T02:00:00Z");
        outdated.outdated = true;
        assert!(
            why(choose(Some(&outdated), "http://register", &persons, false))
                .contains("another version")
        );
    }
}
