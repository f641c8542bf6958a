//! `--allow NAME=LIMIT`: raises one named limit for one run (never "disable all").

use super::limit::{Limit, LimitName};
use crate::diagnostic::{Code, Diag, suggest};

#[derive(Clone, Debug, PartialEq)]
pub struct Allow {
    pub name: LimitName,
    pub limit: Limit,
    /// As the user wrote it, for the plan and the state's run log.
    pub text: String,
}

impl Allow {
    pub fn parse(text: &str) -> Result<Allow, Diag> {
        let bad = |msg: String| {
            Diag::error(Code::BadOverride, msg).help(
                "write --allow NAME=COUNT or NAME=PERCENT%, e.g. --allow delete.person=1500; `etl plan` names the limits a plan goes over",
            )
        };
        let Some((name, value)) = text.split_once('=') else {
            return Err(bad(format!("--allow `{text}` has no `=`")));
        };
        let Some(parsed) = LimitName::parse(name.trim()) else {
            let names = LimitName::names();
            return Err(Diag::error(
                Code::BadOverride,
                format!("--allow names an unknown limit `{}`", name.trim()),
            )
            .help(suggest::did_you_mean(
                name.trim(),
                names.iter().map(String::as_str),
            )));
        };
        let Some(limit) = Limit::parse(value) else {
            return Err(bad(format!(
                "--allow {}: `{}` is not a count or a percentage",
                name.trim(),
                value.trim()
            )));
        };
        Ok(Allow {
            name: parsed,
            limit,
            text: format!("{}={}", name.trim(), value.trim()),
        })
    }
}
