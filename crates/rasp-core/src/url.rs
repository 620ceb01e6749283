//! Outbound addresses for `ssrf` checks: URL -> scheme, hostname, port, and
//! the IPv4 spellings that resolvers accept but naive checks miss.
//!
//! The parse is deliberately forgiving, like the clients it stands in front
//! of (curl, PHP's http wrapper): a plugin must see the host the request
//! really goes to, not fail on a URL the client would happily send.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The parts of a URL a plugin judges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// Lower-case scheme; empty when the URL had none.
    pub scheme: String,
    /// Host as written, without brackets (IPv6) or userinfo; lower-case.
    pub hostname: String,
    /// Explicit port, else the scheme's default (0 when unknown).
    pub port: u16,
}

/// Default port of a URL scheme.
pub fn default_port(scheme: &str) -> u16 {
    match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "gopher" => 70,
        "dict" => 2628,
        "ldap" => 389,
        "ldaps" => 636,
        "tftp" => 69,
        "smtp" => 25,
        "imap" => 143,
        "pop3" => 110,
        "telnet" => 23,
        "ssh" | "sftp" | "scp" => 22,
        "rtsp" => 554,
        "smb" => 445,
        _ => 0,
    }
}

/// Parses `scheme://[user[:pass]@]host[:port][/path][?q][#f]`. A URL without
/// `://` is read as curl reads it: a host, with an implied http scheme.
pub fn parse(url: &str) -> Option<Url> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
    let (scheme, rest) = match url.find("://") {
        Some(i)
            if i > 0
                && url[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            (url[..i].to_ascii_lowercase(), &url[i + 3..])
        }
        _ => (String::new(), url),
    };
    // Authority ends at the first '/', '?', '#' (and '\', which browsers and
    // some clients treat as '/').
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Userinfo: up to the last '@' (curl and PHP both split there).
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(r) = hostport.strip_prefix('[') {
        let close = r.find(']')?;
        let port = r[close + 1..].strip_prefix(':');
        (&r[..close], port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) if !p.is_empty() => p.parse::<u16>().ok()?,
        _ => {
            let s = if scheme.is_empty() { "http" } else { &scheme };
            default_port(s)
        }
    };
    let hostname = percent_decode(host).to_ascii_lowercase();
    let hostname = hostname.trim_end_matches('.').to_string();
    if hostname.is_empty() {
        return None;
    }
    Some(Url {
        scheme,
        hostname,
        port,
    })
}

/// `%XX` escapes decoded; invalid escapes stay as they are (lossy UTF-8).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An IPv4 address in any spelling `inet_aton` accepts: `127.0.0.1`,
/// `127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.01`.
pub fn ipv4_loose(host: &str) -> Option<Ipv4Addr> {
    if host.is_empty() || host.len() > 64 {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        nums.push(parse_num(p)?);
    }
    let last = *nums.last()?;
    let mut addr: u64 = 0;
    for (i, n) in nums[..nums.len() - 1].iter().enumerate() {
        if *n > 255 {
            return None;
        }
        addr |= n << (24 - 8 * i);
    }
    let rest_bits = 8 * (4 - (nums.len() - 1));
    if rest_bits < 64 && last >= (1u64 << rest_bits) {
        return None;
    }
    Some(Ipv4Addr::from((addr | last) as u32))
}

