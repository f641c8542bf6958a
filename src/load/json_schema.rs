//! `etl schema`: a JSON Schema (draft 2020-12) of the pipeline YAML, for editors' completion
//! and checking as you type (the YAML language server of VS Code, IntelliJ, Neovim ...).
//! It follows the raw structs in `raw.rs` key for key; tests/schema.rs checks every object's
//! keys against what the loader itself accepts, so the two cannot drift apart.

use serde_json::{Map, Value, json};

use super::TargetKind;
use super::resolve_source::SOURCE_TYPES;

pub fn pipeline_schema() -> Value {
    let mut schema = object(
        "A roster-etl pipeline: the sources, the mapping files and the targets to keep in step (docs/pipeline-reference.md).",
        &["tier", "sources", "mappings", "targets"],
        vec![
            (
                "version",
                json!({"description": "The pipeline format; 1 is the only version.", "const": 1}),
            ),
            (
                "name",
                text("The pipeline's name in plans and reports; default: the file name."),
            ),
            (
                "tier",
                json!({"description": "bronze (one source system) or silver (several).", "enum": ["bronze", "silver"]}),
            ),
            (
                "state",
                text("The state database (SQLite); default: <file>.state.db beside the pipeline."),
            ),
            (
                "sources",
                named("Source systems by name, each with its datasets.", source()),
            ),
            (
                "lookups",
                named(
                    "Lookup tables by name, for lookup(\"name\", value).",
                    lookup(),
                ),
            ),
            (
                "mappings",
                list(
                    "Mapping files (docs/dsl-reference.md).",
                    text("A mapping file, relative to the pipeline."),
                ),
            ),
            ("targets", named("Targets by name.", target())),
            (
                "school_year",
                object(
                    "Yearly windows (MM-DD, inclusive) for rollover and additions-only runs.",
                    &[],
                    vec![("rollover", window()), ("additions_only", window())],
                ),
            ),
            (
                "read_ahead",
                text("Whole days, 0d to 366d, that active() counts a start as begun; default 30d."),
            ),
            (
                "script_time",
                text(
                    "How long all script() calls of one run may take together, e.g. 1m (the default) or 30s; at most 1h.",
                ),
            ),
            (
                "identity",
                named(
                    "Per entity, the field that stays the same when a record's sync key changes, e.g. person: username.",
                    text("A field of the entity."),
                ),
            ),
            (
                "report",
                object(
                    "Who hears how each etl apply ended (docs/reports.md).",
                    &[],
                    vec![("mail", mail())],
                ),
            ),
        ],
    );
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        map.insert(
            "$id".into(),
            "https://roster-etl.example/schema/pipeline-1.json".into(),
        );
        map.insert("title".into(), "roster-etl pipeline".into());
    }
    schema
}

fn source() -> Value {
    object(
        "A source system.",
        &["type", "datasets"],
        vec![
            (
                "type",
                choice(
                    "csv (files), ss12000 (a register's SS12000 API) or ldap (a directory).",
                    &SOURCE_TYPES,
                ),
            ),
            (
                "ss12000",
                object(
                    "The SS12000 server (docs/connectors/ss12000.md).",
                    &["url"],
                    vec![
                        ("url", text("The API's base URL.")),
                        ("token", secret("A bearer token")),
                        (
                            "oauth2",
                            object(
                                "OAuth 2.0 client credentials.",
                                &["token_url", "client_id", "client_secret"],
                                vec![
                                    ("token_url", text("The token endpoint.")),
                                    ("client_id", text("The client id.")),
                                    ("client_secret", secret("The client secret")),
                                    ("scope", text("The scope asked for.")),
                                ],
                            ),
                        ),
                        ("page_size", count("Objects per page.")),
                        ("timeout_secs", count("Seconds to wait for an answer.")),
                        ("retries", count("Retries of a failed request.")),
                        ("ca_file", text("A CA certificate (PEM) to trust.")),
                        (
                            "incremental",
                            object(
                                "Incremental reads (`{}` for the defaults).",
                                &[],
                                vec![
                                    ("full_every", text("How often to read in full, e.g. 7d.")),
                                    ("overlap", text("How far back each read reaches, e.g. 10m.")),
                                ],
                            ),
                        ),
                    ],
                ),
            ),
            (
                "ldap",
                object(
                    "The directory (docs/connectors/ldap.md).",
                    &["url", "bind_dn", "password"],
                    vec![
                        ("url", text("ldap:// or ldaps:// URL.")),
                        ("bind_dn", text("The account to bind as.")),
                        ("password", secret("The bind password")),
                        (
                            "starttls",
                            boolean("Upgrade an ldap:// connection with StartTLS."),
                        ),
                        ("page_size", count("Entries per page.")),
                        ("timeout_secs", count("Seconds to wait for an answer.")),
                        ("ca_file", text("A CA certificate (PEM) to trust.")),
                    ],
                ),
            ),
            (
                "datasets",
                named(
                    "Datasets of this system by name; mappings read them as system.dataset.",
                    dataset(),
                ),
            ),
        ],
    )
}

