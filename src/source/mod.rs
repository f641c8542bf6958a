//! Stage "read": source datasets into memory, from CSV files, an SS12000 API or an LDAP
//! directory.

mod csv_options;
mod csv_reader;
mod dataset;
mod encoding;
mod in_place;
pub mod ldap;
mod protected;
mod quotable;
pub mod ss12000;

pub use csv_options::CsvOptions;
pub use csv_reader::{CsvSource, dataset_from_bytes, read_columns, read_dataset};
pub use dataset::Dataset;
pub use encoding::{DecodeError, Encoding, EncodingChoice, decode};
pub use protected::ProtectedRule;
