//! Day 1, the base state: schools, pupils in classes and teaching groups, staff, AD.

use super::model::*;
use super::names::{self, words};
use super::rng::Rng;
use chrono::{Datelike, NaiveDate};

/// (span, subjects) per stage; each pupil takes 4-6 of the stage's 6 subjects.
pub const STAGES: [(&str, [&str; 6]); 3] = [
    (
        "1-3",
        [
            "Idrott och hälsa",
            "Musik",
            "Bild",
            "Slöjd",
            "Modersmål",
            "Fritids",
        ],
    ),
    (
        "4-6",
        [
            "Idrott och hälsa",
            "Musik",
            "Bild",
            "Slöjd",
            "Engelska",
            "Modersmål",
        ],
    ),
    (
        "7-9",
        [
            "Idrott och hälsa",
            "Hemkunskap",
            "Slöjd",
            "Moderna språk",
            "Elevens val",
            "Modersmål",
        ],
    ),
];
const CLASS_SIZE: f64 = 25.0;
const CLASS_MAX: usize = 32;
const TG_MAX: usize = 30;
const CLASS_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const STAFF_TITLES: [(&str, f64); 11] = [
    ("Lärare", 66.0),
    ("Förskollärare", 3.0),
    ("Speciallärare", 3.0),
    ("Fritidspedagog", 8.0),
    ("Elevassistent", 8.0),
    ("Specialpedagog", 2.0),
    ("Skolsköterska", 1.5),
    ("Kurator", 1.5),
    ("Studie- och yrkesvägledare", 1.0),
    ("Administratör", 3.0),
    ("Vaktmästare", 1.0),
];
pub const TEACHING: [&str; 3] = ["Lärare", "Förskollärare", "Speciallärare"];

fn n_classes(ng: usize) -> usize {
    let mut k = round(ng as f64 / CLASS_SIZE).max(1);
    while ng > k * CLASS_MAX {
        k += 1;
    }
    k
}

fn ordinal(date: &str) -> i64 {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_or(0, |d| d.num_days_from_ce() as i64)
}

fn from_ordinal(days: i64) -> String {
    NaiveDate::from_num_days_from_ce_opt(days as i32).map_or_else(String::new, |d| d.to_string())
}

impl Gen {
    pub fn new_name(&mut self, male: bool, rng: &mut Rng) -> (String, String) {
        let first_names = words(if male { names::BOYS } else { names::GIRLS });
        let surnames = words(names::SURNAMES);
        let x = rng.random();
        let first = if x < 0.02 {
            format!("{} {}", rng.choice(&first_names), rng.choice(&first_names))
        } else if x < 0.035 {
            let double = if male {
                names::DOUBLE_FIRST_M
            } else {
                names::DOUBLE_FIRST_F
            };
            rng.choice(double).to_string()
        } else {
            rng.choice(&first_names).to_string()
        };
        let y = rng.random();
        let last = if y < 0.03 {
            format!("{}-{}", rng.choice(&surnames), rng.choice(&surnames))
        } else if y < 0.05 {
            format!("{} {}", rng.choice(&surnames), rng.choice(&surnames))
        } else if y < 0.055 {
            rng.choice(names::APOSTROPHE_SURNAMES).to_string()
        } else {
            rng.choice(&surnames).to_string()
        };
        (first, last)
    }