fn dataset() -> Value {
    object(
        "A dataset.",
        &[],
        vec![
            ("path", text("The file (csv sources).")),
            (
                "resource",
                text(
                    "The SS12000 dataset: persons, enrolments, organisations, groups, groupMemberships, placements, duties, assignmentRoles; default: the dataset's name.",
                ),
            ),
            ("base", text("Where a directory search starts (ldap).")),
            (
                "scope",
                choice("The search scope (ldap).", &["base", "one", "sub"]),
            ),
            ("filter", text("The LDAP filter.")),
            (
                "attributes",
                list("The attributes read (ldap).", text("An attribute.")),
            ),
            (
                "separator",
                text("Between the values of a multi-valued attribute; default |."),
            ),
            (
                "encoding",
                json!({"description": "The file's encoding; default auto.", "type": "string", "examples": crate::source::EncodingChoice::NAMES}),
            ),
            (
                "delimiter",
                json!({"description": "The field separator; default auto.", "type": "string", "examples": [";", ",", "tab", "auto"]}),
            ),
            (
                "columns",
                list("Columns the file must have.", text("A column.")),
            ),
            (
                "may_be_empty",
                boolean("Zero rows is normal for this dataset."),
            ),
            (
                "protected",
                object(
                    "Rows of protected persons, dropped as they are read.",
                    &["column", "values"],
                    vec![
                        ("column", text("The column that marks a protected person.")),
                        (
                            "values",
                            list("Values that mean protected.", text("A value.")),
                        ),
                    ],
                ),
            ),
        ],
    )
}

fn lookup() -> Value {
    object(
        "A lookup table: inline values, or a CSV file with key and value columns.",
        &[],
        vec![
            ("values", named("Key to value.", text("The value."))),
            ("file", text("A CSV file.")),
            ("key", text("The column matched on.")),
            ("value", text("The column returned.")),
        ],
    )
}

