//! What a target's files are rendered from.

use crate::diff::Held;
use crate::plan::EntityPlan;

pub struct RenderInput<'a> {
    /// What the target holds after this run.
    pub held: Held<'a>,
    /// This run's changes (a delta document is made of them).
    pub entities: &'a [EntityPlan],
    pub today: &'a str,
    /// The target's apply count after this run (names a delta document).
    pub serial: u64,
}
