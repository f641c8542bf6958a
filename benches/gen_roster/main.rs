//! gen-roster: deterministic synthetic Swedish school-register exports for roster-etl's
//! benchmark and its scale tests, in the layout of the bench's reference generator
//! (`benches/yardstick/gen_roster.py`): IST Extens-like `elever`, `personal`, `grupper` and
//! `medlemskap` (`;`), an AD export, and meta.json.
//!
//!     gen-roster --students N --seed S --out DIR [--day 1|2|rollover] [--encoding utf-8|cp1252]
//!
//! Day 1 is 2025-11-20; day 2 (2025-11-21) rebuilds day 1 from the seed and applies one night of
//! churn; `rollover` (2026-08-17) applies the school-year rollover instead. The same arguments
//! give the same bytes. Dates in this data have an exclusive end: active means
//! start <= today < end.

mod base;
mod day2;
mod model;
mod names;
mod pnr;
mod rng;
mod rollover;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    students: usize,
    seed: u64,
    out: PathBuf,
    day: String,
    cp1252: bool,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut students, mut seed, mut out, mut day, mut cp1252) =
        (None, 1, None, "1".to_string(), false);
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--students" => {
                students = Some(value()?.parse().map_err(|_| "--students takes a number")?)
            }
            "--seed" => seed = value()?.parse().map_err(|_| "--seed takes a number")?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--day" => day = value()?,
            "--encoding" => cp1252 = value()? == "cp1252",
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !["1", "2", "rollover"].contains(&day.as_str()) {
        return Err("--day is 1, 2 or rollover".into());
    }
    match (students, out) {
        (Some(students), Some(out)) if students > 0 => Ok(Args { students, seed, out, day, cp1252 }),
        _ => Err("usage: gen-roster --students N --seed S --out DIR [--day 1|2|rollover] [--encoding utf-8|cp1252]".into()),
    }
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gen-roster: {e}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let mut g = model::Gen::new(args.students, args.seed);
    g.build_base();
    match args.day.as_str() {
        "2" => g.apply_day2(),
        "rollover" => g.apply_rollover(),
        _ => {}
    }
    let rows = match g.write(&args.out, args.cp1252) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("gen-roster: cannot write {}: {e}", args.out.display());
            return ExitCode::FAILURE;
        }
    };
    let meta = meta(&g, &args, &rows);
    if let Err(e) = std::fs::write(args.out.join("meta.json"), format!("{meta:#}\n")) {
        eprintln!("gen-roster: cannot write meta.json: {e}");
        return ExitCode::FAILURE;
    }
    println!("{meta} ({:.1} s)", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

fn meta(g: &model::Gen, args: &Args, rows: &[(&str, usize)]) -> serde_json::Value {
    let count = |typ: &str| {
        g.groups
            .iter()
            .filter(|x| x.typ == typ && x.lasar == g.lasar)
            .count()
    };
    serde_json::json!({
        "generator": "gen-roster (roster-etl)",
        "seed": args.seed,
        "students_param": args.students,
        "export_date": g.today,
        "suggested_today": g.today,
        "lasar": g.lasar,
        "encoding": if args.cp1252 { "cp1252" } else { "utf-8" },
        "rows": rows.iter().map(|(f, n)| (f.to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
        "schools": g.schools.len(),
        "groups": { "Klass": count("Klass"), "Undervisningsgrupp": count("Undervisningsgrupp") },
        "churn": g.notes.iter().map(|(k, n)| (k.to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
    })
}