fn target() -> Value {
    let limit = json!({
        "description": "A count like 50, a share like \"5%\", \"none\", or { count, percent }.",
        "anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string"},
            object("Both must be passed to hold a plan.", &[], vec![("count", count("Changes.")), ("percent", json!({"type": "number", "minimum": 0}))]),
        ]
    });
    let policy = json!({
        "description": "trash, archive (groups), delete, or { delay: 14d }.",
        "anyOf": [
            {"enum": ["trash", "archive", "delete"]},
            object("A delete scheduled later.", &["delay"], vec![("delay", text("Whole days, e.g. 14d."))]),
        ]
    });
    object(
        "A target.",
        &["type"],
        vec![
            (
                "type",
                choice(
                    "The target's format or protocol (docs/connectors/README.md).",
                    TargetKind::NAMES,
                ),
            ),
            ("path", text("The folder a file target writes to.")),
            (
                "on_delete",
                named(
                    "Per entity, what happens to records gone from the sources.",
                    policy,
                ),
            ),
            (
                "limits",
                named(
                    "Safety limits of a normal run, e.g. delete.person.",
                    limit.clone(),
                ),
            ),
            (
                "rollover_limits",
                named("Safety limits of a rollover run.", limit),
            ),
            (
                "pifu",
                object(
                    "PIFU-IMS settings.",
                    &[],
                    vec![
                        ("document", choice("full or delta.", &["full", "delta"])),
                        ("source", text("The document's source id.")),
                        (
                            "send",
                            list("Sensitive fields sent on.", text("A field, e.g. civicNo.")),
                        ),
                    ],
                ),
            ),
            (
                "sftp",
                object(
                    "Deliver the files by SFTP.",
                    &["host", "user", "dir", "known_hosts"],
                    vec![
                        ("host", text("The server.")),
                        (
                            "port",
                            json!({"type": "integer", "minimum": 1, "maximum": 65535}),
                        ),
                        ("user", text("The account.")),
                        ("dir", text("The remote folder.")),
                        ("key_file", text("A private key file.")),
                        ("password", secret("The password")),
                        (
                            "known_hosts",
                            text("The known_hosts file that holds the server's key."),
                        ),
                        ("timeout_secs", count("Seconds to wait.")),
                    ],
                ),
            ),
            (
                "scim",
                object(
                    "The SCIM 2.0 server.",
                    &["url"],
                    vec![
                        ("url", text("The server's base URL.")),
                        ("token", secret("A bearer token")),
                        (
                            "adopt",
                            choice(
                                "Adopt existing accounts by userName or email.",
                                &["userName", "email"],
                            ),
                        ),
                        ("concurrency", count("Requests in flight.")),
                        ("batch", count("Operations per bulk request.")),
                        ("timeout_secs", count("Seconds to wait for an answer.")),
                        ("retries", count("Retries of a failed request.")),
                        ("ca_file", text("A CA certificate (PEM) to trust.")),
                    ],
                ),
            ),
        ],
    )
}

fn mail() -> Value {
    let when: Vec<&str> = crate::report::WHEN.iter().map(|(name, _)| *name).collect();
    object(
        "Mail each etl apply's status report through SMTP; a held plan is mailed once.",
        &["smtp", "from", "to"],
        vec![
            (
                "smtp",
                text(
                    "smtp://host:25, smtp://host:587?tls=required or smtps://host:465 (no password in it).",
                ),
            ),
            ("from", text("The sender, address or Name <address>.")),
            ("to", list("The recipients.", text("An address."))),
            (
                "when",
                list(
                    "The outcomes mailed; default [failed, held].",
                    choice("An outcome.", &when),
                ),
            ),
            ("user", text("The SMTP login.")),
            ("password", secret("The SMTP password")),
            ("timeout_secs", count("Seconds to wait for the server.")),
        ],
    )
}

fn window() -> Value {
    object(
        "A yearly window.",
        &["from", "to"],
        vec![("from", text("MM-DD")), ("to", text("MM-DD"))],
    )
}

fn object(description: &str, required: &[&str], properties: Vec<(&str, Value)>) -> Value {
    let properties: Map<String, Value> = properties
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    json!({
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn named(description: &str, each: Value) -> Value {
    json!({"description": description, "type": "object", "additionalProperties": each})
}

fn list(description: &str, each: Value) -> Value {
    json!({"description": description, "type": "array", "items": each})
}

fn text(description: &str) -> Value {
    json!({"description": description, "type": "string"})
}

fn secret(what: &str) -> Value {
    json!({
        "description": format!("{what}: a ${{VAR}} or ${{file:/path}} reference, never the secret itself."),
        "type": "string",
        "pattern": "^\\$\\{[^}]+\\}$",
    })
}

fn choice(description: &str, values: &[&str]) -> Value {
    json!({"description": description, "enum": values})
}

fn count(description: &str) -> Value {
    json!({"description": description, "type": "integer", "minimum": 0})
}

fn boolean(description: &str) -> Value {
    json!({"description": description, "type": "boolean"})
}
