//! Protected identities (skyddad identitet, SS12000 `securityMarking`): rows that mark a
//! protected person are dropped while the file is read, so they never reach the roster, the
//! plan, the state, logs or reports. Not even their number is kept.

use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct ProtectedRule {
    /// The column that marks a protected person.
    pub column: String,
    /// The pipeline's `column:` value (for an error when the file lacks the column).
    pub span: Span,
    /// Values that mean "protected"; compared after trimming, case-insensitively.
    pub values: Vec<String>,
}

impl ProtectedRule {
    pub fn is_protected(&self, value: &str) -> bool {
        let value = value.trim();
        self.values
            .iter()
            .any(|v| v.trim().eq_ignore_ascii_case(value))
    }
}
