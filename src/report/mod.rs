//! Stage "report": what a run tells its operator besides the plan (issue 5 grows this into
//! the status report); for now the time and peak memory of each phase (`--timings`).

mod timings;

pub use timings::{Phase, Timings};
