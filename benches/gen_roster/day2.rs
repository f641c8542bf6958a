//! Day 2: one night of churn on the base (leavers, renames, class, school and group changes,
//! newcomers, staff and group changes, new AD accounts), from its own random stream.

use super::model::*;
use super::names::{self, words};
use super::rng::Rng;
use std::collections::{HashMap, HashSet};

fn active(s: &Student) -> bool {
    s.start.as_str() <= DAY1 && (s.end.is_empty() || DAY1 < s.end.as_str())
}

impl Gen {
    pub fn apply_day2(&mut self) {
        let mut rng = Rng::new(&format!("{}:day2", self.seed));
        let today = DAY2;
        self.today = today;
        let mut ad_idx: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, row) in self.ad.iter().enumerate() {
            ad_idx
                .entry(row.employee_number.replace('-', ""))
                .or_default()
                .push(i);
        }
        let n = self.students.len();
        let act: Vec<usize> = (0..n).filter(|&i| active(&self.students[i])).collect();
        // leavers (~0.3 %): half end-dated today, half vanish from the export
        let leave = rng.sample(&act, (n * 3 / 1000).max(1));
        let mut removed = HashSet::new();
        for (c, &i) in leave.iter().enumerate() {
            if c % 2 == 0 {
                self.students[i].end = today.to_string();
            } else {
                removed.insert(i);
            }
            for &ai in ad_idx
                .get(&self.students[i].pnr.replace('-', ""))
                .into_iter()
                .flatten()
            {
                if rng.random() < 0.5 {
                    self.ad[ai].enabled = "FALSE";
                }
            }
        }
        self.note("students_leaving", leave.len());
        let leave_set: HashSet<usize> = leave.iter().copied().collect();
        let stay: Vec<usize> = act
            .iter()
            .copied()
            .filter(|i| !leave_set.contains(i))
            .collect();
        self.rename(&stay, n, &ad_idx, &mut rng);
        self.change_classes(&stay, n, &mut rng);
        self.move_schools(&stay, n, &mut rng);
        self.swap_groups(&stay, n, &mut rng);
        self.add_students(n, &mut rng);
        if !removed.is_empty() {
            let gone: HashSet<String> = removed
                .iter()
                .map(|&i| self.students[i].pnr.clone())
                .collect();
            let mut i = 0;
            self.students.retain(|_| {
                i += 1;
                !removed.contains(&(i - 1))
            });
            self.extra_mem.retain(|m| !gone.contains(&m.1));
        }
        self.staff_churn(&mut rng);
        self.group_churn(&mut rng);
        // ~5 % of people without an AD account get one
        for i in 0..self.students.len() {
            let s = &self.students[i];
            if !ad_idx.contains_key(&s.pnr.replace('-', "")) && rng.random() < 0.05 {
                let (p, f, l) = (s.pnr.clone(), s.first.clone(), s.last.clone());
                self.new_ad(&p, &f, &l, "TRUE", &mut rng);
            }
        }
    }

    /// ~0.3 % change a name; for a fifth of them AD follows.
    fn rename(
        &mut self,
        stay: &[usize],
        n: usize,
        ad_idx: &HashMap<String, Vec<usize>>,
        rng: &mut Rng,
    ) {
        let surnames = words(names::SURNAMES);
        let chg = rng.sample(stay, n * 3 / 1000);
        for &i in &chg {
            if rng.random() < 0.7 {
                let s = &mut self.students[i];
                s.last = match rng.random() < 0.5 {
                    true => format!("{}-{}", s.last, rng.choice(&surnames)),
                    false => rng.choice(&surnames).to_string(),
                };
            } else {
                let male = self.students[i].male;
                self.students[i].first = self.new_name(male, rng).0;
            }
            if rng.random() < 0.2 {
                let s = self.students[i].clone();
                for &ai in ad_idx.get(&s.pnr.replace('-', "")).into_iter().flatten() {
                    let enabled = self.ad[ai].enabled;
                    let new = self.new_ad(&s.pnr, &s.first, &s.last, enabled, rng);
                    let mail = self.ad.remove(new).mail;
                    self.ad[ai].mail = mail;
                }
            }
        }
        self.note("students_renamed", chg.len());
    }

    /// ~0.6 % change class in their grade: the old membership ends today, the new one starts.
    fn change_classes(&mut self, stay: &[usize], n: usize, rng: &mut Rng) {
        let mut moved = 0;
        for i in rng.sample(stay, n * 6 / 1000) {
            let s = &self.students[i];
            let Some(old) = s.class else { continue };
            let cl = &self.school_classes[s.school][s.grade as usize];
            if cl.len() < 2 {
                continue;
            }
            let others: Vec<usize> = cl.iter().copied().filter(|&g| g != old).collect();
            let new = *rng.choice(&others);
            let from = max(self.groups[old].start, &s.start);
            let (pnr, end) = (s.pnr.clone(), self.groups[new].end.to_string());
            self.extra_mem
                .push((old, pnr.clone(), "Elev", from, DAY2.to_string()));
            self.extra_mem
                .push((new, pnr, "Elev", DAY2.to_string(), end));
            let s = &mut self.students[i];
            s.class = None;
            s.moved_to = Some(new);
            moved += 1;
        }
        self.note("students_class_changed", moved);
    }

    /// ~0.1 % move school: the old placement and memberships end today.
    fn move_schools(&mut self, stay: &[usize], n: usize, rng: &mut Rng) {
        let mut moved = 0;
        for i in rng.sample(stay, n / 1000) {
            let s = self.students[i].clone();
            let Some(class) = s.class else { continue };
            if self.schools.len() < 2 {
                continue;
            }
            let osi = rng.below(self.schools.len());
            if osi == s.school {
                continue;
            }
            let mut old = s.clone();
            old.end = DAY2.to_string();
            self.old_rows.push(old);
            for g in std::iter::once(class).chain(s.groups.iter().copied()) {
                let from = max(self.groups[g].start, &s.start);
                self.extra_mem
                    .push((g, s.pnr.clone(), "Elev", from, DAY2.to_string()));
            }
            let classes = &self.school_classes[osi][s.grade as usize];
            let new_class = *rng.choice(classes);
            let groups = self.pick_teaching_groups(osi, s.grade, rng);
            let s = &mut self.students[i];
            s.school = osi;
            s.class = Some(new_class);
            s.groups = groups;
            s.start = DAY2.to_string();
            moved += 1;
        }
        self.note("students_school_moved", moved);
    }

    /// ~1 % leave a teaching group for a parallel group or a subject not yet taken.
    fn swap_groups(&mut self, stay: &[usize], n: usize, rng: &mut Rng) {
        let mut swaps = 0;
        for i in rng.sample(stay, n / 100) {
            let s = &self.students[i];
            if s.class.is_none() || s.groups.is_empty() {
                continue;
            }
            let sections = &self.school_stage_groups[s.school][(s.grade as usize - 1) / 3 + 1];
            let subject_of: HashMap<usize, usize> = sections
                .iter()
                .enumerate()
                .flat_map(|(j, secs)| secs.iter().map(move |&g| (g, j)))
                .collect();
            let pos = rng.below(s.groups.len());
            let old = s.groups[pos];
            let Some(&subject) = subject_of.get(&old) else {
                continue;
            };
            let taken: HashSet<Option<&usize>> =
                s.groups.iter().map(|g| subject_of.get(g)).collect();
            let mut cand: Vec<usize> = sections[subject]
                .iter()
                .copied()
                .filter(|&g| g != old)
                .collect();
            for (j, secs) in sections.iter().enumerate() {
                if !taken.contains(&Some(&j)) {
                    cand.extend(secs);
                }
            }
            if cand.is_empty() {
                continue;
            }
            let new = *rng.choice(&cand);
            let from = max(self.groups[old].start, &s.start);
            let (pnr, end) = (s.pnr.clone(), self.groups[new].end.to_string());
            self.students[i].groups.remove(pos);
            self.extra_mem
                .push((old, pnr.clone(), "Elev", from, DAY2.to_string()));
            self.extra_mem
                .push((new, pnr, "Elev", DAY2.to_string(), end));
            swaps += 1;
        }
        self.note("students_group_swapped", swaps);
    }

    /// ~0.5 % new pupils, most starting today, some next week.
    fn add_students(&mut self, n: usize, rng: &mut Rng) {
        let n_new = (n * 5 / 1000).max(1);
        for _ in 0..n_new {
            let si = rng.below(self.schools.len());
            let grade = rng.int(1, 9) as u8;
            let male = rng.random() < 0.51;
            let pnr = self
                .numbers
                .new_pnr(SCHOOL_YEAR - 6 - i32::from(grade), male, rng);
            let (first, last) = self.new_name(male, rng);
            let start = if rng.random() < 0.85 {
                DAY2
            } else {
                "2025-11-24"
            };
            let class = *rng.choice(&self.school_classes[si][grade as usize]);
            let groups = self.pick_teaching_groups(si, grade, rng);
            let end = format!("{}-06-12", SCHOOL_YEAR + 10 - i32::from(grade));
            let protected = rng.random() < 0.003;
            if rng.random() < 0.4 {
                self.new_ad(&pnr, &first, &last, "TRUE", rng);
            }
            self.students.push(Student {
                pnr,
                first,
                last,
                school: si,
                grade,
                class: Some(class),
                groups,
                start: start.to_string(),
                end,
                protected,
                male,
                moved_to: None,
            });
        }
        self.note("students_new", n_new);
    }

    fn staff_churn(&mut self, rng: &mut Rng) {
        let nst = self.staff.len();
        let all: Vec<usize> = (0..nst).collect();
        for i in rng.sample(&all, (nst * 3 / 1000).max(1)) {
            let t = &mut self.staff[i];
            if t.end.is_empty() || t.end.as_str() > DAY2 {
                t.end = DAY2.to_string();
            }
        }
        for _ in 0..(nst * 3 / 1000).max(1) {
            let t = self.new_teacher(2001, 0.5, DAY2, rng);
            let gl = self.school_groups(self.staff[t].school);
            for _ in 0..rng.int(1, 3) {
                let g = *rng.choice(&gl);
                if !self.staff[t].groups.contains(&g) {
                    self.staff[t].groups.push(g);
                }
            }
        }
        for i in rng.sample(&all, (nst * 5 / 1000).max(1)) {
            if self.staff[i].groups.is_empty() {
                continue;
            }
            let pos = rng.below(self.staff[i].groups.len());
            let g = self.staff[i].groups.remove(pos);
            let t = &self.staff[i];
            let from = max(self.groups[g].start, &t.start);
            let (pnr, school) = (t.pnr.clone(), t.school);
            self.extra_mem
                .push((g, pnr.clone(), "Lärare", from, DAY2.to_string()));
            let gl = self.school_groups(school);
            let ng = *rng.choice(&gl);
            if !self.staff[i].groups.contains(&ng) {
                let end = self.groups[ng].end.to_string();
                self.extra_mem
                    .push((ng, pnr, "Lärare", DAY2.to_string(), end));
            }
        }
    }

    /// Teaching groups renamed, and the LMS flag flipped on a few groups.
    fn group_churn(&mut self, rng: &mut Rng) {
        let all: Vec<usize> = (0..self.groups.len()).collect();
        for i in rng.sample(&all, (all.len() * 3 / 1000).max(1)) {
            if self.groups[i].typ == "Undervisningsgrupp" {
                let k = rng.int(1, 3);
                self.groups[i].name.push_str(&format!(" grp {k}"));
            }
        }
        for i in rng.sample(&all, (all.len() / 1000).max(1)) {
            self.groups[i].to_lms = !self.groups[i].to_lms;
        }
    }
}

/// The later of two dates written YYYY-MM-DD.
pub fn max(a: &str, b: &str) -> String {
    if a > b { a } else { b }.to_string()
}
