//! The built-in web-shell checks: code, commands or function names that come
//! straight from the request, and environment variables that load code.
//!
//! A one-line web shell (`eval($_POST[x])`, `$_GET[f]($_GET[a])`,
//! `system($_COOKIE[c])`) passes a request value to a sink unchanged. These
//! checks are native (no JavaScript) because they fire on hot paths
//! (`call_user_func`, `array_map`): the request's values are put in a hash
//! set once per request and each sink argument costs one lookup.

use std::collections::HashSet;

use crate::context::{Param, RequestInput};

/// Shortest value we match: shorter ones (`1`, `id`) are everyday function
/// arguments and would only produce noise.
pub const MIN_LEN: usize = 2;
/// Longest JSON body we parse for values.
const MAX_JSON: usize = 1 << 20;

/// Every value of a request, for exact-match lookups.
#[derive(Clone, Debug, Default)]
pub struct RequestValues {
    set: HashSet<Vec<u8>>,
    min: usize,
    max: usize,
    /// Bit n set: some value is n bytes long (n < 256). Hooks ask about
    /// thousands of callables per request; most lengths match no value and
    /// are answered without hashing.
    lengths: [u64; 4],
    /// Some value could be a function or class name (an identifier,
    /// namespaces allowed): otherwise no callable can be one of them.
    names: bool,
}

