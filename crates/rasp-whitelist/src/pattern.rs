//! Turning operator-written patterns into canonical keys, and errors that say
//! what to write instead.
//!
//! Every pattern becomes a byte string (its *key*) that is matched as a plain
//! prefix of a request's key. All the rules that make matching "smart"
//! (case-insensitive hosts, default ports, trailing dots, host-only patterns)
//! are applied here, once, when the whitelist is built, and mirrored in
//! [`RequestKey`](crate::RequestKey) for requests, so that the matcher itself
//! only ever compares bytes.

use std::fmt;

/// A pattern that cannot be part of a whitelist, or a whitelist that cannot
/// be built.
///
/// The message names the pattern as the operator wrote it and says what to
/// write instead, so it can be shown as is next to the `rasp.yml` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhitelistError {
    pattern: Option<String>,
    kind: ErrorKind,
}

/// What is wrong with a pattern (or with the whitelist as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The pattern is the empty string.
    Empty,
    /// The pattern starts with a scheme such as `https://`.
    Scheme {
        /// The pattern with the scheme removed.
        suggestion: String,
    },
    /// The pattern starts with `//` (a scheme-relative URL).
    SchemeRelative {
        /// The pattern with the leading `//` removed.
        suggestion: String,
    },
    /// The pattern contains `?` (query string) or `#` (fragment).
    QueryOrFragment {
        /// `'?'` or `'#'`.
        found: char,
        /// The pattern cut before `found`.
        suggestion: String,
    },
    /// The pattern contains `*` but is not `*` alone.
    Wildcard {
        /// What to write instead, when there is an obvious replacement.
        suggestion: Option<String>,
    },
    /// The pattern contains a space, tab or other control character.
    Whitespace {
        /// Byte offset of the character in the pattern.
        at: usize,
    },
    /// The path contains a `..` segment (also when written `%2e%2e`).
    DotDotSegment,
    /// The host part is empty, as in `:8080/admin/`.
    EmptyHost,
    /// The host contains `@` (user information).
    UserInfo {
        /// The pattern with the user information removed.
        suggestion: String,
    },
    /// The host contains characters outside ASCII.
    NonAsciiHost,
    /// The host contains a character that never appears in a Host header.
    InvalidHostChar {
        /// The offending character.
        found: char,
    },
    /// A host name with an empty label, as in `a..b.com` or `.b.com`.
    EmptyHostLabel,
    /// An IPv6 address without brackets, or a bracket that is not closed.
    InvalidIpv6,
    /// The port is not a number from 1 to 65535.
    InvalidPort {
        /// The port as written.
        port: String,
    },
    /// The patterns need more distinct check-type combinations than the
    /// format can index (2^24 - 1). Not reachable with realistic input.
    TooManyDistinctSets,
    /// The trie would have more than 2^32 nodes. Not reachable in memory.
    TooLarge,
}

impl WhitelistError {
    pub(crate) fn new(pattern: &str, kind: ErrorKind) -> WhitelistError {
        WhitelistError {
            pattern: Some(pattern.to_string()),
            kind,
        }
    }

    pub(crate) fn global(kind: ErrorKind) -> WhitelistError {
        WhitelistError {
            pattern: None,
            kind,
        }
    }

    /// The pattern as the operator wrote it, when the error is about one.
    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_deref()
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for WhitelistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pattern {
            Some(p) => write!(f, "whitelist pattern `{p}`: {}", self.kind),
            None => write!(f, "whitelist: {}", self.kind),
        }
    }
}