    pub fn build_base(&mut self) {
        let mut rng = Rng::new(&self.seed.to_string());
        let n = self.n;
        let n_sch = round(n as f64 / 400.0).max(1);
        let codes: Vec<u32> = {
            let mut seen = std::collections::HashSet::new();
            let mut codes = Vec::with_capacity(n_sch);
            while codes.len() < n_sch {
                let c = 10_000_000 + rng.below(90_000_000) as u32;
                if seen.insert(c) {
                    codes.push(c);
                }
            }
            codes
        };
        let prefixes = words(names::SCHOOL_PREFIX);
        let areas = words(names::AREAS);
        for code in codes {
            let base = format!(
                "{}{}",
                rng.choice(&prefixes),
                rng.choice(names::SCHOOL_SUFFIX)
            );
            let name = match rng.random() < 0.7 {
                true => base,
                false => format!("{base} {}", rng.choice(&areas)),
            };
            self.schools.push(School {
                code: code.to_string(),
                name,
            });
        }
        let w: Vec<f64> = (0..n_sch).map(|_| 0.5 + rng.random()).collect();
        let tot: f64 = w.iter().sum();
        let mut sizes: Vec<usize> = w.iter().map(|x| (n as f64 * x / tot) as usize).collect();
        let short = n - sizes.iter().sum::<usize>();
        for i in 0..short {
            sizes[i % n_sch] += 1;
        }
        self.subsets = subject_subsets();
        for (si, size) in sizes.into_iter().enumerate() {
            self.build_school(si, size, &mut rng);
        }
        // ~3 % stale groups from last läsår (inactive, no memberships)
        for _ in 0..(self.groups.len() * 3 / 100).max(1) {
            let si = rng.below(n_sch);
            let grade = rng.int(1, 9);
            let letter = *rng.choice(&['A', 'B', 'C']);
            self.new_group(
                format!("{grade}{letter} {LASAR_PREV}"),
                "Klass",
                si,
                (LASAR_PREV, PREV_START, PREV_END),
                &mut rng,
            );
        }
        // ~5 % of groups not to LMS
        for g in 0..self.groups.len() {
            if rng.random() < 0.05 {
                self.groups[g].to_lms = false;
            }
        }
        // ~0.2 % pupils with an older, ended placement at another school
        for _ in 0..n / 500 {
            let s = self.students[rng.below(self.students.len())].clone();
            let mut old = s;
            old.school = rng.below(n_sch);
            old.grade = old.grade.saturating_sub(1);
            old.class = None;
            old.moved_to = None;
            old.groups = Vec::new();
            old.start = "2023-08-21".to_string();
            old.end = format!("2025-0{}-1{}", rng.int(1, 6), rng.int(0, 9));
            self.old_rows.push(old);
        }
        self.build_staff(&mut rng);
        self.build_ad(&mut rng);
    }

    fn build_school(&mut self, si: usize, size: usize, rng: &mut Rng) {
        let mut per = [size / 9; 9];
        let short = size - per.iter().sum::<usize>();
        for p in per.iter_mut().take(short) {
            *p += 1;
        }
        let o_day1 = ordinal(DAY1);
        let mut per_grade: Vec<Vec<Student>> = vec![Vec::new(); 10];
        for grade in 1..=9u8 {
            let g = i32::from(grade);
            let birth_year = SCHOOL_YEAR - 6 - g;
            let plan_end = format!("{}-06-1{}", SCHOOL_YEAR + 10 - g, rng.int(0, 4));
            let o_first = ordinal(&format!("{}-08-17", SCHOOL_YEAR + 1 - g));
            for _ in 0..per[grade as usize - 1] {
                let male = rng.random() < 0.51;
                let pnr = self.numbers.new_pnr(birth_year, male, rng);
                let (first, last) = self.new_name(male, rng);
                let mut start = match rng.random() < 0.8 {
                    true => format!("{}-08-{}", SCHOOL_YEAR + 1 - g, rng.int(17, 22)),
                    false => {
                        from_ordinal(o_first + (rng.random() * (o_day1 - o_first) as f64) as i64)
                    }
                };
                let mut end = if rng.random() < 0.7 {
                    plan_end.clone()
                } else {
                    String::new()
                };
                let y = rng.random();
                if y < 0.02 {
                    end = format!("2025-{:02}-{:02}", rng.int(9, 11), rng.int(1, 19));
                } else if y < 0.03 {
                    start = VT_START.to_string();
                }
                let protected = rng.random() < 0.003;
                per_grade[grade as usize].push(Student {
                    pnr,
                    first,
                    last,
                    school: si,
                    grade,
                    class: None,
                    groups: Vec::new(),
                    start,
                    end,
                    protected,
                    male,
                    moved_to: None,
                });
            }
        }
        self.school_classes.push(Vec::new());
        self.school_stage_groups.push(Vec::new());
        self.make_school_groups(si, &mut per_grade, (LASAR, YEAR_START, YEAR_END), rng);
        for grade in per_grade {
            self.students.extend(grade);
        }
    }

