//! The docs are tested: the error reference is generated from the registry, every `mapping`
//! block in docs/*.md parses, every line of an `expr` block evaluates to what it says, and
//! every `yaml` pipeline example has the shape the loader accepts.

use roster_etl::check::{Evaluated, evaluate};
use roster_etl::diagnostic::{FileId, SourceMap, render_all};
use roster_etl::functions::reference;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn docs() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("connectors")] {
        let mut pages: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        files.append(&mut pages);
    }
    files.extend(
        [Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")].map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p, text)
        }),
    );
    files
}

/// The fenced blocks of a language in a markdown text.
fn blocks<'t>(text: &'t str, lang: &str) -> Vec<&'t str> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").unwrap_or(body.len());
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}

fn eval(text: &str) -> Evaluated {
    let (name, rows) = reference::EXAMPLE_LOOKUP;
    let table: HashMap<String, String> = rows
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut sources = SourceMap::new();
    let today = reference::EXAMPLE_TODAY.parse().unwrap();
    evaluate(
        text,
        &[(name.to_string(), table)],
        Path::new("mappings"),
        today,
        &mut sources,
    )
    .unwrap_or_else(|d| panic!("`{text}`: {}", render_all(&d, &sources, false)))
}

#[test]
fn error_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    let generated = roster_etl::diagnostic::reference::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == generated,
        "docs/errors.md is out of date: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

#[test]
fn mapping_blocks_in_docs_parse() {
    let mut seen = 0;
    for (path, text) in docs() {
        for block in blocks(&text, "mapping") {
            seen += 1;
            if let Err(d) = roster_etl::syntax::parse_file(block, FileId(0)) {
                panic!(
                    "{}: a mapping example does not parse: {}\n{block}",
                    path.display(),
                    d[0].message
                );
            }
        }
    }
    assert!(seen >= 2, "expected mapping examples in the docs");
}

#[test]
fn expr_blocks_in_docs_evaluate_as_written() {
    let mut seen = 0;
    for (path, text) in docs() {
        for block in blocks(&text, "expr") {
            for line in block.lines().filter(|l| !l.trim().is_empty()) {
                let (expr, want) = line
                    .split_once("=>")
                    .unwrap_or_else(|| panic!("{}: `{line}` has no =>", path.display()));
                seen += 1;
                assert_eq!(
                    eval(expr.trim()),
                    eval(want.trim()),
                    "{}: {line}",
                    path.display()
                );
            }
        }
    }
    assert!(seen >= 8, "expected expression examples in the docs");
}

#[test]
fn yaml_pipeline_examples_have_the_right_shape() {
    let mut seen = 0;
    for (path, text) in docs() {
        for block in blocks(&text, "yaml")
            .into_iter()
            .filter(|b| b.contains("tier:"))
        {
            seen += 1;
            if let Err(d) = roster_etl::load::check_shape(block) {
                panic!(
                    "{}: a pipeline example is rejected: {}\n{block}",
                    path.display(),
                    d.message
                );
            }
        }
    }
    assert!(seen >= 1);
}

/// Deep-merges `snippet` into `base` (objects by key; anything else replaces).
fn merge(base: &mut serde_json::Value, snippet: serde_json::Value) {
    match (base, snippet) {
        (serde_json::Value::Object(b), serde_json::Value::Object(s)) => {
            for (k, v) in s {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, s) => *b = s,
    }
}

/// Each yaml block of a doc, merged into a small complete pipeline, must load and resolve
/// without an error (limit names, policies, windows, target settings and all). Mapping
/// files are not what these blocks show, so each pipeline reads an empty one.
fn snippets_resolve(doc: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.map"), "").unwrap();
    let base = r#"{"tier": "silver", "mappings": ["m.map"],
        "sources": {"extens": {"type": "csv", "datasets": {"elever": {"path": "e.csv"}}}},
        "targets": {"skolon": {"type": "oneroster-1.1", "path": "out/skolon"}}}"#;
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
    let env: HashMap<String, String> = HashMap::from([
        ("SFTP_PASSWORD".to_string(), "x".to_string()),
        ("SCIM_TOKEN".to_string(), "x".to_string()),
        (
            "SS12000_URL".to_string(),
            "https://api.example.se/v2.0".to_string(),
        ),
        ("SS12000_TOKEN".to_string(), "x".to_string()),
        ("AD_PASSWORD".to_string(), "x".to_string()),
        ("SS12000_CLIENT_SECRET".to_string(), "x".to_string()),
        ("SMTP_PASSWORD".to_string(), "x".to_string()),
    ]);
    let mut seen = 0;
    for block in blocks(&text, "yaml") {
        seen += 1;
        let mut pipeline: serde_json::Value = serde_json::from_str(base).unwrap();
        let snippet: serde_json::Value =
            serde_saphyr::from_str(block).unwrap_or_else(|e| panic!("not YAML: {e}\n{block}"));
        merge(&mut pipeline, snippet);
        pipeline["mappings"] = serde_json::json!(["m.map"]);
        let path = dir.path().join("pipeline.yaml");
        std::fs::write(&path, pipeline.to_string()).unwrap();
        let mut sources = SourceMap::new();
        if let Err(d) = roster_etl::load::load(&path, &env, &mut sources) {
            panic!(
                "{doc}:\n{block}\n{}",
                render_all(d.items(), &sources, false)
            );
        }
    }
    seen
}

#[test]
fn safe_sync_snippets_resolve() {
    let seen = snippets_resolve("docs/safe-sync.md");
    assert!(seen >= 5, "found {seen} yaml blocks");
}

#[test]
fn report_snippets_resolve() {
    let seen = snippets_resolve("docs/reports.md");
    assert!(seen >= 1, "found {seen} yaml blocks");
}

#[test]
fn connector_pipelines_resolve() {
    let mut seen = 0;
    for page in [
        "oneroster",
        "sds",
        "pifu-ims",
        "sftp",
        "scim",
        "ss12000",
        "ldap",
    ] {
        let n = snippets_resolve(&format!("docs/connectors/{page}.md"));
        assert!(n >= 1, "docs/connectors/{page}.md has no pipeline");
        seen += n;
    }
    assert!(seen >= 7, "found {seen} yaml blocks");
}

/// The SS12000 page shows the bundled example's pipeline and mapping exactly as they are
/// (which tests/ss12000_source.rs runs against Prism).
#[test]
fn the_ss12000_page_shows_the_example_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/connectors/ss12000.md")).unwrap();
    let pipeline = std::fs::read_to_string(root.join("examples/ss12000/pipeline.yaml")).unwrap();
    let mapping = std::fs::read_to_string(root.join("mappings/ss12000.map")).unwrap();
    assert_eq!(blocks(&page, "yaml")[0].trim_end(), pipeline.trim_end());
    assert_eq!(blocks(&page, "mapping")[0].trim_end(), mapping.trim_end());
}

/// The LDAP page shows the example's LDAP pipeline exactly as it is (which
/// tests/ldap_source.rs runs against Samba AD DC).
#[test]
fn the_ldap_page_shows_the_example_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/connectors/ldap.md")).unwrap();
    let pipeline =
        std::fs::read_to_string(root.join("examples/extens-ad/pipeline-ldap.yaml")).unwrap();
    assert_eq!(blocks(&page, "yaml")[0].trim_end(), pipeline.trim_end());
}
