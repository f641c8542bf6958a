//! Data-quality warnings of a run, for the plan and the status report: register rows whose
//! personnummer is not valid (a wrong shape or date matches nothing by personnummer, so an
//! AD e-mail or account is silently not found; a wrong check digit is a typing error), and persons in the roster without an e-mail address. Neither
//! stops the run; both are things an admin fixes in the register. No value is repeated.

use crate::check::{BlockPlan, Ir, Program};
use crate::diagnostic::{Code, Diag};
use crate::domain::personnummer;
use crate::model::{EntityKind, Roster};
use crate::source::Dataset;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// How many places or keys a warning names before it says "and N more".
const SHOWN: usize = 5;

pub fn warnings(
    program: &Program,
    datasets: &[Dataset],
    roster: &Roster,
    today: NaiveDate,
) -> Vec<Diag> {
    let mut out: Vec<Diag> = personnummer_columns(program)
        .into_iter()
        .filter_map(|(d, col)| {
            invalid_personnummer(&datasets[d], &program.datasets[d].qualified, col, today)
        })
        .collect();
    out.extend(missing_email(program, roster));
    out
}

/// The datasets the warnings read (after the mapping, so their text must be kept).
pub fn datasets_read(program: &Program) -> BTreeSet<usize> {
    personnummer_columns(program)
        .into_iter()
        .map(|(d, _)| d)
        .collect()
}

/// (dataset, column) of every register column a person block reads as a personnummer
/// (an argument of `pnr()`, `pnr_valid()`, `pnr_birth_date()` or `pnr_is_temporary()`).
fn personnummer_columns(program: &Program) -> BTreeSet<(usize, u32)> {
    let mut found = BTreeSet::new();
    for block in program
        .blocks
        .iter()
        .filter(|b| b.entity == EntityKind::Person)
    {
        for ir in block_irs(block) {
            ir.visit(&mut |x| {
                if let Ir::Call { func, args, .. } = x
                    && func.name.starts_with("pnr")
                {
                    for arg in args {
                        arg.visit(&mut |a| {
                            if let Ir::Col { slot: 0, col } = a {
                                found.insert((block.slots[0], *col));
                            }
                        });
                    }
                }
            });
        }
    }
    found
}

fn block_irs(block: &BlockPlan) -> impl Iterator<Item = &Ir> {
    let joins = block.joins.iter().map(|j| &j.probe);
    let fields = block.fields.iter().flatten().map(|f| &f.ir);
    joins
        .chain(block.filter.as_ref())
        .chain(std::iter::once(&block.key))
        .chain(fields)
}

fn invalid_personnummer(data: &Dataset, name: &str, col: u32, today: NaiveDate) -> Option<Diag> {
    let bad: Vec<u32> = (0..data.len() as u32)
        .filter(|&row| {
            let value = data.get(row, col).trim();
            !value.is_empty()
                && !personnummer::looks_temporary(value)
                && !personnummer::parse(value, today).is_ok_and(|p| p.luhn_ok())
        })
        .collect();
    bad.first()?;
    let places: Vec<String> = bad.iter().take(SHOWN).map(|&r| data.place(r)).collect();
    let column = data.columns.get(col as usize).map_or("?", String::as_str);
    Some(
        Diag::warning(
            Code::InvalidPersonnummer,
            format!(
                "{name}: {} row(s) hold a `{column}` that is not a valid personnummer ({}{})",
                bad.len(),
                places.join(", "),
                more(bad.len())
            ),
        )
        .help("correct it in the register: a number of the wrong shape or date matches no directory account by personnummer, and a wrong check digit is most likely a typing error"),
    )
}

fn missing_email(program: &Program, roster: &Roster) -> Option<Diag> {
    let field = EntityKind::Person.field_index("email")?;
    let assigned = program.blocks.iter().any(|b| {
        b.entity == EntityKind::Person && b.fields.get(field).is_some_and(Option::is_some)
    });
    if !assigned {
        return None;
    }
    let persons = roster.entities.get(&EntityKind::Person)?;
    let without: Vec<&str> = persons
        .iter()
        .filter(|(_, r)| r.fields.get(field).is_none_or(|e| e.trim().is_empty()))
        .map(|(key, _)| key)
        .collect();
    if without.is_empty() {
        return None;
    }
    let named = if roster.sensitive_keys.contains(&EntityKind::Person) {
        String::new()
    } else {
        let keys: Vec<&str> = without.iter().take(SHOWN).copied().collect();
        format!(": {}{}", keys.join(", "), more(without.len()))
    };
    Some(
        Diag::warning(
            Code::MissingEmail,
            format!("{} person(s) in the roster have no e-mail{named}", without.len()),
        )
        .help("targets that sign in by e-mail cannot use them; give `email` a fallback, e.g. `email = a.mail ?? slug(p.Förnamn) + \".\" + slug(p.Efternamn) + \"@skola.example.se\"`, or see `etl explain PIPELINE KEY`"),
    )
}

fn more(total: usize) -> String {
    if total > SHOWN {
        format!(" and {} more", total - SHOWN)
    } else {
        String::new()
    }
}
