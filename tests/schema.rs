//! `etl schema`: the JSON Schema of the pipeline YAML. Every object in it lists exactly the
//! keys the loader accepts (asked of the loader itself, by an unknown key at each place);
//! every bundled pipeline validates against it in a real JSON Schema validator (Python
//! jsonschema, as editors' YAML servers do), and a misspelt key does not.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn schema() -> Value {
    let out = common::etl_command().arg("schema").output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The keys the loader expects where `BOGUS` stands in `yaml`, from its own error message.
fn loader_keys(yaml: &str) -> BTreeSet<String> {
    let err = roster_etl::load::check_shape(yaml).expect_err(yaml).message;
    let expected = err
        .split_once("expected ")
        .unwrap_or_else(|| panic!("{err}"))
        .1
        .trim_start_matches("one of ");
    expected
        .split(',')
        .map(|k| k.trim().trim_matches('`').to_string())
        .collect()
}

fn schema_keys(schema: &Value, pointer: &str) -> BTreeSet<String> {
    schema
        .pointer(pointer)
        .and_then(|o| o["properties"].as_object())
        .unwrap_or_else(|| panic!("no object at {pointer}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn every_object_has_exactly_the_keys_the_loader_accepts() {
    let schema = schema();
    let src = "/properties/sources/additionalProperties";
    let tgt = "/properties/targets/additionalProperties";
    let places = [
        ("BOGUS: 1", String::new()),
        (
            "school_year: {BOGUS: 1}",
            "/properties/school_year".to_string(),
        ),
        (
            "school_year: {rollover: {BOGUS: 1}}",
            "/properties/school_year/properties/rollover".to_string(),
        ),
        ("report: {BOGUS: 1}", "/properties/report".to_string()),
        (
            "report: {mail: {BOGUS: 1}}",
            "/properties/report/properties/mail".to_string(),
        ),
        (
            "lookups: {l: {BOGUS: 1}}",
            "/properties/lookups/additionalProperties".to_string(),
        ),
        ("sources: {s: {BOGUS: 1}}", src.to_string()),
        (
            "sources: {s: {ss12000: {BOGUS: 1}}}",
            format!("{src}/properties/ss12000"),
        ),
        (
            "sources: {s: {ss12000: {oauth2: {BOGUS: 1}}}}",
            format!("{src}/properties/ss12000/properties/oauth2"),
        ),
        (
            "sources: {s: {ss12000: {incremental: {BOGUS: 1}}}}",
            format!("{src}/properties/ss12000/properties/incremental"),
        ),
        (
            "sources: {s: {ldap: {BOGUS: 1}}}",
            format!("{src}/properties/ldap"),
        ),
        (
            "sources: {s: {datasets: {d: {BOGUS: 1}}}}",
            format!("{src}/properties/datasets/additionalProperties"),
        ),
        (
            "sources: {s: {datasets: {d: {protected: {BOGUS: 1}}}}}",
            format!("{src}/properties/datasets/additionalProperties/properties/protected"),
        ),
        ("targets: {t: {BOGUS: 1}}", tgt.to_string()),
        (
            "targets: {t: {pifu: {BOGUS: 1}}}",
            format!("{tgt}/properties/pifu"),
        ),
        (
            "targets: {t: {sftp: {BOGUS: 1}}}",
            format!("{tgt}/properties/sftp"),
        ),
        (
            "targets: {t: {scim: {BOGUS: 1}}}",
            format!("{tgt}/properties/scim"),
        ),
    ];
    for (yaml, pointer) in &places {
        assert_eq!(
            schema_keys(&schema, pointer),
            loader_keys(yaml),
            "the schema's keys at `{pointer}` differ from the loader's"
        );
    }
}

/// Validates each pipeline (YAML) against the schema with Python jsonschema; the errors.
fn validate(schema: &Value, pipelines: &[(String, String)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.json"), schema.to_string()).unwrap();
    let docs: Vec<Value> = pipelines
        .iter()
        .map(|(name, yaml)| {
            let doc: Value = serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{name}: {e}"));
            serde_json::json!({"name": name, "doc": doc})
        })
        .collect();
    std::fs::write(dir.path().join("docs.json"), Value::Array(docs).to_string()).unwrap();
    common::run_peer_python(
        "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.Draft202012Validator.check_schema(schema)\n\
             v = jsonschema.Draft202012Validator(schema)\n\
             for d in json.load(open(sys.argv[2])):\n\
             \x20   for e in v.iter_errors(d['doc']):\n\
             \x20       print(d['name'] + ': ' + e.message)\n",
        &[
            &dir.path().join("schema.json"),
            &dir.path().join("docs.json"),
        ],
    )
}

#[test]
fn every_bundled_pipeline_is_valid_and_a_misspelt_key_is_not() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pipelines = Vec::new();
    for dir in ["examples/extens-ad", "examples/ss12000", "benches/nightly"] {
        for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("pipeline") && name.ends_with(".yaml") && !name.contains(".tests.")
            {
                pipelines.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let bundled = pipelines.len();
    assert!(bundled >= 5, "{pipelines:?}");
    for dir in ["docs", "docs/connectors"] {
        for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                for block in text.split("```yaml\n").skip(1) {
                    let block = &block[..block.find("```").unwrap()];
                    if block.contains("tier:") {
                        pipelines.push((path.display().to_string(), block.to_string()));
                    }
                }
            }
        }
    }
    assert!(
        pipelines.len() > bundled + 3,
        "the docs' whole pipelines are checked too"
    );
    let schema = schema();
    assert_eq!(validate(&schema, &pipelines), Vec::<String>::new());

    let (name, text) = &pipelines[0];
    let typo = text.replacen("datasets:", "datasetz:", 1);
    let errors = validate(&schema, &[(name.clone(), typo)]);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("'datasetz' was unexpected")),
        "{errors:?}"
    );
    let plain =
        text.replacen("tier: silver", "tier: gold", 1)
            .replacen("tier: bronze", "tier: gold", 1);
    let errors = validate(&schema, &[(name.clone(), plain)]);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("'gold' is not one of ['bronze', 'silver']")),
        "{errors:?}"
    );
}
