//! Personal numbers as the reference generator makes them: mostly valid personnummer
//! (YYYYMMDD-NNNC with a Luhn check digit), 0.5 % samordningsnummer (day + 60) and 0.2 %
//! temporary numbers with a letter (never valid), all unique.

use super::rng::Rng;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};

const D2: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

fn ser_p(s: u32) -> u32 {
    D2[(s / 100) as usize] + (s / 10) % 10 + D2[(s % 10) as usize]
}

/// One day of a year: its digits and their Luhn partial sum, also as a samordningsnummer.
struct Day {
    ymd: String,
    p: u32,
    ymd_s: String,
    p_s: u32,
}

#[derive(Default)]
pub struct Numbers {
    used: HashSet<String>,
    days: HashMap<i32, Vec<Day>>,
}

impl Numbers {
    pub fn new_pnr(&mut self, year: i32, male: bool, rng: &mut Rng) -> String {
        let days = self.days.entry(year).or_insert_with(|| days_of(year));
        loop {
            let day = &days[rng.below(days.len())];
            let ser = rng.below(500) as u32 * 2 + u32::from(male);
            let x = rng.random();
            let pnr = if x < 0.005 {
                let c = (10 - (day.p_s + ser_p(ser)) % 10) % 10;
                format!("{}-{ser:03}{c}", day.ymd_s)
            } else if x < 0.007 {
                let letter = *rng.choice(&['T', 'T', 'T', 'P', 'X']);
                format!("{}-{letter}{:03}", day.ymd, rng.below(1000))
            } else {
                let c = (10 - (day.p + ser_p(ser)) % 10) % 10;
                format!("{}-{ser:03}{c}", day.ymd)
            };
            if self.used.insert(pnr.clone()) {
                return pnr;
            }
        }
    }
}

fn days_of(year: i32) -> Vec<Day> {
    let yy = (year % 100) as u32;
    let py = D2[(yy / 10) as usize] + yy % 10;
    let mut out = Vec::with_capacity(366);
    let mut d = NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year");
    while d.year() == year {
        let (mm, dd) = (d.month(), d.day());
        let pm = D2[(mm / 10) as usize] + mm % 10;
        let sd = dd + 60;
        out.push(Day {
            ymd: format!("{year}{mm:02}{dd:02}"),
            p: py + pm + D2[(dd / 10) as usize] + dd % 10,
            ymd_s: format!("{year}{mm:02}{sd:02}"),
            p_s: py + pm + D2[(sd / 10) as usize] + sd % 10,
        });
        d = d.succ_opt().expect("a next day");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check digit of a made number is the Luhn digit of its ten digits YYMMDDNNN.
    #[test]
    fn made_numbers_pass_the_luhn_check() {
        let mut numbers = Numbers::default();
        let mut rng = Rng::new("luhn");
        for _ in 0..2000 {
            let pnr = numbers.new_pnr(2012, true, &mut rng);
            let digits: Vec<u32> = pnr[2..].chars().filter_map(|c| c.to_digit(10)).collect();
            if digits.len() != 10 {
                continue; // a temporary number
            }
            let sum: u32 = digits[..9]
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { D2[*d as usize] } else { *d })
                .sum();
            assert_eq!((10 - sum % 10) % 10, digits[9], "{pnr}");
        }
    }
}
