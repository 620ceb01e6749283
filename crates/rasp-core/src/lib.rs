//! The pure-Rust heart of php-rasp.
//!
//! Everything that can be decided without PHP or V8 lives here, so it can be
//! tested with `cargo test` alone: the check types and the events built from
//! hooked calls, the verdicts plugins return, the `rasp.yml` model, and the
//! native algorithms (SQL and shell tokenizers, path and URL helpers) that
//! plugins call through `RASP.sql_tokenize` and friends.
#![forbid(unsafe_code)]

pub mod bundle;
pub mod check;
pub mod config;
pub mod context;
pub mod dbpolicy;
pub mod dsn;
pub mod gate;
pub mod inputs;
pub mod path;
pub mod phar;
pub mod serialized;
pub mod shell;
pub mod sql;
pub mod text;
pub mod url;
pub mod verdict;
pub mod webshell;
pub mod xml;

pub use check::{CheckType, CheckTypeSet};
pub use config::RaspConfig;
pub use verdict::{Action, Verdict};
