//! OneRoster CSV (bulk), versions 1.1 and 1.2. Headers and value formats follow the 1EdTech
//! sample sets in `tests/fixtures/oneroster-1.1/` and `tests/fixtures/oneroster-1.2/`.

mod shared;
pub mod v11;
pub mod v12;

pub use shared::{CLASSES, ENROLLMENTS, ORGS, SESSIONS};