fn parse_num(p: &str) -> Option<u64> {
    if p.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if digits.is_empty() {
        return if radix == 16 { Some(0) } else { None };
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    (v <= u32::MAX as u64).then_some(v)
}

/// The address a host names without a DNS lookup, if it is a literal.
pub fn ip_literal(host: &str) -> Option<IpAddr> {
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    ipv4_loose(host).map(IpAddr::V4)
}

/// Where a socket-style target goes: `fsockopen("ssl://host", 443)`,
/// `stream_socket_client("tcp://host:port")`. None for `unix://`/`udg://`
/// sockets (no network).
pub fn socket_target(target: &str, port: Option<u16>) -> Option<Url> {
    let (scheme, rest) = match target.find("://") {
        Some(i) => (target[..i].to_ascii_lowercase(), &target[i + 3..]),
        None => ("tcp".to_string(), target),
    };
    if matches!(scheme.as_str(), "unix" | "udg") {
        return None;
    }
    let mut u = parse(&format!("x://{rest}"))?;
    if let Some(p) = port.filter(|p| *p != 0) {
        // fsockopen's port argument wins over one in the host string.
        u.port = p;
    } else if u.port == 0 {
        u.port = default_port(&scheme);
    }
    u.scheme = scheme;
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(u: &str) -> (String, String, u16) {
        let u = parse(u).unwrap();
        (u.scheme, u.hostname, u.port)
    }

    #[test]
    fn urls() {
        assert_eq!(
            p("http://Example.com/x"),
            ("http".into(), "example.com".into(), 80)
        );
        assert_eq!(p("https://a.b:8443"), ("https".into(), "a.b".into(), 8443));
        assert_eq!(
            p("http://user:pw@10.0.0.1:81/?q"),
            ("http".into(), "10.0.0.1".into(), 81)
        );
        assert_eq!(p("http://[::1]:8080/"), ("http".into(), "::1".into(), 8080));
        assert_eq!(p("http://[::1]/"), ("http".into(), "::1".into(), 80));
        assert_eq!(p("ftp://h/f"), ("ftp".into(), "h".into(), 21));
        assert_eq!(
            p("gopher://127.0.0.1:6379/_x"),
            ("gopher".into(), "127.0.0.1".into(), 6379)
        );
        assert_eq!(p("example.com:99/x"), ("".into(), "example.com".into(), 99));
        assert_eq!(
            p("http://evil.com\\@good.com/"),
            ("http".into(), "evil.com".into(), 80)
        );
        assert_eq!(p("http://a@b@c.com/"), ("http".into(), "c.com".into(), 80));
        assert_eq!(
            p("http://%31%32%37.0.0.1/"),
            ("http".into(), "127.0.0.1".into(), 80)
        );
        assert_eq!(
            p("http://localhost./"),
            ("http".into(), "localhost".into(), 80)
        );
        assert!(parse("http://h:99999/").is_none());
        assert!(parse("http:///x").is_none());
        assert!(parse("").is_none());
    }

    #[test]
    fn loose_ipv4() {
        let l = Ipv4Addr::new(127, 0, 0, 1);
        for s in [
            "127.0.0.1",
            "127.1",
            "2130706433",
            "0x7f000001",
            "0x7f.0.0.1",
            "0177.0.0.01",
            "127.0.1",
        ] {
            assert_eq!(ipv4_loose(s), Some(l), "{s}");
        }
        assert_eq!(ipv4_loose("0"), Some(Ipv4Addr::new(0, 0, 0, 0)));
        for s in [
            "256.0.0.1",
            "1.2.3.4.5",
            "a.b",
            "",
            "08.0.0.1",
            "4294967296",
            "1..2",
        ] {
            assert_eq!(ipv4_loose(s), None, "{s}");
        }
        assert_eq!(
            ip_literal("::ffff:127.0.0.1").map(|i| i.is_ipv6()),
            Some(true)
        );
        assert_eq!(ip_literal("example.com"), None);
    }

    #[test]
    fn sockets() {
        let u = socket_target("ssl://mail.example.com", Some(465)).unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.hostname.as_str(), u.port),
            ("ssl", "mail.example.com", 465)
        );
        let u = socket_target("tcp://127.0.0.1:6379", None).unwrap();
        assert_eq!((u.hostname.as_str(), u.port), ("127.0.0.1", 6379));
        let u = socket_target("10.1.1.1", Some(25)).unwrap();
        assert_eq!((u.scheme.as_str(), u.port), ("tcp", 25));
        assert!(socket_target("unix:///run/x.sock", None).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
            let _ = ipv4_loose(&s);
            let _ = socket_target(&s, Some(1));
        }

        #[test]
        fn dotted_quads_roundtrip(a: u8, b: u8, c: u8, d: u8) {
            let s = format!("{a}.{b}.{c}.{d}");
            prop_assert_eq!(ipv4_loose(&s), Some(Ipv4Addr::new(a, b, c, d)));
            let h = format!("http://{s}:8080/x");
            prop_assert_eq!(parse(&h).unwrap().hostname, s);
        }
    }
}