impl std::error::Error for WhitelistError {}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Empty => f.write_str(
                "the pattern is empty; write `*` to skip these checks for every \
                 request, or a prefix such as `example.com/admin/`",
            ),
            ErrorKind::Scheme { suggestion } => write!(
                f,
                "patterns must not include a scheme (whitelisting applies to http \
                 and https alike); remove it and write `{suggestion}`"
            ),
            ErrorKind::SchemeRelative { suggestion } => {
                let host = if suggestion.is_empty() {
                    "example.com/path"
                } else {
                    suggestion
                };
                write!(
                    f,
                    "a pattern must not start with `//`; write `{host}` for a host, \
                     or a single leading `/` for a path on any host"
                )
            }
            ErrorKind::QueryOrFragment { found, suggestion } => {
                let what = if *found == '?' {
                    "a query string, which is not part of the key a whitelist \
                     matches (host and path only)"
                } else {
                    "a fragment, which clients never send"
                };
                write!(f, "`{found}` starts {what}; write `{suggestion}`")
            }
            ErrorKind::Wildcard { suggestion } => {
                f.write_str(
                    "`*` is only allowed as the whole pattern, meaning every request; \
                     patterns are prefixes already",
                )?;
                match suggestion {
                    Some(s) => write!(f, ", so write `{s}`"),
                    None => {
                        f.write_str("; host wildcards are not supported, list each host instead")
                    }
                }
            }
            ErrorKind::Whitespace { at } => write!(
                f,
                "contains a space or control character at byte {at}; patterns match \
                 the raw request path, where a space is sent as `%20`, so write that \
                 (and check the YAML quoting)"
            ),
            ErrorKind::DotDotSegment => f.write_str(
                "the path contains a `..` segment; requests whose path contains `..` \
                 are only matched by host-wide patterns, so this pattern could never \
                 match: write the path as the web server resolves it",
            ),
            ErrorKind::EmptyHost => f.write_str(
                "the host is empty; write a host such as `example.com:8080/admin/`, \
                 or start the pattern with `/` to match a path on any host",
            ),
            ErrorKind::UserInfo { suggestion } => write!(
                f,
                "`@` (user information) never appears in a Host header; write `{suggestion}`"
            ),
            ErrorKind::NonAsciiHost => f.write_str(
                "the host is not ASCII; write an internationalized name the way \
                 clients send it in the Host header, in punycode (`xn--...`)",
            ),
            ErrorKind::InvalidHostChar { found } => write!(
                f,
                "`{found}` cannot appear in a host; a host is letters, digits, `-`, \
                 `.` and `_`, or an IPv6 address in brackets, optionally followed \
                 by `:port`"
            ),
            ErrorKind::EmptyHostLabel => f.write_str(
                "the host name has an empty label (two dots in a row, or a leading \
                 dot); write the name exactly as clients send it, such as \
                 `shop.example.com`",
            ),
            ErrorKind::InvalidIpv6 => f.write_str(
                "an IPv6 address must be written in brackets, as in the Host header: \
                 `[2001:db8::1]:8080/admin/`",
            ),
            ErrorKind::InvalidPort { port } => write!(
                f,
                "port `{port}` is not a number from 1 to 65535; write `host:port/path` \
                 (ports 80 and 443 may be left out)"
            ),
            ErrorKind::TooManyDistinctSets => f.write_str(
                "more than 16,777,215 distinct combinations of check types; merge \
                 patterns that should skip the same checks",
            ),
            ErrorKind::TooLarge => f.write_str(
                "the patterns need more than 2^32 trie nodes; shorten or merge patterns",
            ),
        }
    }
}

/// Validates `pattern` and returns its canonical form, as
/// [`Whitelist::patterns`](crate::Whitelist::patterns) lists it: `*`,
/// `/path`, or `host[:port]/path` with the host lower-cased, without a
/// trailing dot or a default port, and `/` added to a host-only pattern.
///
/// Useful to check `rasp.yml` without building a whitelist:
///
/// ```
/// use rasp_whitelist::canonical_pattern;
///
/// assert_eq!(canonical_pattern("Example.COM:443").unwrap(), "example.com/");
/// let err = canonical_pattern("https://example.com/admin/").unwrap_err();
/// assert!(err.to_string().contains("remove it and write `example.com/admin/`"));
/// ```
pub fn canonical_pattern(pattern: &str) -> Result<String, WhitelistError> {
    let key = canonicalize(pattern)?;
    Ok(if key.is_empty() { "*".to_string() } else { key })
}

