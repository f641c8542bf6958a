//! Property tests of the invariants a sync engine lives by:
//! diff then apply converges (a second diff is empty), re-applying an applied plan changes
//! nothing, any sequence of daily snapshots ends where one fresh run of the last day does,
//! and the state database stores exactly what the plan applied. Each under any mix of
//! delete policies (delete, trash, archive, delay).

use chrono::NaiveDate;
use proptest::prelude::*;
use roster_etl::diff::{
    DeletePolicy, DiffOptions, Policies, Records, Stored, Want, apply_changes, diff, to_records,
    to_stored,
};
use roster_etl::model::{EntityKind, Record, Roster, Status};
use roster_etl::plan::{FORMAT, Plan, TargetPlan, VERSION};
use roster_etl::state::{AppliedRun, State, TargetVersion};
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
            .map(|(key, fields)| (key, Record::active(fields)))
            .collect()
    })
}

/// Memberships whose `group` field names one of the generated groups' keys.
fn memberships() -> impl Strategy<Value = BTreeMap<String, Record>> {
    (
        records(EntityKind::Membership),
        prop::collection::vec("[a-e][0-9]", 12),
    )
        .prop_map(|(mut m, groups)| {
            for (record, group) in m.values_mut().zip(groups) {
                record.fields = record.fields.with(1, Some(&group));
            }
            m
        })
}

fn roster() -> impl Strategy<Value = Roster> {
    (
        records(EntityKind::Person),
        records(EntityKind::Group),
        memberships(),
    )
        .prop_map(|(p, g, mut m)| {
            // As the executor does: a membership's group is in the roster.
            m.retain(|_, r| r.fields.get(1).is_some_and(|k| g.contains_key(k)));
            let mut roster = Roster::default();
            roster.entities.insert(EntityKind::Person, (&p).into());
            roster.entities.insert(EntityKind::Group, (&g).into());
            roster.entities.insert(EntityKind::Membership, (&m).into());
            roster
        })
}

fn as_stored(roster: &Roster) -> Records {
    roster
        .entities
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(k, m)| (*k, m.to_map()))
        .collect()
}

fn normalized(stored: &Records) -> Records {
    stored
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(k, m)| (*k, m.clone()))
        .collect()
}

fn policy() -> impl Strategy<Value = DeletePolicy> {
    prop_oneof![
        Just(DeletePolicy::Delete),
        Just(DeletePolicy::Trash),
        Just(DeletePolicy::Archive),
        (0u32..3).prop_map(DeletePolicy::Delay),
    ]
}

fn policies() -> impl Strategy<Value = Policies> {
    prop::collection::vec(policy(), 4).prop_map(|p| Policies {
        by_kind: EntityKind::ALL.iter().copied().zip(p).collect(),
    })
}

const DAY: &str = "2026-11-21";

fn day(n: u64) -> NaiveDate {
    NaiveDate::parse_from_str(DAY, "%Y-%m-%d").unwrap() + chrono::Days::new(n)
}

/// No stable identity declared.
static NO_IDENTITY: BTreeMap<EntityKind, usize> = BTreeMap::new();

fn opts(policies: &Policies, n: u64) -> DiffOptions<'_> {
    DiffOptions {
        policies,
        today: day(n),
        identity: &NO_IDENTITY,
    }
}

/// Persons and groups identified by their first field.
fn by_first_field() -> BTreeMap<EntityKind, usize> {
    BTreeMap::from([(EntityKind::Person, 0), (EntityKind::Group, 0)])
}

/// What the sources put in a target: its active records, less the memberships of archived
/// groups (kept frozen on purpose).
fn active(stored: &Records) -> Records {
    let archived: Vec<&String> = stored
        .get(&EntityKind::Group)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter(|(_, g)| g.status == Status::Archived)
        .map(|(key, _)| key)
        .collect();
    let live = |kind: EntityKind, r: &Record| {
        r.status.is_active()
            && !(kind == EntityKind::Membership
                && r.fields
                    .get(1)
                    .is_some_and(|g| archived.iter().any(|a| *a == g)))
    };
    stored
        .iter()
        .map(|(k, m)| {
            let kept = m.iter().filter(|(_, r)| live(*k, r));
            (
                *k,
                kept.map(|(key, r)| (key.clone(), r.clone()))
                    .collect::<BTreeMap<_, _>>(),
            )
        })
        .filter(|(_, m)| !m.is_empty())
        .collect()
}

fn applied_run<'a>(target: &'a TargetPlan) -> AppliedRun<'a> {
    AppliedRun {
        target,
        today: DAY,
        mode: "normal",
        summary: Default::default(),
        datasets: &[],
        remote: None,
    }
}

fn target(entities: Vec<roster_etl::plan::EntityPlan>) -> TargetPlan {
    TargetPlan {
        name: "t".into(),
        kind: "oneroster-1.1".into(),
        path: "/out".into(),
        lineage: None,
        serial: 0,
        first_run: true,
        entities,
        safety: Default::default(),
        options: Default::default(),
    }
}

