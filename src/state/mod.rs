//! Stage "remember": what each target was last given, and the lock between runs.

mod legacy;
mod lock;
mod records;
mod remote;
mod store;

pub use legacy::RECORDS_TABLE as FORMAT_4_RECORDS_TABLE;
pub use lock::{StateLock, lock_path};
pub use remote::{Remote, RemoteIds};
pub use store::{AppliedRun, LoggedRun, State, TargetVersion, stale};