/// Returns the key of `pattern`: the byte string that must be a prefix of a
/// request key. `*` has the empty key.
pub(crate) fn canonicalize(pattern: &str) -> Result<String, WhitelistError> {
    let err = |kind| WhitelistError::new(pattern, kind);
    if pattern.is_empty() {
        return Err(err(ErrorKind::Empty));
    }
    if pattern == "*" {
        return Ok(String::new());
    }
    if let Some(at) = pattern
        .bytes()
        .position(|b| b == b' ' || b.is_ascii_control())
    {
        return Err(err(ErrorKind::Whitespace { at }));
    }
    if let Some(rest) = strip_scheme(pattern) {
        let rest = rest.trim_start_matches('/');
        return Err(err(ErrorKind::Scheme {
            suggestion: rest.to_string(),
        }));
    }
    if let Some(rest) = pattern.strip_prefix("//") {
        return Err(err(ErrorKind::SchemeRelative {
            suggestion: rest.trim_start_matches('/').to_string(),
        }));
    }
    if let Some(at) = pattern.find(['?', '#']) {
        let found = char::from(pattern.as_bytes()[at]);
        return Err(err(ErrorKind::QueryOrFragment {
            found,
            suggestion: pattern[..at].to_string(),
        }));
    }
    if pattern.contains('*') {
        // `example.com/api/*` and `/static/*` have an obvious meaning.
        let trimmed = pattern.trim_end_matches('*');
        let suggestion =
            (!trimmed.contains('*') && trimmed.ends_with('/')).then(|| trimmed.to_string());
        return Err(err(ErrorKind::Wildcard { suggestion }));
    }
    let (host, path) = match pattern.find('/') {
        Some(0) => ("", pattern),
        Some(i) => (&pattern[..i], &pattern[i..]),
        None => (pattern, "/"),
    };
    if has_dot_dot_segment(path.as_bytes()) {
        return Err(err(ErrorKind::DotDotSegment));
    }
    if host.is_empty() {
        // Path-only pattern: matched against the path of any host.
        return Ok(path.to_string());
    }
    let mut key = canonical_host(pattern, host)?;
    key.push_str(path);
    Ok(key)
}

/// `http://x` → `Some("//x")`-like rest after `scheme:`; also catches
/// `http:example.com`, which is never a valid host:port.
fn strip_scheme(pattern: &str) -> Option<&str> {
    let colon = pattern.find(':')?;
    let scheme = &pattern[..colon];
    let rest = &pattern[colon + 1..];
    let mut chars = scheme.chars();
    let first_alpha = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let scheme_chars = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !first_alpha || !scheme_chars {
        return None;
    }
    let well_known = ["http", "https", "ws", "wss"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    (rest.starts_with("//") || (well_known && !rest.starts_with(|c: char| c.is_ascii_digit())))
        .then_some(rest)
}

/// Canonical `name[:port]` of a pattern's host part, lower-cased, without a
/// trailing dot and without the default ports 80 and 443.
fn canonical_host(pattern: &str, host: &str) -> Result<String, WhitelistError> {
    let err = |kind| WhitelistError::new(pattern, kind);
    if let Some(at) = host.rfind('@') {
        return Err(err(ErrorKind::UserInfo {
            suggestion: pattern[at + 1..].to_string(),
        }));
    }
    if !host.is_ascii() {
        return Err(err(ErrorKind::NonAsciiHost));
    }
    let (name, port) = split_host_port(host).ok_or_else(|| err(ErrorKind::InvalidIpv6))?;
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err(err(ErrorKind::EmptyHost));
    }
    if let Some(inner) = name.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(err(ErrorKind::InvalidIpv6));
        }
    } else if let Some(b) = name
        .bytes()
        .find(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')))
    {
        return Err(err(ErrorKind::InvalidHostChar {
            found: char::from(b),
        }));
    } else if name.split('.').any(str::is_empty) {
        return Err(err(ErrorKind::EmptyHostLabel));
    }
    let mut out = name.to_ascii_lowercase();
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        let n: u32 = if port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) {
            port.parse().unwrap_or(0)
        } else {
            0
        };
        if !(1..=65535).contains(&n) {
            return Err(err(ErrorKind::InvalidPort {
                port: port.to_string(),
            }));
        }
        if n != 80 && n != 443 {
            out.push(':');
            out.push_str(&n.to_string());
        }
    }
    Ok(out)
}

