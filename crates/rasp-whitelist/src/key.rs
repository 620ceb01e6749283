//! The key of a request, normalized the same way as patterns, without
//! allocating.

use std::fmt;

use crate::pattern::{has_dot_dot_segment, split_host_port};

/// A request as the whitelist sees it: a normalized host and a raw path.
///
/// Building one never allocates and never fails; it only slices its inputs.
/// The rules, mirrored from how patterns are normalized:
///
/// * The host is compared ASCII-case-insensitively, one trailing dot is
///   ignored (`example.com.` is `example.com`), and the ports 80 and 443 are
///   the same as no port (leading zeros ignored).
/// * A host that could not come from a well-formed Host header (it contains
///   `/`, `?`, `@`, whitespace, non-ASCII, a non-numeric port, a bare IPv6
///   address, ...) is treated as *absent*: only path-only patterns and `*`
///   can then match. The Host header is chosen by the client; a malformed
///   one must not select a host's whitelist for a path it is not under.
/// * The path is taken raw, as received: no percent-decoding, case-sensitive.
///   Everything from the first `?` (the query string) is dropped. A `#` is
///   kept: clients do not send fragments, so one here is raw path data. An
///   empty path, or one not starting with `/`, gets a leading `/`.
/// * A path with a `..` segment (also `%2e%2e`, and with `\` or `%2f` as
///   separators) is matched as if it were `/`: the web server resolves the
///   dot segments before it picks the script, so `/static/../upload.php`
///   runs `/upload.php` and must not inherit the whitelist of `/static/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestKey<'a> {
    /// Host name, original case, trailing dot removed; empty if absent.
    name: &'a str,
    /// Port digits without leading zeros; empty for none/80/443.
    port: &'a str,
    /// Raw path bytes, query removed, `/` if it had a `..` segment.
    path: &'a [u8],
    /// Whether a `/` goes before `path`.
    slash: bool,
}

impl<'a> RequestKey<'a> {
    /// Normalizes a request's `host[:port]` (as in the Host header) and path.
    pub fn new(host: &'a str, path: &'a str) -> RequestKey<'a> {
        RequestKey::from_bytes(host.as_bytes(), path.as_bytes())
    }

    /// Like [`new`](RequestKey::new), for a path as raw bytes (PHP's
    /// `REQUEST_URI` need not be UTF-8). A host that is not UTF-8 is not a
    /// usable host.
    pub fn from_bytes(host: &'a [u8], path: &'a [u8]) -> RequestKey<'a> {
        let (name, port) = std::str::from_utf8(host)
            .ok()
            .and_then(normalize_host)
            .unwrap_or(("", ""));
        // One pass for the end of the path and for whether a dot segment is
        // possible at all (it needs `..` or a `%` escape); the exact check
        // runs only on such paths.
        let mut end = path.len();
        let mut suspicious = false;
        let mut prev = 0;
        for (i, &b) in path.iter().enumerate() {
            match b {
                b'?' => {
                    end = i;
                    break;
                }
                b'%' => suspicious = true,
                b'.' if prev == b'.' => suspicious = true,
                _ => {}
            }
            prev = b;
        }
        let mut path = &path[..end];
        if suspicious && has_dot_dot_segment(path) {
            path = b"/";
        }
        RequestKey {
            name,
            port,
            path,
            slash: !path.starts_with(b"/"),
        }
    }

    /// Whether the request has a usable host (see the type's docs).
    pub fn has_host(&self) -> bool {
        !self.name.is_empty()
    }

    /// The bytes host patterns are matched against: lower-cased host,
    /// `:port` unless default, then the path. Empty if there is no host.
    pub fn host_key(&self) -> impl Iterator<Item = u8> + '_ {
        let (name, port, path, slash) = if self.has_host() {
            (self.name, self.port, self.path, self.slash)
        } else {
            ("", "", &b""[..], false)
        };
        name.bytes()
            .map(|b| b.to_ascii_lowercase())
            .chain((!port.is_empty()).then_some(b':'))
            .chain(port.bytes())
            .chain(slash.then_some(b'/'))
            .chain(path.iter().copied())
    }

    /// The bytes path-only patterns (`/static/`) are matched against.
    pub fn path_key(&self) -> impl Iterator<Item = u8> + '_ {
        self.slash
            .then_some(b'/')
            .into_iter()
            .chain(self.path.iter().copied())
    }

    pub(crate) fn parts(&self) -> (&'a str, &'a str, bool, &'a [u8]) {
        (self.name, self.port, self.slash, self.path)
    }
}

/// Shows the key host patterns are matched against, or the path key when
/// there is no usable host; handy in logs ("whitelisted by ..."). Bytes of
/// the path that are not UTF-8 are shown as U+FFFD.
impl fmt::Display for RequestKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.name.bytes() {
            fmt::Write::write_char(f, char::from(b.to_ascii_lowercase()))?;
        }
        if !self.port.is_empty() {
            write!(f, ":{}", self.port)?;
        }
        if self.slash {
            f.write_str("/")?;
        }
        f.write_str(&String::from_utf8_lossy(self.path))
    }
}