proptest! {
    #[test]
    fn diff_then_apply_converges(old in roster(), new in roster(), policies in policies()) {
        let mut stored = as_stored(&old);
        let changes = diff(Want::Read(&new), &to_stored(&stored), &opts(&policies, 0));
        apply_changes(&mut stored, &changes);
        prop_assert_eq!(active(&stored), as_stored(&new));
        let second = diff(Want::Read(&new), &to_stored(&stored), &opts(&policies, 0));
        prop_assert!(second.iter().all(|e| e.is_empty()), "a second diff must be empty: {:?}", second);
        // Re-applying the same changes changes nothing.
        let again = stored.clone();
        apply_changes(&mut stored, &changes);
        prop_assert_eq!(stored, again);
    }

    #[test]
    fn a_diff_that_spends_the_roster_plans_what_one_that_reads_it_does(
        old in roster(),
        new in roster(),
        policies in policies(),
    ) {
        let stored = to_stored(&as_stored(&old));
        let read = diff(Want::Read(&new), &stored, &opts(&policies, 0));
        let mut spent = new.clone();
        spent.left_out.push(roster_etl::model::LeftOut {
            entity: EntityKind::Person,
            reason: "kept".into(),
            records: Vec::new(),
        });
        let taken = diff(Want::Spend(&mut spent), &stored, &opts(&policies, 0));
        prop_assert_eq!(&taken, &read);
        // The records are freed; what the run left out is kept.
        prop_assert!(spent.entities.is_empty());
        prop_assert_eq!(spent.left_out.len(), 1);
    }

    #[test]
    fn re_keys_converge_too(old in roster(), new in roster(), policies in policies()) {
        let identity = by_first_field();
        let opts = DiffOptions { policies: &policies, today: day(0), identity: &identity };
        let mut stored = as_stored(&old);
        let changes = diff(Want::Read(&new), &to_stored(&stored), &opts);
        apply_changes(&mut stored, &changes);
        prop_assert_eq!(active(&stored), as_stored(&new));
        prop_assert!(diff(Want::Read(&new), &to_stored(&stored), &opts).iter().all(|e| e.is_empty()));
    }

    #[test]
    fn daily_snapshots_end_where_a_fresh_run_of_the_last_day_does(
        days in prop::collection::vec(roster(), 1..5),
        policies in policies(),
    ) {
        let mut stored = Records::new();
        for (n, snapshot) in days.iter().enumerate() {
            let changes = diff(Want::Read(snapshot), &to_stored(&stored), &opts(&policies, n as u64));
            apply_changes(&mut stored, &changes);
        }
        let last = days.last().unwrap();
        let mut fresh = Records::new();
        apply_changes(&mut fresh, &diff(Want::Read(last), &Stored::new(), &opts(&policies, 0)));
        prop_assert_eq!(active(&stored), active(&fresh));
        // With every policy `delete`, nothing else is left either.
        let delete = Policies::delete_all();
        let mut plain = Records::new();
        for (n, snapshot) in days.iter().enumerate() {
            let changes = diff(Want::Read(snapshot), &to_stored(&plain), &opts(&delete, n as u64));
            apply_changes(&mut plain, &changes);
        }
        prop_assert_eq!(normalized(&plain), normalized(&fresh));
    }

    #[test]
    fn state_stores_what_was_applied(days in prop::collection::vec(roster(), 1..4), policies in policies()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut state = State::open_or_create(&path).unwrap();
        let mut expected = Records::new();
        for (n, snapshot) in days.iter().enumerate() {
            let stored = state.records("t").unwrap();
            let version = state.version("t").unwrap();
            let plan = target(diff(Want::Read(snapshot), &stored, &opts(&policies, n as u64)));
            apply_changes(&mut expected, &plan.entities);
            state.commit(&version, &applied_run(&plan)).unwrap();
            prop_assert_eq!(normalized(&to_records(&state.records("t").unwrap())), normalized(&expected));
            prop_assert_eq!(state.version("t").unwrap().serial, version.serial + 1);
        }
        // Committing against an old version is refused and changes nothing.
        let before = state.records("t").unwrap();
        let old = TargetVersion { serial: 0, ..state.version("t").unwrap() };
        let plan = target(diff(Want::Read(&Roster::default()), &before, &opts(&policies, 9)));
        prop_assert!(state.commit(&old, &applied_run(&plan)).is_err());
        prop_assert_eq!(state.records("t").unwrap(), before);
    }
}

#[test]
fn a_plan_survives_a_json_round_trip() {
    let mut roster = Roster::default();
    let record = Record::active(vec![
        Some("Åsa".into()),
        None,
        Some("pupil".into()),
        None,
        None,
        None,
        None,
        None,
        None,
    ]);
    roster.entities.insert(
        EntityKind::Person,
        (&BTreeMap::from([("E1".to_string(), record)])).into(),
    );
    let plan = Plan {
        format: FORMAT.into(),
        version: VERSION,
        pipeline: "/p.yaml".into(),
        pipeline_name: "p".into(),
        state: "/p.db".into(),
        today: "2026-11-21".into(),
        targets: vec![target(diff(
            Want::Read(&roster),
            &Stored::new(),
            &opts(&Policies::default(), 0),
        ))],
        left_out: vec![],
        mode: Default::default(),
        allows: vec!["delete.person=10".into()],
        datasets: vec![("extens.elever".into(), 3)],
        reads: vec!["source `register`: read in full (no mirror yet)".into()],
    };
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&text).unwrap(), plan);
}
