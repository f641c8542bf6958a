//! One network runtime per call: roster-etl is a batch tool, so each server stage runs its
//! requests on a current-thread tokio runtime and returns plain results.

use std::future::Future;

/// Runs `work` to completion; a runtime that cannot start is an error like any other.
pub fn block_on<T, E: From<String>>(work: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| E::from(format!("cannot start the network runtime: {e}")))?
        .block_on(work)
}
