//! The whole roster while it is generated: schools, groups, pupils, staff and AD accounts.

use super::names::{mail_fold, sam_fold};
use super::pnr::Numbers;
use super::rng::Rng;
use std::collections::HashMap;

pub const DAY1: &str = "2025-11-20";
pub const DAY2: &str = "2025-11-21";
pub const ROLLOVER_DAY: &str = "2026-08-17";
pub const LASAR_PREV: &str = "2024/25";
pub const LASAR: &str = "2025/26";
pub const LASAR_NEXT: &str = "2026/27";
pub const PREV_START: &str = "2024-08-19";
pub const PREV_END: &str = "2025-06-13";
pub const YEAR_START: &str = "2025-08-18";
pub const YEAR_END: &str = "2026-06-12";
pub const NEXT_START: &str = "2026-08-17";
pub const NEXT_END: &str = "2027-06-11";
/// The next term's start: pupils who start then.
pub const VT_START: &str = "2026-01-07";
/// The autumn year of LASAR.
pub const SCHOOL_YEAR: i32 = 2025;
pub const MAIL_DOMAIN: &str = "skola.example.se";

pub struct School {
    pub code: String,
    pub name: String,
}

pub struct Group {
    pub gid: String,
    pub name: String,
    pub typ: &'static str,
    pub school: usize,
    pub lasar: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub to_lms: bool,
}

#[derive(Clone)]
pub struct Student {
    pub pnr: String,
    pub first: String,
    pub last: String,
    pub school: usize,
    pub grade: u8,
    /// The class (a group index); `None` once a class change made it explicit memberships.
    pub class: Option<usize>,
    pub groups: Vec<usize>,
    pub start: String,
    pub end: String,
    pub protected: bool,
    pub male: bool,
    /// The class after a class change (written in the `Klass` column).
    pub moved_to: Option<usize>,
}

pub struct Staff {
    pub pnr: String,
    pub first: String,
    pub last: String,
    pub school: usize,
    pub title: &'static str,
    pub start: String,
    pub end: String,
    pub groups: Vec<usize>,
}

/// A second employment at another school: same person, another `personal` row.
pub struct ExtraStaffRow {
    pub pnr: String,
    pub first: String,
    pub last: String,
    pub school: usize,
    pub title: &'static str,
    pub start: String,
    pub end: String,
}

/// An explicit `medlemskap` row: (group, personnummer, Roll, start, end).
pub type Membership = (usize, String, &'static str, String, String);

pub struct AdAccount {
    pub employee_number: String,
    pub sam: String,
    pub mail: String,
    pub enabled: &'static str,
}

pub struct Gen {
    pub n: usize,
    pub seed: u64,
    pub numbers: Numbers,
    mail_ctr: HashMap<String, u32>,
    sam_ctr: HashMap<String, u32>,
    pub schools: Vec<School>,
    pub groups: Vec<Group>,
    pub students: Vec<Student>,
    /// Older, ended placements: more `elever` rows of the same pupils.
    pub old_rows: Vec<Student>,
    pub staff: Vec<Staff>,
    pub staff_extra: Vec<ExtraStaffRow>,
    pub extra_mem: Vec<Membership>,
    pub ad: Vec<AdAccount>,
    /// Per school: the class groups of each grade (index 1..=9).
    pub school_classes: Vec<Vec<Vec<usize>>>,
    /// Per school and stage (index 1..=3): the parallel groups of each of the 6 subjects.
    pub school_stage_groups: Vec<Vec<Vec<Vec<usize>>>>,
    pub subsets: Vec<Vec<usize>>,
    pub today: &'static str,
    pub lasar: &'static str,
    pub notes: Vec<(&'static str, usize)>,
}

impl Gen {
    pub fn new(n: usize, seed: u64) -> Gen {
        Gen {
            n,
            seed,
            numbers: Numbers::default(),
            mail_ctr: HashMap::new(),
            sam_ctr: HashMap::new(),
            schools: Vec::new(),
            groups: Vec::new(),
            students: Vec::new(),
            old_rows: Vec::new(),
            staff: Vec::new(),
            staff_extra: Vec::new(),
            extra_mem: Vec::new(),
            ad: Vec::new(),
            school_classes: Vec::new(),
            school_stage_groups: Vec::new(),
            subsets: Vec::new(),
            today: DAY1,
            lasar: LASAR,
            notes: Vec::new(),
        }
    }

    pub fn new_group(
        &mut self,
        name: String,
        typ: &'static str,
        school: usize,
        span: (&'static str, &'static str, &'static str),
        rng: &mut Rng,
    ) -> usize {
        let gid = rng.uuid();
        self.groups.push(Group {
            gid,
            name,
            typ,
            school,
            lasar: span.0,
            start: span.1,
            end: span.2,
            to_lms: true,
        });
        self.groups.len() - 1
    }

    /// A new AD account for a person: mail and sAMAccountName made unique with counters.
    pub fn new_ad(
        &mut self,
        pnr: &str,
        first: &str,
        last: &str,
        enabled: &'static str,
        rng: &mut Rng,
    ) -> usize {
        let base = mail_fold(&format!("{first}.{last}"));
        let n = self.mail_ctr.entry(base.clone()).or_insert(0);
        *n += 1;
        let mail = match *n {
            1 => format!("{base}@{MAIL_DOMAIN}"),
            n => format!("{base}{n}@{MAIL_DOMAIN}"),
        };
        let head = |s: &str| sam_fold(s).chars().take(3).collect::<String>();
        let sb = format!("{}{}", head(first), head(last));
        let k = self.sam_ctr.entry(sb.clone()).or_insert(0);
        *k += 1;
        let sam = format!("{sb}{:03}", *k);
        let employee_number = match rng.random() < 0.005 {
            true => pnr.to_string(), // a messy source: the dash left in
            false => pnr.replace('-', ""),
        };
        self.ad.push(AdAccount {
            employee_number,
            sam,
            mail,
            enabled,
        });
        self.ad.len() - 1
    }

    /// A newly employed teacher (born 1960..=`born_by`) at a random school, without groups;
    /// `ad_share` of them get an AD account. Returns the index in `staff`.
    pub fn new_teacher(
        &mut self,
        born_by: i64,
        ad_share: f64,
        start: &str,
        rng: &mut Rng,
    ) -> usize {
        let school = rng.below(self.schools.len());
        let male = rng.random() < 0.3;
        let year = rng.int(1960, born_by) as i32;
        let pnr = self.numbers.new_pnr(year, male, rng);
        let (first, last) = self.new_name(male, rng);
        if rng.random() < ad_share {
            self.new_ad(&pnr, &first, &last, "TRUE", rng);
        }
        self.staff.push(Staff {
            pnr,
            first,
            last,
            school,
            title: "Lärare",
            start: start.to_string(),
            end: String::new(),
            groups: Vec::new(),
        });
        self.staff.len() - 1
    }

    /// The groups of one school: classes, then the teaching groups of each stage.
    pub fn school_groups(&self, school: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.school_classes[school]
            .iter()
            .flatten()
            .copied()
            .collect();
        for sections in &self.school_stage_groups[school] {
            for secs in sections {
                out.extend(secs);
            }
        }
        out
    }

    pub fn note(&mut self, what: &'static str, count: usize) {
        self.notes.push((what, count));
    }
}

/// Python's `round`: halves to even.
pub fn round(x: f64) -> usize {
    x.round_ties_even().max(0.0) as usize
}
