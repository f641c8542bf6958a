//! Property tests of the invariants a sync engine lives by:
//! diff then apply converges (a second diff is empty), re-applying an applied plan changes
//! nothing, and the state database stores exactly what the plan applied.

use proptest::prelude::*;
use roster_etl::diff::{Stored, apply_changes, diff};
use roster_etl::model::{EntityKind, Record, Roster};
use roster_etl::plan::{FORMAT, Plan, TargetPlan, VERSION};
use roster_etl::state::{State, TargetVersion};
use std::collections::BTreeMap;

fn records(kind: EntityKind) -> impl Strategy<Value = BTreeMap<String, Record>> {
    let width = kind.fields().len();
    prop::collection::btree_map(
        "[a-e][0-9]",
        prop::collection::vec(prop::option::of("[a-c]{0,2}"), width..=width),
        0..12,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(key, fields)| (key.clone(), Record { key, fields }))
            .collect()
    })
}

fn roster() -> impl Strategy<Value = Roster> {
    (
        records(EntityKind::Person),
        records(EntityKind::Group),
        records(EntityKind::Membership),
    )
        .prop_map(|(p, g, m)| {
            let mut roster = Roster::default();
            roster.entities.insert(EntityKind::Person, p);
            roster.entities.insert(EntityKind::Group, g);
            roster.entities.insert(EntityKind::Membership, m);
            roster
        })
}

fn as_stored(roster: &Roster) -> Stored {
    roster
        .entities
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(k, m)| (*k, m.clone()))
        .collect()
}

fn normalized(stored: &Stored) -> Stored {
    stored
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(k, m)| (*k, m.clone()))
        .collect()
}

proptest! {
    #[test]
    fn diff_then_apply_converges(old in roster(), new in roster()) {
        let mut stored = as_stored(&old);
        let changes = diff(&new, &stored);
        apply_changes(&mut stored, &changes);
        prop_assert_eq!(normalized(&stored), as_stored(&new));
        prop_assert!(diff(&new, &stored).iter().all(|e| e.is_empty()), "a second diff must be empty");
        // Re-applying the same changes changes nothing.
        let again = stored.clone();
        apply_changes(&mut stored, &changes);
        prop_assert_eq!(stored, again);
    }

    #[test]
    fn state_stores_what_was_applied(days in prop::collection::vec(roster(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut state = State::open_or_create(&path).unwrap();
        for day in &days {
            let stored = state.records("t").unwrap();
            let version = state.version("t").unwrap();
            let entities = diff(day, &stored);
            state.commit("t", &version, &entities).unwrap();
            prop_assert_eq!(normalized(&state.records("t").unwrap()), as_stored(day));
            prop_assert_eq!(state.version("t").unwrap().serial, version.serial + 1);
        }
        // Committing against an old version is refused and changes nothing.
        let before = state.records("t").unwrap();
        let old = TargetVersion { serial: 0, ..state.version("t").unwrap() };
        prop_assert!(state.commit("t", &old, &diff(&Roster::default(), &before)).is_err());
        prop_assert_eq!(state.records("t").unwrap(), before);
    }
}

#[test]
fn a_plan_survives_a_json_round_trip() {
    let mut roster = Roster::default();
    let record = Record {
        key: "E1".into(),
        fields: vec![
            Some("Åsa".into()),
            None,
            Some("pupil".into()),
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    };
    roster.entities.insert(
        EntityKind::Person,
        BTreeMap::from([("E1".to_string(), record)]),
    );
    let plan = Plan {
        format: FORMAT.into(),
        version: VERSION,
        pipeline: "/p.yaml".into(),
        pipeline_name: "p".into(),
        state: "/p.db".into(),
        today: "2026-11-21".into(),
        targets: vec![TargetPlan {
            name: "t".into(),
            kind: "oneroster-1.1".into(),
            path: "/out".into(),
            lineage: None,
            serial: 0,
            first_run: true,
            entities: diff(&roster, &Stored::new()),
        }],
        left_out: vec![],
    };
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&text).unwrap(), plan);
}
