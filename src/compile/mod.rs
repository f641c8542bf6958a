//! Stage "compile": the checked program and the pipeline's targets as a graph of steps.

mod steps;

pub use steps::{Step, StepKind, render, steps};
