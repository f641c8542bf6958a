//! Stage "safety gate": limits on how much one run may change, checked on the whole plan
//! before anything is written, with one-run overrides (`--allow`).

mod allow;
mod concentration;
mod empty_source;
mod gate;
mod limit;
mod limits;
mod verdict;

pub use allow::Allow;
pub use empty_source::check_empty_sources;
pub use gate::Gate;
pub use limit::{Limit, LimitName, percent_text, share, thousands};
pub use limits::Limits;
pub use verdict::{Verdict, Violation};
