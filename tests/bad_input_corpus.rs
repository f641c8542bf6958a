//! The bad-input corpus: broken pipelines, mappings, scripts and source files, one class at
//! a time, each tried after a successful first apply. Every case must exit 1 with its error
//! code and its place (file:line:column, or the file and line), a hint, nothing written to
//! the target and state byte-identical (`common::refused`). docs/reliability.md lists each
//! case with what the user sees; a test keeps that table and this list in step.
//! (More cases: tests/bad_input.rs; servers' bad answers: tests/ss12000_source.rs,
//! tests/ldap_source.rs and tests/scim_target.rs.)

mod common;

use common::{Sandbox, refused};
use libtest_mimic::{Arguments, Trial};

const MAP: &str = "../../mappings/extens-ad.map";

struct Case {
    class: &'static str,
    name: &'static str,
    damage: fn(&Sandbox),
    expect: &'static [&'static str],
}

fn bytes(sb: &Sandbox, rel: &str, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let path = sb.path(rel);
    let old = std::fs::read(&path).unwrap();
    std::fs::write(&path, f(old)).unwrap();
}

fn append(sb: &Sandbox, rel: &str, tail: &[u8]) {
    bytes(sb, rel, |mut b| {
        b.extend_from_slice(tail);
        b
    });
}

fn utf16(text: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for c in String::from_utf8_lossy(text).encode_utf16() {
        out.extend_from_slice(&c.to_le_bytes());
    }
    out
}