/// Splits `host[:port]` / `[v6][:port]`. `None` for an unclosed bracket,
/// junk after `]`, or several colons outside brackets (bare IPv6).
pub(crate) fn split_host_port(host: &str) -> Option<(&str, Option<&str>)> {
    if host.starts_with('[') {
        let close = host.find(']')?;
        let (name, rest) = host.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Some((name, Some(port))),
            None if rest.is_empty() => Some((name, None)),
            None => None,
        };
    }
    match host.find(':') {
        None => Some((host, None)),
        Some(i) if host[i + 1..].contains(':') => None,
        Some(i) => Some((&host[..i], Some(&host[i + 1..]))),
    }
}

/// Whether a raw path has a `..` segment that a web server would resolve.
///
/// Conservative on purpose: `%2e`/`%2E` count as dots and `\`, `%2f`, `%5c`
/// as separators, because some servers decode or accept them before
/// resolving dot segments.
pub(crate) fn has_dot_dot_segment(path: &[u8]) -> bool {
    let mut dots = 0u32;
    let mut other = false;
    let mut i = 0;
    while i < path.len() {
        let (token, len) = match path[i] {
            b'%' if i + 3 <= path.len() => match (path[i + 1], path[i + 2].to_ascii_lowercase()) {
                (b'2', b'e') => (Token::Dot, 3),
                (b'2', b'f') | (b'5', b'c') => (Token::Sep, 3),
                _ => (Token::Other, 1),
            },
            b'.' => (Token::Dot, 1),
            b'/' | b'\\' => (Token::Sep, 1),
            _ => (Token::Other, 1),
        };
        match token {
            Token::Dot => dots += 1,
            Token::Other => other = true,
            Token::Sep => {
                if dots == 2 && !other {
                    return true;
                }
                dots = 0;
                other = false;
            }
        }
        i += len;
    }
    dots == 2 && !other
}

