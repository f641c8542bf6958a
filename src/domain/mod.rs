//! Domain knowledge that is not tied to one stage.

pub mod personnummer;
pub mod school_year;
