//! Bad input, tried on purpose: each case breaks one thing after a successful first apply.
//! Every one must give a clear error with its place and code, exit non-zero, write nothing
//! to the target and leave state byte-identical.

mod common;

use common::refused;

#[test]
fn ragged_csv_row() {
    refused(
        |sb| sb.edit_cp1252("data/elever.csv", "E1002;", "E1002;extra;"),
        &[
            "etl::E0302",
            "data/elever.csv:3",
            "row has 11 fields, the header has 10",
        ],
    );
}

#[test]
fn unbalanced_quote() {
    refused(
        |sb| sb.edit_cp1252("data/personal.csv", ";Karin;", ";\"Karin;"),
        &["etl::E0302", "data/personal.csv"],
    );
}

#[test]
fn wrong_encoding_declared() {
    refused(
        |sb| {
            sb.edit(
                "pipeline.yaml",
                "path: data/personal.csv, encoding: windows-1252",
                "path: data/personal.csv, encoding: utf-8",
            )
        },
        &[
            "etl::E0301",
            "data/personal.csv:1:",
            "not valid UTF-8",
            "encoding: windows-1252",
        ],
    );
}

#[test]
fn duplicate_header() {
    refused(
        |sb| sb.edit_cp1252("data/grupper.csv", "GruppId;Namn;", "GruppId;GruppId;"),
        &["etl::E0303", "`GruppId` appears twice"],
    );
}

#[test]
fn declared_column_missing() {
    refused(
        |sb| {
            sb.edit(
                "pipeline.yaml",
                "columns: [ElevId,",
                "columns: [ElevNr, ElevId,",
            )
        },
        &["etl::E0304", "pipeline.yaml:", "no column `ElevNr`"],
    );
}

#[test]
fn empty_export() {
    refused(
        |sb| std::fs::write(sb.path("data/medlemskap.csv"), b"").unwrap(),
        &["etl::E0305", "data/medlemskap.csv is empty"],
    );
}

#[test]
fn missing_export_file() {
    refused(
        |sb| std::fs::remove_file(sb.path("data/ad_users.csv")).unwrap(),
        &["etl::E0001", "data/ad_users.csv"],
    );
}

#[test]
fn dsl_typo_with_suggestion() {
    refused(
        |sb| {
            sb.edit(
                "../../mappings/extens-ad.map",
                "givenName  = e.Förnamn",
                "givenName  = e.Fornamn",
            )
        },
        &["etl::E0103", "extens-ad.map:24:", "did you mean `Förnamn`?"],
    );
}

#[test]
fn duplicate_sync_key() {
    refused(
        |sb| sb.edit_cp1252("data/elever.csv", "E1002;", "E1001;"),
        &[
            "etl::E0403",
            "person E1001: data/elever.csv:2 and data/elever.csv:3",
        ],
    );
}

#[test]
fn invalid_personnummer_with_abort() {
    let err = refused(
        |sb| {
            sb.edit(
                "../../mappings/extens-ad.map",
                "  grade      = e.Årskurs",
                "  grade      = e.Årskurs\n  birthDate  = pnr_birth_date!(e.Personnummer)",
            );
            sb.edit_cp1252("data/elever.csv", "20150607-2345", "20151307-2345");
        },
        &[
            "etl::E0401",
            "data/elever.csv:3",
            "does not hold a valid birth date",
        ],
    );
    // Errors never repeat a personnummer: they end up in logs and reports.
    assert!(
        !err.contains("20151307") && !err.contains("151307"),
        "a personnummer leaked: {err}"
    );
}

#[test]
fn value_outside_an_enumeration() {
    refused(
        |sb| {
            sb.edit(
                "../../mappings/extens-ad.map",
                "role       = \"pupil\"",
                "role       = \"elev\"",
            )
        },
        &[
            "etl::E0405",
            "`person.role` is `elev`",
            "allowed values: pupil, teacher",
        ],
    );
}

#[test]
fn unknown_pipeline_key() {
    refused(
        |sb| sb.edit("pipeline.yaml", "lookups:", "lookup:"),
        &["etl::E0003", "pipeline.yaml:", "did you mean `lookups`?"],
    );
}

#[test]
fn unset_environment_variable() {
    refused(
        |sb| sb.edit("pipeline.yaml", "${ETL_OUT_DIR:-out}", "${ETL_OUT_DIR}"),
        &["etl::E0004", "ETL_OUT_DIR"],
    );
}

#[test]
fn broken_yaml() {
    refused(
        |sb| sb.edit("pipeline.yaml", "tier: silver", "tier: [silver"),
        &["pipeline.yaml:"],
    );
}

#[test]
fn several_errors_come_out_together() {
    refused(
        |sb| {
            sb.edit(
                "../../mappings/extens-ad.map",
                "givenName  = e.Förnamn",
                "givenName  = e.Fornamn",
            );
            sb.edit(
                "../../mappings/extens-ad.map",
                "familyName = p.Efternamn",
                "familyName = upperr(p.Efternamn)",
            );
        },
        &[
            "etl::E0103",
            "etl::E0105",
            "2 errors found; nothing was written.",
        ],
    );
}

/// Every mistake in a SCIM target's settings is reported in one run, each at its place.
#[test]
fn scim_settings_all_wrong_at_once() {
    let err = refused(
        |sb| {
            sb.edit(
                "pipeline.yaml",
                "targets:\n",
                "targets:\n  idp:\n    type: scim-2.0\n    path: out/idp\n    scim:\n      url: scim.example.com/v2\n      token: s3cret-token\n      adopt: username\n      concurrency: 0\n  \
                 other:\n    type: scim-2.0\n  \
                 files:\n    type: sds-2.1\n    path: out/sds\n    scim: { url: https://x.example/v2 }\n",
            )
        },
        &[
            "etl::E0007",
            "is not an http:// or https:// URL",
            "etl::E0010",
            "unknown match attribute `username`",
            "`userName`?",
            "`concurrency` must be from 1 to 64",
            "a `scim-2.0` target has no `path:`",
            "target `other` has no `scim:` settings",
            "`scim:` applies only to targets of type `scim-2.0`",
            "pipeline.yaml:",
        ],
    );
    assert!(
        !err.contains("s3cret-token"),
        "a secret is never shown: {err}"
    );
}

#[test]
fn two_targets_in_one_folder() {
    refused(
        |sb| {
            sb.edit(
                "pipeline.yaml",
                "targets:\n",
                "targets:\n  teams:\n    type: sds-2.1\n    path: ${ETL_OUT_DIR:-out}/./skolon/../skolon/sds\n",
            )
        },
        &[
            "etl::E0007",
            "targets `teams` and `skolon` write to the same folder",
            "holds the folder of target `teams`",
            "pipeline.yaml",
            "a folder of its own",
        ],
    );
}