impl RequestValues {
    /// Collects GET, POST and cookie values (nested arrays included), header
    /// values, the raw body (php://input) and the string leaves of a JSON body.
    pub fn new(input: &RequestInput) -> RequestValues {
        let mut v = RequestValues {
            min: usize::MAX,
            ..Default::default()
        };
        for list in [&input.get, &input.post, &input.cookies] {
            for (_, p) in list {
                v.param(p, 0);
            }
        }
        for (_, h) in &input.headers {
            v.add(h);
        }
        if !input.body.is_empty() {
            v.add(&input.body);
            if input.body.len() <= MAX_JSON
                && matches!(
                    input.body.iter().find(|b| !b.is_ascii_whitespace()),
                    Some(b'{' | b'[')
                )
            {
                if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&input.body) {
                    v.json(&json, 0);
                }
            }
        }
        v
    }

    fn add(&mut self, b: &[u8]) {
        if b.len() < MIN_LEN {
            return;
        }
        self.min = self.min.min(b.len());
        self.max = self.max.max(b.len());
        self.mark(b.len());
        self.names |= is_identifier(b);
        self.set.insert(b.to_vec());
        // Values arrive with stray whitespace (`cmd=id%0a`); PHP code often trims.
        let t = b.trim_ascii();
        if t.len() >= MIN_LEN && t.len() != b.len() {
            self.min = self.min.min(t.len());
            self.mark(t.len());
            self.names |= is_identifier(t);
            self.set.insert(t.to_vec());
        }
    }

    /// Whether some value could name a function or class, i.e. equal the
    /// name part of a callable PHP would call.
    pub fn may_name_code(&self) -> bool {
        self.names
    }

    fn mark(&mut self, len: usize) {
        if len < 256 {
            self.lengths[len / 64] |= 1 << (len % 64);
        }
    }

    fn param(&mut self, p: &Param, depth: usize) {
        match p {
            Param::Str(s) => self.add(s),
            Param::Arr(items) if depth < 32 => {
                for (_, p) in items {
                    self.param(p, depth + 1);
                }
            }
            Param::Arr(_) => {}
        }
    }

    fn json(&mut self, j: &serde_json::Value, depth: usize) {
        match j {
            serde_json::Value::String(s) => self.add(s.as_bytes()),
            serde_json::Value::Array(a) if depth < 32 => {
                a.iter().for_each(|x| self.json(x, depth + 1))
            }
            serde_json::Value::Object(o) if depth < 32 => {
                o.values().for_each(|x| self.json(x, depth + 1))
            }
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether `b` is exactly one of the request's values.
    pub fn contains(&self, b: &[u8]) -> bool {
        let n = b.len();
        n >= self.min
            && n <= self.max
            && (n >= 256 || self.lengths[n / 64] & (1 << (n % 64)) != 0)
            && self.set.contains(b)
    }
}

/// Functions a web shell calls through a callable (`$_GET[f]($_GET[a])`):
/// command and code execution, file writes, and the calling helpers
/// themselves. A request value naming any other function is an everyday
/// pattern (`array_map($sort, ...)`) and not reported.
/// A PHP name, optionally namespaced (`system`, `\\Foo\\Bar`): letters,
/// digits, `_`, bytes from 0x80, `\\` between parts, not starting with a
/// digit. Only such a string can name the function or class a callable runs.
pub fn is_identifier(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\\").unwrap_or(b);
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    !b.is_empty()
        && b.split(|&c| c == b'\\').all(|part| {
            part.first().is_some_and(|&c| !c.is_ascii_digit()) && part.iter().all(|&c| word(c))
        })
}

pub const DANGEROUS_CALLABLES: &[&str] = &[
    "system",
    "exec",
    "passthru",
    "shell_exec",
    "popen",
    "proc_open",
    "pcntl_exec",
    "assert",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "forward_static_call",
    "forward_static_call_array",
    "array_map",
    "array_filter",
    "usort",
    "file_put_contents",
    "fwrite",
    "fputs",
    "fopen",
    "move_uploaded_file",
    "copy",
    "rename",
    "unlink",
    "putenv",
    "mail",
    "dl",
    "phpinfo",
    "readfile",
    "file_get_contents",
    "show_source",
    "highlight_file",
    "unserialize",
    "include",
    "require",
    "preg_replace",
    "ini_set",
    "set_include_path",
];

/// Whether a function name (any case, with or without a leading `\`) is
/// one a web shell calls; `list` overrides the built-in list when given.
pub fn dangerous_callable(name: &[u8], list: Option<&[String]>) -> bool {
    let name = name.strip_prefix(b"\\").unwrap_or(name);
    match list {
        Some(l) => l.iter().any(|f| name.eq_ignore_ascii_case(f.as_bytes())),
        None => DANGEROUS_CALLABLES
            .iter()
            .any(|f| name.eq_ignore_ascii_case(f.as_bytes())),
    }
}

/// Environment variables that make the next exec'd program load attacker
/// code (the `putenv` + `mail()` bypass of `disable_functions`).
pub const LOADER_VARS: &[&str] = &["LD_PRELOAD", "LD_AUDIT", "GCONV_PATH"];

/// The variable name of a `putenv("NAME=value")` setting if it is a loader
/// variable.
pub fn loader_var(setting: &[u8]) -> Option<&'static str> {
    let name = setting.split(|&b| b == b'=').next().unwrap_or(setting);
    let name = name.trim_ascii();
    LOADER_VARS
        .iter()
        .copied()
        .find(|v| name.eq_ignore_ascii_case(v.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RequestInput {
        RequestInput {
            get: vec![(b"f".to_vec(), Param::Str(b"system".to_vec()))],
            post: vec![(
                b"a".to_vec(),
                Param::Arr(vec![(b"0".to_vec(), Param::Str(b"phpinfo();".to_vec()))]),
            )],
            cookies: vec![(b"c".to_vec(), Param::Str(b"id\n".to_vec()))],
            headers: vec![("x-cmd".into(), b"whoami".to_vec())],
            body: br#"{"code":"echo 1;","n":[1,"assert"]}"#.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn identifiers_are_what_php_can_call() {
        for ok in ["system", "\\system", "Foo\\Bar", "_x1", "f\u{e9}"] {
            assert!(is_identifier(ok.as_bytes()), "{ok}");
        }
        for no in [
            "",
            "1abc",
            "a b",
            "127.0.0.1:80",
            "Mozilla/5.0",
            "a::b",
            "\\",
            "Foo\\\\Bar",
            "x-y",
        ] {
            assert!(!is_identifier(no.as_bytes()), "{no}");
        }
        let v = RequestValues::new(&RequestInput {
            headers: vec![("host".into(), b"127.0.0.1:8191".to_vec())],
            get: vec![(b"s".to_vec(), Param::Str(b"hello world".to_vec()))],
            ..Default::default()
        });
        assert!(!v.may_name_code());
        assert!(RequestValues::new(&input()).may_name_code());
    }

    #[test]
    fn every_source_counts() {
        let v = RequestValues::new(&input());
        for hit in [
            "system",
            "phpinfo();",
            "id",
            "id\n",
            "whoami",
            "echo 1;",
            "assert",
        ] {
            assert!(v.contains(hit.as_bytes()), "{hit}");
        }
        for miss in ["System", "phpinfo()", "f", "x", "", "echo"] {
            assert!(!v.contains(miss.as_bytes()), "{miss}");
        }
    }

    #[test]
    fn empty_request() {
        let v = RequestValues::new(&RequestInput::default());
        assert!(v.is_empty());
        assert!(!v.contains(b"system"));
    }

    #[test]
    fn dangerous_callables() {
        assert!(dangerous_callable(b"system", None));
        assert!(dangerous_callable(b"\\SYSTEM", None));
        assert!(!dangerous_callable(b"strtoupper", None));
        let custom = vec!["strtoupper".to_string()];
        assert!(dangerous_callable(b"StrToUpper", Some(&custom)));
        assert!(!dangerous_callable(b"system", Some(&custom)));
    }

    #[test]
    fn loader_variables() {
        assert_eq!(loader_var(b"LD_PRELOAD=/tmp/x.so"), Some("LD_PRELOAD"));
        assert_eq!(loader_var(b"gconv_path=/tmp"), Some("GCONV_PATH"));
        assert_eq!(loader_var(b"LD_AUDIT"), Some("LD_AUDIT"));
        assert_eq!(loader_var(b"PATH=/bin"), None);
        assert_eq!(loader_var(b""), None);
    }
}
