//! The registry of stable error codes. A code is never reused for another meaning;
//! `docs/errors.md` lists them all (a test keeps it in step with this file).

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        /// A stable diagnostic code, shown as `etl::E0103` and usable in searches and docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }
        }
    };
}

codes! {
    // 00xx: reading files and the pipeline YAML
    FileUnreadable = "E0001", "a file cannot be read";
    YamlSyntax = "E0002", "the pipeline is not valid YAML";
    YamlSchema = "E0003", "the pipeline has an unknown key or a value of the wrong kind";
    EnvMissing = "E0004", "an environment variable the pipeline needs is not set";
    ValueWithNewline = "E0005", "an interpolated value contains a newline";
    BadInterpolation = "E0006", "a ${...} expression is malformed";
    BadSetting = "E0007", "a pipeline setting has an invalid value";
    UnknownSourceType = "E0008", "a source or target type is not known";
    BadOverride = "E0009", "an --allow override names an unknown limit or a bad value";
    PlainSecret = "E0010", "a credential is written in the pipeline instead of ${ENV} or ${file:PATH}";
    // 01xx: the mapping language
    DslSyntax = "E0101", "the mapping file has a syntax error";
    UnknownDataset = "E0102", "a mapping reads a dataset the pipeline does not declare";
    UnknownColumn = "E0103", "a mapping reads a column the dataset does not have";
    UnknownAlias = "E0104", "a mapping uses an alias that is not defined in its block";
    UnknownFunction = "E0105", "a mapping calls a function that does not exist";
    BadArguments = "E0106", "a function is called with wrong arguments";
    TypeMismatch = "E0107", "an expression has the wrong type";
    UnhandledFallible = "E0108", "an expression that can fail at run time is not handled";
    UnknownField = "E0109", "a mapping assigns a field the entity does not have";
    MissingField = "E0110", "a field that the entity or a target requires is not assigned";
    DuplicateField = "E0111", "a field is assigned twice in one block";
    BadJoinCondition = "E0112", "a join condition is not an equality between the two sides";
    UnknownLookup = "E0113", "a lookup table is not declared in the pipeline";
    ScriptCompile = "E0114", "a Rhai script does not compile";
    DuplicateAlias = "E0115", "an alias is used twice in one block";
    NeedlessAbort = "E0116", "`!` is used on a function that cannot fail";
    UnknownEntity = "E0117", "a block produces an entity kind that does not exist";
    BadLiteral = "E0118", "a literal value is invalid";
    PersonalKey = "E0119", "a sync key is derived from a personal number (a warning)";
    BadFirstBy = "E0120", "a join's `first by` reads more than the joined dataset";
    BadMerge = "E0121", "a `merge` declaration names an unknown entity, field or rule";
    // 02xx: package tier
    TierExceeded = "E0201", "the pipeline uses more source systems than its tier allows";
    // 03xx: source data
    Encoding = "E0301", "a source file is not in the declared encoding";
    MalformedRow = "E0302", "a source file has a malformed row";
    DuplicateHeader = "E0303", "a source file has the same column twice";
    MissingColumn = "E0304", "a declared column is missing from the source file";
    EmptySource = "E0305", "a source file has no header row";
    EmptyDataset = "E0306", "a dataset has no rows where the last apply read some";
    SourceUnreachable = "E0307", "a source's server cannot be reached or refuses the credentials";
    BadSourceAnswer = "E0308", "a source's server sends answers that cannot be used";
    // 04xx: running the mappings
    EvalFailed = "E0401", "an expression marked with `!` failed on a record";
    ScriptFailed = "E0402", "a Rhai script failed on a record";
    DuplicateKey = "E0403", "two records have the same sync key";
    EmptyKey = "E0404", "a record's sync key is empty";
    InvalidValue = "E0405", "a mapped value is not allowed for its field";
    MergeConflict = "E0406", "records merged into one disagree on a field that has no merge rule";
    InvalidPersonnummer = "E0407", "register rows hold a personnummer that is not valid (a warning)";
    MissingEmail = "E0408", "persons in the roster have no e-mail address (a warning)";
    // 05xx: state, plans and targets
    Locked = "E0501", "another run of this pipeline holds the state lock";
    StalePlan = "E0502", "the saved plan no longer matches the state";
    StateFailed = "E0503", "the state database cannot be read or written";
    BadPlanFile = "E0504", "the plan file cannot be used";
    TargetWrite = "E0505", "a target cannot be written";
    NotApproved = "E0506", "the apply was not approved";
    PlanHeld = "E0507", "the plan goes over a safety limit and is held";
    DeliveryFailed = "E0508", "a target's files could not be delivered to its server";
    ServerUnreachable = "E0509", "a target's server cannot be reached or refuses the credentials";
    PartlyApplied = "E0510", "a target's server refused some changes; the rest were applied";
    // 06xx: answers for admins
    NotFound = "E0601", "`etl explain` finds nothing by the name it was given";
    ExportWrite = "E0602", "`etl export` cannot write its files";
    ReportWrite = "E0603", "a status report cannot be written";
    MailSend = "E0604", "the status report cannot be mailed";
    TestFile = "E0605", "a mapping test file cannot be used";
    TestFailed = "E0606", "a mapping test's expectation is not met";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(
                seen.insert(code.as_str()),
                "code {} used twice",
                code.as_str()
            );
        }
    }
}
