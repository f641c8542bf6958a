//! Domain knowledge that is not tied to one stage.

pub mod personnummer;