fn latin1(text: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(text)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// A limit line added to the target's `limits:`.
fn limit(sb: &Sandbox, line: &str) {
    sb.edit(
        "pipeline.yaml",
        "    limits:\n",
        &format!("    limits:\n      {line}\n"),
    );
}

const CASES: &[Case] = &[
    // The pipeline YAML.
    Case {
        class: "pipeline",
        name: "empty pipeline file",
        damage: |sb| std::fs::write(sb.path("pipeline.yaml"), "").unwrap(),
        expect: &["etl::E0003", "pipeline.yaml:1:1", "unexpected end of input"],
    },
    Case {
        class: "pipeline",
        name: "truncated pipeline",
        damage: |sb| bytes(sb, "pipeline.yaml", |b| b[..700].to_vec()),
        expect: &["etl::E0003", "missing field `mappings`", "pipeline.yaml:"],
    },
    Case {
        class: "pipeline",
        name: "pipeline in UTF-16",
        damage: |sb| bytes(sb, "pipeline.yaml", |b| utf16(&b)),
        expect: &["etl::E0001", "it is UTF-16; save it as UTF-8"],
    },
    Case {
        class: "pipeline",
        name: "pipeline in Latin-1",
        damage: |sb| bytes(sb, "pipeline.yaml", |b| latin1(&b)),
        expect: &["etl::E0001", "pipeline.yaml:17:42: not valid UTF-8"],
    },
    Case {
        class: "pipeline",
        name: "NUL byte in the pipeline",
        damage: |sb| append(sb, "pipeline.yaml", b"\0"),
        expect: &["etl::E0001", "a NUL byte"],
    },
    Case {
        class: "pipeline",
        name: "duplicate key",
        damage: |sb| append(sb, "pipeline.yaml", b"name: again\n"),
        expect: &["etl::E0002", "duplicate key `name`", "pipeline.yaml:"],
    },
    Case {
        class: "pipeline",
        name: "negative limit",
        damage: |sb| limit(sb, "create.person: { count: -5 }"),
        expect: &[
            "etl::E0003",
            "expected a whole number, 0 or more",
            "pipeline.yaml:55:",
        ],
    },
    Case {
        class: "pipeline",
        name: "share over 100%",
        damage: |sb| limit(sb, "update.person: 500%"),
        expect: &["etl::E0007", "can never be reached", "pipeline.yaml:55:22"],
    },
    Case {
        class: "pipeline",
        name: "unknown limit",
        damage: |sb| limit(sb, "delete.pupil: 5"),
        expect: &[
            "etl::E0007",
            "unknown limit `delete.pupil`",
            "pipeline.yaml:55:7",
        ],
    },
    Case {
        class: "pipeline",
        name: "not a limit",
        damage: |sb| limit(sb, "delete.group: lots"),
        expect: &[
            "etl::E0007",
            "not a count, a share or `none`",
            "pipeline.yaml:55:21",
        ],
    },
    Case {
        class: "pipeline",
        name: "unknown target type",
        damage: |sb| sb.edit("pipeline.yaml", "type: oneroster-1.1", "type: oneroster-9"),
        expect: &[
            "etl::E0008",
            "unknown target type `oneroster-9`",
            "pipeline.yaml:48:11",
        ],
    },
    Case {
        class: "pipeline",
        name: "missing mapping file",
        damage: |sb| {
            sb.edit(
                "pipeline.yaml",
                "mappings/extens-ad.map",
                "mappings/nope.map",
            )
        },
        expect: &[
            "etl::E0001",
            "cannot read mapping file",
            "pipeline.yaml:39:5",
        ],
    },
    Case {
        class: "pipeline",
        name: "bronze tier with two systems",
        damage: |sb| sb.edit("pipeline.yaml", "tier: silver", "tier: bronze"),
        expect: &["etl::E0201", "pipeline.yaml:5:7"],
    },
    // The mapping DSL.
    Case {
        class: "mapping",
        name: "empty mapping file",
        damage: |sb| std::fs::write(sb.path(MAP), "").unwrap(),
        expect: &["etl::E0110", "define no entity blocks"],
    },
    Case {
        class: "mapping",
        name: "NUL byte in a mapping",
        damage: |sb| append(sb, MAP, b"\0"),
        expect: &["etl::E0001", "extens-ad.map:", "a NUL byte"],
    },
    Case {
        class: "mapping",
        name: "mapping in Latin-1",
        damage: |sb| bytes(sb, MAP, |b| latin1(&b)),
        expect: &["etl::E0001", "not valid UTF-8"],
    },
    Case {
        class: "mapping",
        name: "truncated mapping",
        damage: |sb| bytes(sb, MAP, |b| b[..b.len() / 2].to_vec()),
        expect: &["etl::E0101", "extens-ad.map:"],
    },
    Case {
        class: "mapping",
        name: "unknown dataset",
        damage: |sb| sb.edit(MAP, "from extens.elever", "from extens.elevr"),
        expect: &[
            "etl::E0102",
            "unknown dataset `extens.elevr`",
            "extens-ad.map:19:13",
            "did you mean",
        ],
    },
    Case {
        class: "mapping",
        name: "unknown function",
        damage: |sb| sb.edit(MAP, "slug(", "slugg("),
        expect: &[
            "etl::E0105",
            "unknown function `slugg`",
            "extens-ad.map:27:26",
            "did you mean `slug`",
        ],
    },
    Case {
        class: "mapping",
        name: "unknown column",
        damage: |sb| sb.edit(MAP, "e.Efternamn", "e.Eftername"),
        expect: &["etl::E0103", "Eftername", "did you mean"],
    },
    Case {
        class: "mapping",
        name: "unclosed block",
        damage: |sb| {
            sb.edit(
                MAP,
                "  end        = date(g.Slutdatum) ?? null\n}",
                "  end        = date(g.Slutdatum) ?? null\n",
            )
        },
        expect: &["etl::E0101", "extens-ad.map:"],
    },
    // Rhai scripts.
    Case {
        class: "script",
        name: "missing script",
        damage: |sb| {
            sb.edit(
                MAP,
                "  grade      = e.Årskurs",
                "  grade      = script(\"nope.rhai\", e.Årskurs)",
            )
        },
        expect: &["etl::E0001", "cannot read script", "extens-ad.map:"],
    },
    Case {
        class: "script",
        name: "script that does not parse",
        damage: |sb| {
            std::fs::write(sb.path("../../mappings/bad.rhai"), "fn grade(x) { x + }").unwrap();
            sb.edit(
                MAP,
                "  grade      = e.Årskurs",
                "  grade      = script(\"bad.rhai\", e.Årskurs)",
            )
        },
        expect: &["etl::E0114", "script does not compile", "bad.rhai:1:19"],
    },
    // CSV sources.
    Case {
        class: "csv",
        name: "CSV in UTF-16",
        damage: |sb| bytes(sb, "data/elever.csv", |b| utf16(&latin1_to_utf8(&b))),
        expect: &["etl::E0301", "is UTF-16", "pipeline.yaml:14:15"],
    },
    Case {
        class: "csv",
        name: "NUL bytes in a row",
        damage: |sb| append(sb, "data/elever.csv", b"E9;\0\0;x\r\n"),
        expect: &["etl::E0301", "data/elever.csv:10:4: a NUL byte"],
    },
    Case {
        class: "csv",
        name: "byte order mark mid-file",
        damage: |sb| append(sb, "data/elever.csv", b"\xEF\xBB\xBFE1099;x\r\n"),
        expect: &["etl::E0301", "data/elever.csv:10:1: a byte order mark"],
    },
    Case {
        class: "csv",
        name: "mixed encodings",
        damage: |sb| {
            sb.edit(
                "pipeline.yaml",
                "path: data/personal.csv, encoding: windows-1252",
                "path: data/personal.csv, encoding: auto",
            );
            append(sb, "data/personal.csv", "P9;x;Åsa;y\r\n".as_bytes())
        },
        expect: &["etl::E0301", "data/personal.csv:", "mixes encodings"],
    },
    Case {
        class: "csv",
        name: "10 MB field",
        damage: |sb| {
            bytes(sb, "data/elever.csv", |b| {
                let mut b = b;
                let at = b.iter().position(|c| *c == b'\n').unwrap() + 8;
                b.splice(at..at, std::iter::repeat_n(b'A', 10_000_000));
                b
            })
        },
        expect: &["etl::E0302", "KiB long", "data/elever.csv:2"],
    },
    Case {
        class: "csv",
        name: "truncated file",
        damage: |sb| bytes(sb, "data/elever.csv", |b| b[..400].to_vec()),
        expect: &["etl::E0302", "data/elever.csv:"],
    },
    Case {
        class: "csv",
        name: "ragged row (comma file)",
        damage: |sb| append(sb, "data/ad_users.csv", b"x,y\n"),
        expect: &["etl::E0302", "data/ad_users.csv:"],
    },
    Case {
        class: "csv",
        name: "blank first line",
        damage: |sb| std::fs::write(sb.path("data/elever.csv"), "  \r\n\r\n").unwrap(),
        expect: &["etl::E0305", "data/elever.csv:1", "is blank"],
    },
    Case {
        class: "csv",
        name: "header row missing",
        damage: |sb| {
            bytes(sb, "data/elever.csv", |b| {
                let at = b.iter().position(|c| *c == b'\n').unwrap() + 1;
                b[at..].to_vec()
            })
        },
        expect: &["etl::E0303", "columns without a name", "data/elever.csv:1"],
    },
    Case {
        class: "csv",
        name: "header only",
        damage: |sb| {
            bytes(sb, "data/elever.csv", |b| {
                let at = b.iter().position(|c| *c == b'\n').unwrap() + 1;
                b[..at].to_vec()
            })
        },
        expect: &["etl::E0306", "has no rows", "pipeline.yaml:14:15"],
    },
    Case {
        class: "csv",
        name: "file is a directory",
        damage: |sb| {
            std::fs::remove_file(sb.path("data/grupper.csv")).unwrap();
            std::fs::create_dir(sb.path("data/grupper.csv")).unwrap()
        },
        expect: &["etl::E0001", "data/grupper.csv", "pipeline.yaml:"],
    },
    // Values.
    Case {
        class: "values",
        name: "personnummer too short",
        damage: |sb| birth_date_of(sb, "2015067-2345"),
        expect: &["etl::E0401", "data/elever.csv:3", "not 10 or 12 characters"],
    },
    Case {
        class: "values",
        name: "personnummer with letters",
        damage: |sb| birth_date_of(sb, "2015O607-2345"),
        expect: &["etl::E0401", "data/elever.csv:3"],
    },
    Case {
        class: "values",
        name: "personnummer on 30 February",
        damage: |sb| birth_date_of(sb, "20150230-2345"),
        expect: &["etl::E0401", "data/elever.csv:3", "valid birth date"],
    },
    Case {
        class: "values",
        name: "date in the wrong shape",
        damage: |sb| {
            sb.edit(
                MAP,
                "and active(g.Startdatum, g.Slutdatum, ahead: 30d) ?? false",
                "and active!(g.Startdatum, g.Slutdatum, ahead: 30d)",
            );
            sb.edit_cp1252("data/grupper.csv", "2026-08-17", "17/08/2026")
        },
        expect: &["etl::E0401", "data/grupper.csv:2"],
    },
];

/// Maps each pupil's birth date from their personnummer (failing on a bad one) and gives the
/// pupil `20150607-2345` the number `pnr` instead.
fn birth_date_of(sb: &Sandbox, pnr: &str) {
    sb.edit(
        MAP,
        "  grade      = e.Årskurs",
        "  grade      = e.Årskurs\n  birthDate  = pnr_birth_date!(e.Personnummer)",
    );
    sb.edit_cp1252("data/elever.csv", "20150607-2345", pnr)
}

/// Windows-1252 bytes as UTF-8 (the example's register files are Windows-1252).
fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|b| char::from(*b))
        .collect::<String>()
        .into_bytes()
}

fn main() {
    let mut trials: Vec<Trial> = CASES
        .iter()
        .map(|case| {
            Trial::test(format!("{}: {}", case.class, case.name), move || {
                refused(case.damage, case.expect);
                Ok(())
            })
        })
        .collect();
    trials.push(Trial::test("docs list every case with its code", || {
        docs_list_every_case();
        Ok(())
    }));
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn docs_list_every_case() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reliability.md"),
    )
    .unwrap();
    for case in CASES {
        let code = case.expect[0].trim_start_matches("etl::");
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {} | {} |", case.class, case.name)))
            .unwrap_or_else(|| panic!("docs/reliability.md has no row for {}", case.name));
        assert!(row.contains(code), "{row} names {code}");
    }
    assert!(CASES.len() >= 35, "{}", CASES.len());
}
