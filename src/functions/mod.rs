//! The standard library of the mapping language: one file per function, each with
//! examples that run as tests (`tests/function_examples.rs`) and appear in docs.

pub mod active;
pub(crate) mod args;
mod ascii_fold;
mod date;
mod lookup;
mod lower;
mod pnr;
mod pnr_birth_date;
mod pnr_is_temporary;
mod pnr_valid;
pub mod reference;
mod regex_match;
mod regex_replace;
mod replace;
mod school_year;
mod script;
mod signature;
mod slug;
mod split;
mod today;
mod trim;
mod upper;

pub use date::parse_register_date;
pub use signature::*;

/// Every function, in the order the docs list them.
pub const ALL: &[&Function] = &[
    &lower::LOWER,
    &upper::UPPER,
    &trim::TRIM,
    &replace::REPLACE,
    &split::SPLIT,
    &regex_match::REGEX_MATCH,
    &regex_replace::REGEX_REPLACE,
    &ascii_fold::ASCII_FOLD,
    &slug::SLUG,
    &date::DATE,
    &today::TODAY,
    &active::ACTIVE,
    &school_year::SCHOOL_YEAR,
    &pnr::PNR,
    &pnr_valid::PNR_VALID,
    &pnr_is_temporary::PNR_IS_TEMPORARY,
    &pnr_birth_date::PNR_BIRTH_DATE,
    &lookup::LOOKUP,
    &script::SCRIPT,
];

pub fn find(name: &str) -> Option<&'static Function> {
    ALL.iter().copied().find(|f| f.name == name)
}

/// Functions whose results are personal data (masked in plan output).
pub fn is_sensitive(name: &str) -> bool {
    matches!(name, "pnr" | "pnr_birth_date")
}