/// `(name, port)` of a Host header value, or `None` if it is not usable.
fn normalize_host(host: &str) -> Option<(&str, &str)> {
    let (name, port) = if host.starts_with('[') {
        let (name, port) = split_host_port(host)?;
        let inner = &name[1..name.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        (name, port.unwrap_or(""))
    } else {
        let mut colon = None;
        for (i, &b) in host.as_bytes().iter().enumerate() {
            if b == b':' && colon.is_none() {
                colon = Some(i);
            } else if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
                return None;
            }
        }
        match colon {
            Some(i) => (&host[..i], &host[i + 1..]),
            None => (host, ""),
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = port.trim_start_matches('0');
    let port = match trimmed {
        "" if port.is_empty() => "",
        "" => "0",
        "80" | "443" => "",
        p => p,
    };
    Some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hk(host: &str, path: &str) -> String {
        let k = RequestKey::new(host, path);
        String::from_utf8(k.host_key().collect()).unwrap()
    }

    fn pk(host: &str, path: &str) -> String {
        let k = RequestKey::new(host, path);
        String::from_utf8(k.path_key().collect()).unwrap()
    }

    #[test]
    fn host_normalization() {
        assert_eq!(hk("Example.COM", "/A"), "example.com/A");
        assert_eq!(hk("example.com.", "/"), "example.com/");
        assert_eq!(hk("example.com:80", "/"), "example.com/");
        assert_eq!(hk("example.com:443", "/"), "example.com/");
        assert_eq!(hk("example.com:0443", "/"), "example.com/");
        assert_eq!(hk("example.com:", "/"), "example.com/");
        assert_eq!(hk("example.com:8080", "/"), "example.com:8080/");
        assert_eq!(hk("example.com:008080", "/"), "example.com:8080/");
        assert_eq!(hk("example.com.:8080", "/x"), "example.com:8080/x");
        assert_eq!(hk("example.com:0", "/"), "example.com:0/");
        assert_eq!(hk("[::1]:8080", "/"), "[::1]:8080/");
        assert_eq!(hk("[::1]", "/"), "[::1]/");
    }

    #[test]
    fn unusable_hosts_are_absent() {
        for host in [
            "",
            ".",
            "example.com/admin",
            "a b",
            "user@example.com",
            "example.com:http",
            "::1",
            "[::1",
            "[::1]x",
            "ex]ample.com",
            "b\u{fc}cher.de",
            "a?b",
            ":8080",
        ] {
            let k = RequestKey::new(host, "/x");
            assert!(!k.has_host(), "{host}");
            assert_eq!(hk(host, "/x"), "", "{host}");
            assert_eq!(k.to_string(), "/x", "{host}");
        }
    }

    #[test]
    fn path_normalization() {
        assert_eq!(pk("h", ""), "/");
        assert_eq!(pk("h", "x"), "/x");
        assert_eq!(pk("h", "/a?b=/c"), "/a");
        // Clients never send a fragment; a raw `#` stays, and cannot hide
        // a dot segment behind it.
        assert_eq!(pk("h", "/a#b"), "/a#b");
        assert_eq!(pk("h", "/static/#/../admin.php"), "/");
        assert_eq!(pk("h", "?q"), "/");
        assert_eq!(pk("h", "/A%2Fb"), "/A%2Fb");
        assert_eq!(pk("h", "/static/../upload.php"), "/");
        assert_eq!(pk("h", "/static/%2E%2e/upload.php"), "/");
        assert_eq!(pk("h", "/static/..?x"), "/");
        assert_eq!(pk("h", "/static/a..b"), "/static/a..b");
        assert_eq!(hk("h", ""), "h/");
        assert_eq!(hk("h", "x"), "h/x");
    }

    #[test]
    fn raw_bytes() {
        let k = RequestKey::from_bytes(b"H.com", b"/a/\xff\xfe?x");
        assert_eq!(k.host_key().collect::<Vec<_>>(), b"h.com/a/\xff\xfe");
        assert_eq!(k.path_key().collect::<Vec<_>>(), b"/a/\xff\xfe");
        assert_eq!(k.to_string(), "h.com/a/\u{fffd}\u{fffd}");
        assert!(!RequestKey::from_bytes(b"h\xff.com", b"/").has_host());
        assert_eq!(
            RequestKey::from_bytes(b"a.b:80", b"/x"),
            RequestKey::new("a.b:80", "/x")
        );
    }

    #[test]
    fn display_is_the_host_key() {
        let k = RequestKey::new("Example.com:8080", "/a?b");
        assert_eq!(k.to_string(), "example.com:8080/a");
        assert_eq!(k.to_string().into_bytes(), k.host_key().collect::<Vec<_>>());
    }
}