enum Token {
    Dot,
    Sep,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: &str) -> String {
        canonicalize(p).unwrap_or_else(|e| panic!("{e}"))
    }

    fn kind(p: &str) -> ErrorKind {
        canonicalize(p).unwrap_err().kind
    }

    #[test]
    fn canonical_keys() {
        assert_eq!(key("*"), "");
        assert_eq!(key("example.com"), "example.com/");
        assert_eq!(key("Example.COM/Admin/"), "example.com/Admin/");
        assert_eq!(key("example.com./x"), "example.com/x");
        assert_eq!(key("example.com:80/x"), "example.com/x");
        assert_eq!(key("example.com:443"), "example.com/");
        assert_eq!(key("example.com:08080/x"), "example.com:8080/x");
        assert_eq!(key("example.com.:8080"), "example.com:8080/");
        assert_eq!(key("example.com:/x"), "example.com/x");
        assert_eq!(key("/static/"), "/static/");
        assert_eq!(key("/"), "/");
        assert_eq!(key("[::1]:8080/a"), "[::1]:8080/a");
        assert_eq!(key("[2001:DB8::1]"), "[2001:db8::1]/");
        assert_eq!(
            key("xn--bcher-kva.example/%C3%A9"),
            "xn--bcher-kva.example/%C3%A9"
        );
        assert_eq!(key("/caf\u{e9}/"), "/caf\u{e9}/");
        assert_eq!(key("localhost:8080"), "localhost:8080/");
        assert_eq!(key("/a/./b/"), "/a/./b/");
        assert_eq!(key("/a/.../b/"), "/a/.../b/");
    }

    #[test]
    fn errors() {
        assert_eq!(kind(""), ErrorKind::Empty);
        assert_eq!(
            kind("https://example.com/admin/"),
            ErrorKind::Scheme {
                suggestion: "example.com/admin/".into()
            }
        );
        assert_eq!(
            kind("HTTP://example.com"),
            ErrorKind::Scheme {
                suggestion: "example.com".into()
            }
        );
        assert_eq!(
            kind("http:example.com"),
            ErrorKind::Scheme {
                suggestion: "example.com".into()
            }
        );
        assert!(matches!(
            kind("//example.com/"),
            ErrorKind::SchemeRelative { .. }
        ));
        assert_eq!(
            kind("example.com/a?b=1"),
            ErrorKind::QueryOrFragment {
                found: '?',
                suggestion: "example.com/a".into()
            }
        );
        assert!(matches!(
            kind("/a#top"),
            ErrorKind::QueryOrFragment { found: '#', .. }
        ));
        assert_eq!(
            kind("example.com/api/*"),
            ErrorKind::Wildcard {
                suggestion: Some("example.com/api/".into())
            }
        );
        assert_eq!(
            kind("*.example.com"),
            ErrorKind::Wildcard { suggestion: None }
        );
        assert_eq!(kind("**"), ErrorKind::Wildcard { suggestion: None });
        assert_eq!(kind(" example.com"), ErrorKind::Whitespace { at: 0 });
        assert_eq!(kind("/a b"), ErrorKind::Whitespace { at: 2 });
        assert_eq!(kind("/a\tb"), ErrorKind::Whitespace { at: 2 });
        assert_eq!(kind("/static/../admin"), ErrorKind::DotDotSegment);
        assert_eq!(kind("example.com/.."), ErrorKind::DotDotSegment);
        assert_eq!(kind("/a/%2e%2E/b"), ErrorKind::DotDotSegment);
        assert_eq!(kind(":8080/a"), ErrorKind::EmptyHost);
        assert_eq!(kind("./a"), ErrorKind::EmptyHost);
        assert_eq!(kind("../a"), ErrorKind::EmptyHostLabel);
        assert_eq!(kind(".."), ErrorKind::EmptyHostLabel);
        assert_eq!(kind("a..b.com"), ErrorKind::EmptyHostLabel);
        assert_eq!(kind(".b.com/"), ErrorKind::EmptyHostLabel);
        assert_eq!(
            kind("user:pw@example.com/a"),
            ErrorKind::UserInfo {
                suggestion: "example.com/a".into()
            }
        );
        assert_eq!(kind("b\u{fc}cher.example"), ErrorKind::NonAsciiHost);
        assert_eq!(
            kind("exa%6dple.com"),
            ErrorKind::InvalidHostChar { found: '%' }
        );
        assert_eq!(kind("::1/"), ErrorKind::InvalidIpv6);
        assert_eq!(kind("[::1/"), ErrorKind::InvalidIpv6);
        assert_eq!(kind("[::1]x/"), ErrorKind::InvalidIpv6);
        assert_eq!(kind("[zz]/"), ErrorKind::InvalidIpv6);
        for port in ["0", "65536", "http", "123456", "-1"] {
            assert_eq!(
                kind(&format!("example.com:{port}/")),
                ErrorKind::InvalidPort { port: port.into() },
                "{port}"
            );
        }
    }

    #[test]
    fn messages_name_the_pattern_and_the_fix() {
        let e = canonicalize("https://example.com/admin/").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("whitelist pattern `https://example.com/admin/`"),
            "{msg}"
        );
        assert!(
            msg.contains("remove it and write `example.com/admin/`"),
            "{msg}"
        );
        assert_eq!(e.pattern(), Some("https://example.com/admin/"));
        let msg = canonicalize("/api/*").unwrap_err().to_string();
        assert!(msg.contains("so write `/api/`"), "{msg}");
    }

    #[test]
    fn dot_dot_segments() {
        for p in [
            "..",
            "/..",
            "/../",
            "/a/..",
            "/a/../b",
            "/a/%2e%2e/b",
            "/a/.%2E/b",
            "/a/..%2fb",
            "/a/..%5Cb",
            "/a\\..\\b",
            "a/..",
        ] {
            assert!(has_dot_dot_segment(p.as_bytes()), "{p}");
        }
        for p in [
            "", "/", "/a", "/a/./b", "/a/.../b", "/a/..b/", "/a/b../", "/a/%2e/", "/%2", "/%2e%2",
            "/a.b/..c",
        ] {
            assert!(!has_dot_dot_segment(p.as_bytes()), "{p}");
        }
    }
}