    /// One school's classes and teaching groups for a läsår, and the pupils placed in them.
    pub fn make_school_groups(
        &mut self,
        si: usize,
        per_grade: &mut [Vec<Student>],
        span: (&'static str, &'static str, &'static str),
        rng: &mut Rng,
    ) {
        let mut classes = vec![Vec::new(); 10];
        for grade in 1..=9usize {
            let ng = per_grade[grade].len();
            let k = n_classes(ng);
            let cl: Vec<usize> = (0..k)
                .map(|c| {
                    let name = format!("{grade}{}", CLASS_LETTERS[c % CLASS_LETTERS.len()] as char);
                    self.new_group(name, "Klass", si, span, rng)
                })
                .collect();
            for (j, s) in per_grade[grade].iter_mut().enumerate() {
                s.class = Some(cl[j * k / ng]);
            }
            classes[grade] = cl;
        }
        let mut stage_groups = vec![Vec::new(); 4];
        for (stage, (range, subjects)) in STAGES.iter().enumerate() {
            let stage = stage + 1;
            let mut takers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); 6];
            let grades = 3 * stage - 2..=3 * stage;
            for (grade, pupils) in per_grade
                .iter_mut()
                .enumerate()
                .filter(|(g, _)| grades.contains(g))
            {
                for (i, s) in pupils.iter_mut().enumerate() {
                    s.groups = Vec::new();
                    for &j in &self.subsets[rng.below(self.subsets.len())] {
                        takers[j].push((grade, i));
                    }
                }
            }
            let mut sections = Vec::with_capacity(6);
            for (j, subject) in subjects.iter().enumerate() {
                let m = takers[j].len();
                let k = m.div_ceil(TG_MAX).max(1);
                let secs: Vec<usize> = (0..k)
                    .map(|i| {
                        let name = format!("{subject} {range} grupp {}", i + 1);
                        self.new_group(name, "Undervisningsgrupp", si, span, rng)
                    })
                    .collect();
                for (idx, &(grade, i)) in takers[j].iter().enumerate() {
                    per_grade[grade][i].groups.push(secs[idx * k / m]);
                }
                sections.push(secs);
            }
            stage_groups[stage] = sections;
        }
        self.school_classes[si] = classes;
        self.school_stage_groups[si] = stage_groups;
    }

    fn build_staff(&mut self, rng: &mut Rng) {
        let total: f64 = STAFF_TITLES.iter().map(|t| t.1).sum();
        let mut by_school = vec![0usize; self.schools.len()];
        for s in &self.students {
            by_school[s.school] += 1;
        }
        for (si, count) in by_school.into_iter().enumerate() {
            let n_st = round(count as f64 / 8.0).max(3);
            let first_index = self.staff.len();
            for i in 0..n_st {
                let title = match i {
                    0 => "Rektor",
                    1 => "Biträdande rektor",
                    _ => weighted(rng.random() * total),
                };
                let male = rng.random() < 0.3;
                let born = rng.int(1958, 2001) as i32;
                let pnr = self.numbers.new_pnr(born, male, rng);
                let (first, last) = self.new_name(male, rng);
                let from = (born as i64 + 22).max(1990);
                let mut start = format!("{}-{:02}-01", rng.int(from, 2025), rng.int(1, 12));
                if start.as_str() > DAY1 {
                    start = "2025-08-01".to_string();
                }
                let mut end = String::new();
                let y = rng.random();
                if y < 0.05 {
                    end = "2026-06-30".to_string();
                } else if y < 0.07 {
                    end = format!("2025-{:02}-{:02}", rng.int(8, 11), rng.int(1, 19));
                } else if y < 0.08 {
                    start = "2026-01-01".to_string();
                }
                if rng.random() < 0.02 && self.schools.len() > 1 {
                    let osi = rng.below(self.schools.len());
                    if osi != si {
                        self.staff_extra.push(ExtraStaffRow {
                            pnr: pnr.clone(),
                            first: first.clone(),
                            last: last.clone(),
                            school: osi,
                            title,
                            start: start.clone(),
                            end: end.clone(),
                        });
                    }
                }
                self.staff.push(Staff {
                    pnr,
                    first,
                    last,
                    school: si,
                    title,
                    start,
                    end,
                    groups: Vec::new(),
                });
            }
            let members: Vec<usize> = (first_index..self.staff.len()).collect();
            self.assign_teachers(si, &members, rng);
        }
    }

    /// A newcomer's teaching groups: 4-6 subjects of the stage, one parallel group each.
    pub fn pick_teaching_groups(&self, si: usize, grade: u8, rng: &mut Rng) -> Vec<usize> {
        let sections = &self.school_stage_groups[si][(grade as usize - 1) / 3 + 1];
        let subset = &self.subsets[rng.below(self.subsets.len())];
        subset
            .iter()
            .map(|&j| sections[j][rng.below(sections[j].len())])
            .collect()
    }

    /// Every group of the school gets a responsible teacher, and each teacher 1-4 more groups.
    pub fn assign_teachers(&mut self, si: usize, members: &[usize], rng: &mut Rng) {
        let mut teachers: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&t| TEACHING.contains(&self.staff[t].title))
            .collect();
        if teachers.is_empty() {
            teachers = members.to_vec();
        }
        if teachers.is_empty() {
            return;
        }
        let gl = self.school_groups(si);
        for (i, &g) in gl.iter().enumerate() {
            let t = teachers[i % teachers.len()];
            self.staff[t].groups.push(g);
        }
        for &t in &teachers {
            for _ in 0..rng.int(1, 4) {
                let g = gl[rng.below(gl.len())];
                if !self.staff[t].groups.contains(&g) {
                    self.staff[t].groups.push(g);
                }
            }
        }
    }

    fn build_ad(&mut self, rng: &mut Rng) {
        let persons: Vec<(String, String, String)> = self
            .students
            .iter()
            .map(|s| (s.pnr.clone(), s.first.clone(), s.last.clone()))
            .chain(
                self.staff
                    .iter()
                    .map(|s| (s.pnr.clone(), s.first.clone(), s.last.clone())),
            )
            .collect();
        for (pnr, first, last) in &persons {
            if rng.random() < 0.97 {
                let enabled = if rng.random() < 0.985 {
                    "TRUE"
                } else {
                    "FALSE"
                };
                self.new_ad(pnr, first, last, enabled, rng);
                if rng.random() < 0.001 {
                    let enabled = *rng.choice(&["TRUE", "FALSE"]);
                    self.new_ad(pnr, first, last, enabled, rng); // a duplicated employeeNumber
                }
            }
        }
        // ~1 % orphan accounts of people who left earlier (not in the register)
        for _ in 0..persons.len() / 100 {
            let male = rng.random() < 0.5;
            let year = rng.int(2008, 2018) as i32;
            let pnr = self.numbers.new_pnr(year, male, rng);
            let (first, last) = self.new_name(male, rng);
            let enabled = if rng.random() < 0.8 { "FALSE" } else { "TRUE" };
            self.new_ad(&pnr, &first, &last, enabled, rng);
        }
        rng.shuffle(&mut self.ad);
    }
}

fn weighted(r: f64) -> &'static str {
    let mut acc = 0.0;
    for (title, weight) in STAFF_TITLES {
        acc += weight;
        if r < acc {
            return title;
        }
    }
    STAFF_TITLES[0].0
}

/// Subsets of the 6 subjects, with 4, 5 and 6 subjects equally likely.
fn subject_subsets() -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for (k, repeat) in [(4, 2), (5, 5), (6, 30)] {
        for mask in 0u32..64 {
            if mask.count_ones() == k {
                let set: Vec<usize> = (0..6).filter(|i| mask & (1 << i) != 0).collect();
                out.extend(std::iter::repeat_n(set, repeat));
            }
        }
    }
    out
}
