//! The school-year rollover: grade 9 and ~1 % of the others leave, everyone else moves up a
//! grade, a new grade 1 arrives; every class and group is new (new ids), teachers reassigned.

use super::model::*;
use super::rng::Rng;

impl Gen {
    pub fn apply_rollover(&mut self) {
        let mut rng = Rng::new(&format!("{}:rollover", self.seed));
        let today = ROLLOVER_DAY;
        self.today = today;
        self.lasar = LASAR_NEXT;
        let n_sch = self.schools.len();
        self.groups = Vec::new();
        let mut by_school: Vec<Vec<Student>> = vec![Vec::new(); n_sch];
        let mut left = 0;
        for s in std::mem::take(&mut self.students) {
            let ended = !s.end.is_empty() && s.end.as_str() <= today;
            if ended || s.grade == 9 || rng.random() < 0.01 {
                left += 1;
                continue;
            }
            by_school[s.school].push(s);
        }
        self.note("students_left", left);
        self.old_rows = Vec::new();
        self.extra_mem = Vec::new();
        let mut intake = 0;
        for (si, current) in by_school.into_iter().enumerate() {
            let n1 = round(current.len() as f64 / 8.0).max(1);
            let mut per_grade: Vec<Vec<Student>> = vec![Vec::new(); 11];
            for mut s in current {
                s.grade += 1;
                if s.start.as_str() > today {
                    s.start = today.to_string();
                }
                s.moved_to = None;
                per_grade[s.grade as usize].push(s);
            }
            for _ in 0..n1 {
                let male = rng.random() < 0.51;
                let pnr = self
                    .numbers
                    .new_pnr(SCHOOL_YEAR + 1 - 6 - 1, male, &mut rng);
                let (first, last) = self.new_name(male, &mut rng);
                let end = match rng.random() < 0.7 {
                    true => format!("{}-06-1{}", SCHOOL_YEAR + 1 + 9, rng.int(0, 4)),
                    false => String::new(),
                };
                let protected = rng.random() < 0.003;
                intake += 1;
                if rng.random() < 0.9 {
                    self.new_ad(&pnr, &first, &last, "TRUE", &mut rng);
                }
                per_grade[1].push(Student {
                    pnr,
                    first,
                    last,
                    school: si,
                    grade: 1,
                    class: None,
                    groups: Vec::new(),
                    start: today.to_string(),
                    end,
                    protected,
                    male,
                    moved_to: None,
                });
            }
            self.make_school_groups(
                si,
                &mut per_grade,
                (LASAR_NEXT, NEXT_START, NEXT_END),
                &mut rng,
            );
            for grade in per_grade.into_iter().take(10) {
                self.students.extend(grade);
            }
        }
        self.note("students_intake", intake);
        for g in &mut self.groups {
            if rng.random() < 0.05 {
                g.to_lms = false;
            }
        }
        self.roll_staff(&mut rng);
    }

    /// ~5 % of staff leave or get an end date, ~5 % are new; all teachers are reassigned.
    fn roll_staff(&mut self, rng: &mut Rng) {
        let today = ROLLOVER_DAY;
        let before = self.staff.len();
        let mut kept = Vec::with_capacity(before);
        for mut t in std::mem::take(&mut self.staff) {
            if !t.end.is_empty() && t.end.as_str() <= today {
                continue;
            }
            if rng.random() < 0.05 {
                t.end = "2026-06-30".to_string();
            }
            t.groups = Vec::new();
            if t.start.as_str() > today {
                t.start = "2026-01-01".to_string();
            }
            kept.push(t);
        }
        self.staff = kept;
        for _ in 0..before / 20 {
            self.new_teacher(2002, 0.8, "2026-08-01", rng);
        }
        self.staff_extra
            .retain(|r| r.end.is_empty() || r.end.as_str() > today);
        let mut per_school: Vec<Vec<usize>> = vec![Vec::new(); self.schools.len()];
        for (i, t) in self.staff.iter().enumerate() {
            per_school[t.school].push(i);
        }
        for (si, members) in per_school.iter().enumerate() {
            if !members.is_empty() {
                self.assign_teachers(si, members, rng);
            }
        }
    }
}
