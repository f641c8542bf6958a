//! The SCIM 2.0 target (RFC 7643/7644): persons become Users, groups become Groups with
//! their members. Unlike a file target it is changed object by object, so a run can end
//! part-way: state then records exactly what the server accepted.
//!
//! | file | holds |
//! |---|---|
//! | `session.rs` | the connection: token, what the server supports, the breaker |
//! | `index.rs` | the server's objects read back (rebuild by externalId, adoption) |
//! | `resource.rs` | User and Group bodies and PATCH operations |
//! | `sync.rs` | the order of a run: users, groups, members, deletes |
//! | `members.rs` | membership changes in batches per group |
//! | `outcome.rs` | accepted changes, refusals with reasons, server ids |

mod index;
mod members;
mod outcome;
mod resource;
mod session;
mod sync;

pub use outcome::{Failure, Outcome};
pub use sync::Job;

use crate::diagnostic::{Code, Diag};
use crate::target::ScimOptions;
use session::Session;

/// Carries out a target's changes on its SCIM server. `Err` means nothing was sent (the
/// server could not be reached, or refused the token); refusals of single changes are in
/// the outcome.
pub fn sync(name: &str, options: &ScimOptions, job: &Job) -> Result<Outcome, Diag> {
    block_on(name, async {
        let session = Session::connect(options).await?;
        sync::run(&session, job).await
    })
}

/// Checks that the server answers and accepts the token (`etl validate --connect`).
pub fn probe(name: &str, options: &ScimOptions) -> Result<String, Diag> {
    block_on(name, async {
        let session = Session::connect(options).await?;
        let how = if session.patch {
            "PATCH"
        } else {
            "PUT (no PATCH)"
        };
        Ok(format!(
            "target `{name}`: SCIM server {} reachable, token accepted, changes by {how}",
            options.url
        ))
    })
}

fn block_on<T>(name: &str, work: impl Future<Output = Result<T, String>>) -> Result<T, Diag> {
    crate::net::block_on(work).map_err(|why| unreachable_server(name, why))
}

fn unreachable_server(name: &str, why: String) -> Diag {
    let help = if why.contains("certificate") {
        "nothing was sent and state is unchanged; the server's TLS certificate is not trusted: if it is signed by your own CA, give that CA's PEM file as `scim.ca_file`"
    } else {
        "nothing was sent and state is unchanged; check `scim.url`, the token and that the server is up (`etl validate --connect`), then run again"
    };
    Diag::error(Code::ServerUnreachable, format!("target `{name}`: {why}")).help(help)
}

/// The error after a run in which some changes were refused or not sent.
pub fn refused(name: &str, outcome: &Outcome, shown: usize) -> Diag {
    let applied: usize = outcome.accepted.iter().flatten().filter(|a| **a).count();
    let mut message = format!(
        "target `{name}`: {} change(s) were not applied ({} refused by the server, {} not sent because it stopped answering); {applied} were applied and recorded",
        outcome.refused(),
        outcome.failures.len(),
        outcome.not_attempted
    );
    let mut failures: Vec<&Failure> = outcome.failures.iter().collect();
    failures.sort_by_key(|f| (crate::model::EntityKind::parse(&f.entity), f.key.as_str()));
    for f in failures.into_iter().take(shown) {
        let action = format!("{:?}", f.action).to_lowercase();
        message.push_str(&format!(
            "\n  {action} {} {}: {}",
            f.entity, f.key, f.reason
        ));
    }
    if outcome.failures.len() > shown {
        message.push_str(&format!(
            "\n  … and {} more",
            outcome.failures.len() - shown
        ));
    }
    Diag::error(Code::PartlyApplied, message).help(
        "state records only what the server accepted, so what was not applied is planned again: fix the cause (or start the server) and run again",
    )
}
