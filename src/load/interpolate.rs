//! `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in pipeline values, `${file:PATH}` for
//! the contents of a secret file (its last line end dropped); `$$` is a literal `$`.

use crate::diagnostic::{Code, Diag, Span};

/// Where variables come from. Tests pass a map; the CLI passes the process environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Expands every `${...}` in `text`. `span` is the value's place in the YAML file.
pub fn interpolate(text: &str, span: Span, env: &dyn Env) -> Result<String, Diag> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(Diag::error(Code::BadInterpolation, "`${` is never closed")
                    .label(span, "this value")
                    .help("write `${NAME}`, or `$$` for a literal dollar sign"));
            };
            out.push_str(&expand(&body[..end], span, env)?);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if out.contains('\n') || out.contains('\r') {
        return Err(Diag::error(Code::ValueWithNewline, "this value contains a newline after interpolation")
            .label(span, "expands to a value with a line break")
            .help("a newline in a path or setting is almost always a mistake in the variable; check its value"));
    }
    Ok(out)
}

/// Resolves a credential's `${...}` reference at the moment it is used (when a target is
/// written). The error names the variable or file, never a value.
pub fn interpolate_secret(reference: &str, env: &dyn Env) -> Result<String, String> {
    let nowhere = Span::new(crate::diagnostic::FileId(0), 0, 0);
    interpolate(reference, nowhere, env).map_err(|d| d.message)
}

fn expand(expr: &str, span: Span, env: &dyn Env) -> Result<String, Diag> {
    if let Some(path) = expr.strip_prefix("file:") {
        return read_secret_file(path, span);
    }
    let (name, rule) = match expr.find(':') {
        Some(i) => (&expr[..i], Some(&expr[i + 1..])),
        None => (expr, None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Diag::error(Code::BadInterpolation, format!("`${{{expr}}}` is not a valid variable reference"))
            .label(span, "in this value")
            .help("variable names use letters, digits and `_`: `${NAME}`, `${NAME:-default}` or `${NAME:?message}`"));
    }
    let value = env.var(name).filter(|v| !v.is_empty());
    match (value, rule) {
        (Some(v), _) => Ok(v),
        (None, Some(r)) if r.starts_with('-') => Ok(r[1..].to_string()),
        (None, Some(r)) if r.starts_with('?') => Err(Diag::error(
            Code::EnvMissing,
            format!("environment variable `{name}` is not set: {}", &r[1..]),
        )
        .label(span, format!("needs `{name}`"))
        .help(format!("set it before the run, e.g. `export {name}=...`"))),
        (None, Some(_)) => Err(Diag::error(
            Code::BadInterpolation,
            format!("`${{{expr}}}` has an unknown modifier"),
        )
        .label(span, "in this value")
        .help("use `${NAME:-default}` or `${NAME:?message}`")),
        (None, None) => Err(Diag::error(
            Code::EnvMissing,
            format!("environment variable `{name}` is not set"),
        )
        .label(span, format!("needs `{name}`"))
        .help(format!(
            "set it before the run, or give a default: `${{{name}:-value}}`"
        ))),
    }
}

/// The contents of a secret file (a mounted secret, a file only the service account reads).
/// The error names the path, never what the file holds.
fn read_secret_file(path: &str, span: Span) -> Result<String, Diag> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text)
            .to_string()),
        Err(e) => Err(Diag::error(
            Code::FileUnreadable,
            format!("cannot read the secret file `{path}`: {e}"),
        )
        .label(span, "reads this file")
        .help("check the path and that the user running etl may read it")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;
    use std::collections::HashMap;

    fn env() -> HashMap<String, String> {
        HashMap::from([
            ("HOME_DIR".to_string(), "/srv/etl".to_string()),
            ("BAD".to_string(), "a\nb".to_string()),
        ])
    }

    fn run(text: &str) -> Result<String, Diag> {
        interpolate(text, Span::new(FileId(0), 0, 1), &env())
    }

    #[test]
    fn expands_set_default_and_escape() {
        assert_eq!(run("${HOME_DIR}/out").unwrap(), "/srv/etl/out");
        assert_eq!(run("${NOPE:-x}/y").unwrap(), "x/y");
        assert_eq!(run("cost $$5").unwrap(), "cost $5");
        assert_eq!(run("plain").unwrap(), "plain");
    }

    #[test]
    fn errors_have_codes() {
        assert_eq!(run("${NOPE}").unwrap_err().code, Code::EnvMissing);
        let err = run("${NOPE:?set the school id}").unwrap_err();
        assert!(err.message.contains("set the school id"));
        assert_eq!(run("${BAD}").unwrap_err().code, Code::ValueWithNewline);
        assert_eq!(run("${OPEN").unwrap_err().code, Code::BadInterpolation);
        assert_eq!(run("${a b}").unwrap_err().code, Code::BadInterpolation);
    }

    #[test]
    fn reads_secret_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret\n").unwrap();
        let text = format!("${{file:{}}}", path.display());
        assert_eq!(run(&text).unwrap(), "s3cret");
        std::fs::write(&path, "two\nlines\n").unwrap();
        assert_eq!(run(&text).unwrap_err().code, Code::ValueWithNewline);
        let missing = format!("${{file:{}}}", dir.path().join("nope").display());
        assert_eq!(run(&missing).unwrap_err().code, Code::FileUnreadable);
    }
}
