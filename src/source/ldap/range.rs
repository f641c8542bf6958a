//! Ranged retrieval: Active Directory sends at most 1 500 values of one attribute per
//! entry (`member;range=0-1499`) and expects the client to ask for the rest
//! (`member;range=1500-*`) until a range ends in `*`. Without this a large class's
//! `member` would silently stop at 1 500 pupils.

use super::entry::{self, Entry};
use super::failure::Failure;
use ldap3::{Ldap, Scope};
use std::time::Duration;

/// Requests per attribute at most (1 500 values each: over 15 million values).
const MAX_ROUNDS: usize = 10_000;

/// Completes every ranged attribute of `entry` and renames it to its plain name.
pub async fn complete(
    ldap: &mut Ldap,
    entry: &mut Entry,
    timeout: Duration,
) -> Result<(), Failure> {
    for i in 0..entry.attributes.len() {
        let Some((name, end)) = ranged(&entry.attributes[i].0) else {
            continue;
        };
        let name = name.to_string();
        let mut next = end;
        let mut rounds = 0;
        while let Some(start) = next {
            rounds += 1;
            if rounds > MAX_ROUNDS {
                return Err(Failure::Answer(format!(
                    "entry {}: attribute {name} never ends its ranges",
                    entry.dn
                )));
            }
            let (more, end) = fetch(ldap.with_timeout(timeout), &entry.dn, &name, start).await?;
            entry.attributes[i].1.extend(more);
            next = end;
        }
        entry.attributes[i].0 = name;
    }
    Ok(())
}

/// `name;range=lo-hi` gives `(name, Some(hi + 1))`; `name;range=lo-*` gives `(name, None)`.
fn ranged(attribute: &str) -> Option<(&str, Option<u64>)> {
    let (name, options) = attribute.split_once(';')?;
    let range = options.split(';').find_map(|o| {
        o.strip_prefix("range=")
            .or_else(|| o.strip_prefix("Range="))
    })?;
    let (_, hi) = range.split_once('-')?;
    if hi == "*" {
        return Some((name, None));
    }
    Some((name, Some(hi.parse::<u64>().ok()?.saturating_add(1))))
}

/// The values from `start` on, and where the next range starts (`None` when done).
async fn fetch(
    ldap: &mut Ldap,
    dn: &str,
    name: &str,
    start: u64,
) -> Result<(Vec<Vec<u8>>, Option<u64>), Failure> {
    let asked = format!("{name};range={start}-*");
    let (entries, _) = ldap
        .search(dn, Scope::Base, "(objectClass=*)", vec![asked.as_str()])
        .await
        .map_err(|e| Failure::search(&format!("reading {asked} of {dn}"), e))?
        .success()
        .map_err(|e| Failure::search(&format!("reading {asked} of {dn}"), e))?;
    let Some(raw) = entries.into_iter().next() else {
        return Err(Failure::Answer(format!(
            "entry {dn} vanished while reading {asked}"
        )));
    };
    let got = entry::parse(raw).map_err(Failure::Answer)?;
    for (attribute, values) in got.attributes {
        if let Some((n, end)) = ranged(&attribute)
            && n.eq_ignore_ascii_case(name)
        {
            if end.is_some_and(|e| e <= start) {
                return Err(Failure::Answer(format!(
                    "entry {dn}: attribute {name} went back to an earlier range"
                )));
            }
            return Ok((values, end));
        }
    }
    // A server that sends the rest without a range option has sent everything.
    Ok((Vec::new(), None))
}

#[cfg(test)]
mod tests {
    use super::ranged;

    #[test]
    fn reads_the_range_option() {
        assert_eq!(ranged("member;range=0-1499"), Some(("member", Some(1500))));
        assert_eq!(ranged("member;range=1500-*"), Some(("member", None)));
        assert_eq!(ranged("member"), None);
        assert_eq!(ranged("member;binary"), None);
        assert_eq!(ranged("member;range=0-x"), None);
    }
}
