//! Check types: the names plugins register for and whitelists switch off.
//!
//! The names are part of the plugin API (design.md) and must be spelled
//! exactly as established RASP plugins expect them. Each type also has a bit
//! in a [`CheckTypeSet`], which is how the whitelist says "skip these types
//! for this URL" and how the engine says "some plugin handles this type" in
//! one word that a hook can test in a nanosecond.

use std::fmt;
use std::str::FromStr;

macro_rules! check_types {
    ($($variant:ident => $name:literal,)*) => {
        /// One kind of sensitive operation a plugin can judge.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum CheckType {
            $($variant,)*
        }

        impl CheckType {
            /// Every check type, in bit order.
            pub const ALL: &'static [CheckType] = &[$(CheckType::$variant,)*];

            /// The name plugins use in `plugin.register(name, ...)`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(CheckType::$variant => $name,)*
                }
            }

            /// Parses a plugin-facing name; exact match, as plugins spell it.
            pub fn from_name(name: &str) -> Option<CheckType> {
                match name {
                    $($name => Some(CheckType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

check_types! {
    Sql => "sql",
    SqlException => "sql_exception",
    SqlPrepared => "sqlPrepared",
    DbConnection => "dbConnection",
    Command => "command",
    ReadFile => "readFile",
    WriteFile => "writeFile",
    DeleteFile => "deleteFile",
    Copy => "copy",
    Rename => "rename",
    Directory => "directory",
    Include => "include",
    FileUpload => "fileUpload",
    Ssrf => "ssrf",
    SsrfRedirect => "ssrfRedirect",
    Xxe => "xxe",
    Eval => "eval",
    Deserialization => "deserialization",
    Request => "request",
    RequestEnd => "requestEnd",
    Response => "response",
    WebshellEval => "webshell_eval",
    WebshellCommand => "webshell_command",
    WebshellCallable => "webshell_callable",
    WebshellFilePutContents => "webshell_file_put_contents",
    WebshellLdPreload => "webshell_ld_preload",
    XssEcho => "xss_echo",
    XssUserinput => "xss_userinput",
}

impl CheckType {
    /// The bit of this type in a [`CheckTypeSet`].
    pub const fn bit(self) -> u64 {
        1u64 << (self as u8)
    }

    /// Built-in types judged natively, without a JavaScript plugin.
    pub const fn is_builtin(self) -> bool {
        matches!(
            self,
            CheckType::WebshellEval
                | CheckType::WebshellCommand
                | CheckType::WebshellCallable
                | CheckType::WebshellFilePutContents
                | CheckType::WebshellLdPreload
                | CheckType::XssEcho
                | CheckType::XssUserinput
        )
    }
}

impl fmt::Display for CheckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a name that is not a check type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCheckType(pub String);

impl fmt::Display for UnknownCheckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown check type `{}`; expected `all` or one of: {}",
            self.0,
            CheckType::ALL
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl std::error::Error for UnknownCheckType {}

impl FromStr for CheckType {
    type Err = UnknownCheckType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckType::from_name(s).ok_or_else(|| UnknownCheckType(s.to_string()))
    }
}

/// A set of check types as one machine word.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CheckTypeSet(pub u64);

impl CheckTypeSet {
    pub const EMPTY: CheckTypeSet = CheckTypeSet(0);

    /// Every check type.
    pub const fn all() -> CheckTypeSet {
        CheckTypeSet((1u64 << CheckType::ALL.len()) - 1)
    }

    pub const fn contains(self, t: CheckType) -> bool {
        self.0 & t.bit() != 0
    }

    pub fn insert(&mut self, t: CheckType) {
        self.0 |= t.bit();
    }

    pub fn remove(&mut self, t: CheckType) {
        self.0 &= !t.bit();
    }

    pub const fn union(self, other: CheckTypeSet) -> CheckTypeSet {
        CheckTypeSet(self.0 | other.0)
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = CheckType> {
        CheckType::ALL
            .iter()
            .copied()
            .filter(move |t| self.contains(*t))
    }

    /// Parses a list of names; `all` stands for every type.
    pub fn from_names<'a, I: IntoIterator<Item = &'a str>>(
        names: I,
    ) -> Result<CheckTypeSet, UnknownCheckType> {
        let mut set = CheckTypeSet::EMPTY;
        for name in names {
            if name == "all" {
                set = CheckTypeSet::all();
            } else {
                set.insert(name.parse()?);
            }
        }
        Ok(set)
    }
}

impl FromIterator<CheckType> for CheckTypeSet {
    fn from_iter<I: IntoIterator<Item = CheckType>>(iter: I) -> Self {
        let mut set = CheckTypeSet::EMPTY;
        for t in iter {
            set.insert(t);
        }
        set
    }
}

impl fmt::Debug for CheckTypeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|t| t.as_str()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in CheckType::ALL {
            assert_eq!(CheckType::from_name(t.as_str()), Some(*t));
        }
        assert!(CheckType::ALL.len() <= 64);
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(
            CheckType::from_name("sqlPrepared"),
            Some(CheckType::SqlPrepared)
        );
        assert_eq!(CheckType::from_name("sqlprepared"), None);
        assert_eq!(CheckType::from_name("SQL"), None);
    }

    #[test]
    fn sets() {
        let s = CheckTypeSet::from_names(["sql", "command"]).unwrap();
        assert!(s.contains(CheckType::Sql));
        assert!(s.contains(CheckType::Command));
        assert!(!s.contains(CheckType::ReadFile));
        assert_eq!(s.iter().count(), 2);
        let all = CheckTypeSet::from_names(["all"]).unwrap();
        assert_eq!(all.iter().count(), CheckType::ALL.len());
        let err = CheckTypeSet::from_names(["sql", "bogus"]).unwrap_err();
        assert!(err.to_string().contains("`bogus`"));
    }
}
