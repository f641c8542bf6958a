//! What the checker knows about a function: parameters, result type, fallibility, examples.

use crate::model::Value;
use chrono::NaiveDate;
use regex::Regex;
use std::collections::HashMap;

/// Static types of the mapping language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Num,
    Bool,
    Date,
    Days,
    Null,
    /// Not known until run time (script results).
    Any,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Str => "string",
            Ty::Num => "number",
            Ty::Bool => "boolean",
            Ty::Date => "date",
            Ty::Days => "days",
            Ty::Null => "null",
            Ty::Any => "any",
        }
    }

    /// Whether a value of `self` may be passed where `want` is expected.
    pub fn fits(self, want: Ty) -> bool {
        self == want || matches!(self, Ty::Any | Ty::Null) || want == Ty::Any
    }
}

/// An accepted parameter type: one type, or a string or date (dates as registers write them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamTy {
    Is(Ty),
    StrOrDate,
}

impl ParamTy {
    pub fn accepts(self, ty: Ty) -> bool {
        match self {
            ParamTy::Is(want) => ty.fits(want),
            ParamTy::StrOrDate => ty.fits(Ty::Str) || ty.fits(Ty::Date),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamTy::Is(t) => t.name(),
            ParamTy::StrOrDate => "string or date",
        }
    }
}

pub struct Param {
    pub name: &'static str,
    pub ty: ParamTy,
    pub optional: bool,
    /// Must be written as a literal (a regex pattern, a lookup table name, a script path).
    pub literal: bool,
}

pub const fn param(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        ty: ParamTy::Is(ty),
        optional: false,
        literal: false,
    }
}

pub const fn optional(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        ty: ParamTy::Is(ty),
        optional: true,
        literal: false,
    }
}

pub const fn literal(name: &'static str) -> Param {
    Param {
        name,
        ty: ParamTy::Is(Ty::Str),
        optional: false,
        literal: true,
    }
}

pub const fn date_param(name: &'static str) -> Param {
    Param {
        name,
        ty: ParamTy::StrOrDate,
        optional: false,
        literal: false,
    }
}

/// When a call can fail at run time (and so must be handled with `??` or `!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallible {
    Never,
    Always,
    /// When an argument is a string that must be parsed (a date, say).
    WhenParsingStrings,
}

/// A documented example: `expr` evaluates to `result` (a value as written in the language,
/// or `error` for a failing call). Each one runs as a test and is shown in docs.
pub struct Example {
    pub expr: &'static str,
    pub result: &'static str,
}

/// Evaluation context for functions: today's date and caches that live for one run.
pub struct CallCtx {
    pub today: NaiveDate,
    /// Days ahead `active()` counts a start as begun when a call gives no `ahead:`.
    pub read_ahead: u32,
    /// Threads that may map a large block's rows; 1 unless the run says more.
    pub threads: usize,
    /// Shared by the threads that map a block's rows (a `Regex` clone is cheap).
    regexes: std::sync::Mutex<HashMap<String, Regex>>,
}

/// The pipeline's `read_ahead:` when it sets none.
pub const DEFAULT_READ_AHEAD: u32 = 30;

impl CallCtx {
    pub fn new(today: NaiveDate) -> Self {
        CallCtx {
            today,
            read_ahead: DEFAULT_READ_AHEAD,
            threads: 1,
            regexes: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The pipeline's `read_ahead:` days.
    pub fn reading_ahead(mut self, days: u32) -> Self {
        self.read_ahead = days;
        self
    }

    /// Threads that may map a large block's rows (at least 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// A compiled regex (patterns are literals, checked when the mapping is compiled).
    pub fn regex(&self, pattern: &str) -> Result<Regex, String> {
        let mut regexes = self.regexes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(re) = regexes.get(pattern) {
            return Ok(re.clone());
        }
        let re = Regex::new(pattern).map_err(|e| e.to_string())?;
        regexes.insert(pattern.to_string(), re.clone());
        Ok(re)
    }
}

pub type Impl = for<'a> fn(&[Value<'a>], &CallCtx) -> Result<Value<'a>, String>;

pub struct Function {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// The last parameter may repeat.
    pub variadic: bool,
    pub returns: Ty,
    pub fallible: Fallible,
    pub call: Impl,
    pub examples: &'static [Example],
}
