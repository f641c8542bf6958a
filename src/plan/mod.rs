//! The sync plan: what each target would get, why, and its saved form.

mod build;
mod change;
mod mask;
mod mode;
mod model;
mod render;
mod rollover;

pub use build::{Built, Compiled, Spent, absolute, build, compile, diff_target};
pub use change::Change;
pub use mask::{MASK, mask, masked};
pub use mode::{Afterwards, RunMode, RunSettings};
pub use model::*;
pub use render::{RenderOptions, SHOWN, render, summary_line};
