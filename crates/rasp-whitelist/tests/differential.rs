//! Random whitelists and requests: the zero-copy trie against an
//! independent naive model and against daachorse.

mod support;

use proptest::prelude::*;
use rasp_core::CheckTypeSet;
use rasp_whitelist::{Whitelist, WhitelistView};

/// Hosts that collide after normalization, and near misses.
const HOSTS: &[&str] = &[
    "a.io",
    "A.IO",
    "a.io.",
    "a.io:80",
    "a.io:443",
    "a.io:8080",
    "a.io:08080",
    "ab.io",
    "a.iox",
    "b.io",
];

/// Small alphabet so that prefixes collide often; `.` and `?` exercise dot
/// segments and query stripping in requests.
fn path_chars(with_specials: bool) -> impl Strategy<Value = String> {
    let chars: &'static [char] = if with_specials {
        &['a', 'b', '/', '.', '?']
    } else {
        &['a', 'b', '/']
    };
    prop::collection::vec(prop::sample::select(chars), 0..7).prop_map(|v| v.into_iter().collect())
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("*".to_string()),
        3 => path_chars(false).prop_map(|p| format!("/{}", p.trim_start_matches('/'))),
        3 => prop::sample::select(HOSTS).prop_map(String::from),
        6 => (prop::sample::select(HOSTS), path_chars(false)).prop_map(|(h, p)| format!("{h}/{p}")),
    ]
}

fn types() -> impl Strategy<Value = CheckTypeSet> {
    (0u64..1 << 28).prop_map(CheckTypeSet)
}

/// The model, written from the documented semantics without the crate's
/// normalization code: canonical host, then `starts_with`.
mod model {
    pub fn host(h: &str) -> Option<String> {
        let (name, port) = match h.split_once(':') {
            Some((n, p)) => (n, p.trim_start_matches('0')),
            None => (h, ""),
        };
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        if name.is_empty() {
            return None;
        }
        Some(match port {
            "" | "80" | "443" => name,
            p => format!("{name}:{p}"),
        })
    }

    pub fn pattern(p: &str) -> String {
        if p == "*" {
            return String::new();
        }
        if p.starts_with('/') {
            return p.to_string();
        }
        let (h, path) = match p.find('/') {
            Some(i) => (&p[..i], &p[i..]),
            None => (p, "/"),
        };
        format!("{}{path}", host(h).unwrap())
    }

    pub fn path(p: &str) -> String {
        let p = p.split('?').next().unwrap();
        let p = if p.split('/').any(|seg| seg == "..") {
            "/"
        } else {
            p
        };
        if p.starts_with('/') {
            p.to_string()
        } else {
            format!("/{p}")
        }
    }

    pub fn lookup(patterns: &[(String, u64)], host: &str, path: &str) -> u64 {
        let path = self::path(path);
        let host_key = self::host(host).map(|h| format!("{h}{path}"));
        let mut bits = 0;
        for (p, b) in patterns {
            let key = pattern(p);
            let hit = key.is_empty()
                || if key.starts_with('/') {
                    path.starts_with(&key)
                } else {
                    host_key.as_deref().is_some_and(|k| k.starts_with(&key))
                };
            if hit {
                bits |= b;
            }
        }
        bits
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn matches_the_model_and_daachorse(
        entries in prop::collection::vec((pattern(), types()), 0..40),
        requests in prop::collection::vec((prop::sample::select(HOSTS), path_chars(true)), 1..30),
    ) {
        let wl = Whitelist::build(entries.iter().map(|(p, t)| (p.as_str(), *t))).unwrap();
        let bytes = wl.to_bytes();
        let view = WhitelistView::new(&bytes).unwrap();
        let daac = support::Daac::build(&wl);
        let model_entries: Vec<(String, u64)> = entries.iter().map(|(p, t)| (p.clone(), t.0)).collect();
        for (host, path) in &requests {
            for path in [path.clone(), format!("/{path}")] {
                let got = view.lookup(host, &path);
                prop_assert_eq!(got.0, model::lookup(&model_entries, host, &path), "model: {} {}", host, path);
                prop_assert_eq!(got, daac.lookup(host, &path), "daachorse: {} {}", host, path);
            }
        }
    }

    /// Arbitrary strings as requests (non-ASCII, control bytes, junk hosts):
    /// same answer as the naive scan over the canonical patterns.
    #[test]
    fn arbitrary_requests_match_naive(
        entries in prop::collection::vec((pattern(), types()), 0..20),
        requests in prop::collection::vec((".{0,12}", ".{0,24}"), 1..20),
    ) {
        let wl = Whitelist::build(entries.iter().map(|(p, t)| (p.as_str(), *t))).unwrap();
        let daac = support::Daac::build(&wl);
        for (host, path) in &requests {
            let got = wl.lookup(host, path);
            prop_assert_eq!(got, wl.view().lookup_bytes(host.as_bytes(), path.as_bytes()));
            prop_assert_eq!(got, support::naive(&wl, host, path));
            prop_assert_eq!(got, daac.lookup(host, path));
        }
    }

    /// Arbitrary pattern strings: either a clear error naming the pattern,
    /// or a whitelist in which the pattern matches a request for itself.
    #[test]
    fn arbitrary_patterns_error_or_self_match(p in "[a-zA-Z0-9/.:%?#*@ \\[\\]_-]{0,16}") {
        match Whitelist::build([(p.as_str(), CheckTypeSet::all())]) {
            Err(e) => {
                prop_assert_eq!(e.pattern(), Some(p.as_str()));
                let msg = e.to_string();
                let prefix = format!("whitelist pattern `{p}`: ");
                prop_assert!(msg.starts_with(&prefix), "{}", msg);
            }
            Ok(wl) => {
                let (canon, _) = wl.patterns().next().unwrap();
                let (host, path) = match canon.find('/') {
                    _ if canon == "*" => ("h", "/"),
                    Some(0) => ("h", canon),
                    Some(i) => (&canon[..i], &canon[i..]),
                    None => (canon, "/"),
                };
                prop_assert_eq!(wl.lookup(host, path), CheckTypeSet::all(), "{} -> {}", p, canon);
            }
        }
    }
}
