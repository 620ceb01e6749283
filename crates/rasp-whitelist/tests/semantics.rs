//! What a whitelist matches, end to end through the serialized bytes.

mod support;

use rasp_core::{CheckType, CheckTypeSet};
use rasp_whitelist::{ErrorKind, RequestKey, Whitelist, WhitelistBuilder, WhitelistView};

fn set(names: &[&str]) -> CheckTypeSet {
    CheckTypeSet::from_names(names.iter().copied()).unwrap()
}

fn wl(entries: &[(&str, &[&str])]) -> Whitelist {
    Whitelist::build(entries.iter().map(|(p, n)| (*p, set(n)))).unwrap_or_else(|e| panic!("{e}"))
}

/// Looks up through freshly validated bytes, and checks that the view, the
/// whitelist, the naive reference and the daachorse oracle all agree.
fn look(wl: &Whitelist, host: &str, path: &str) -> CheckTypeSet {
    let bytes = wl.to_bytes();
    let view = WhitelistView::new(&bytes).unwrap();
    let got = view.lookup(host, path);
    assert_eq!(
        got,
        wl.lookup(host, path),
        "whitelist vs view for {host} {path}"
    );
    assert_eq!(
        got,
        support::naive(wl, host, path),
        "naive for {host} {path}"
    );
    assert_eq!(
        got,
        support::Daac::build(wl).lookup(host, path),
        "daachorse for {host} {path}"
    );
    got
}

#[test]
fn the_example_from_the_docs() {
    let w = wl(&[
        ("example.com/admin/", &["sql", "command"]),
        ("api.example.com/health", &["all"]),
        ("/static/", &["readFile"]),
        ("*", &["xss_echo"]),
    ]);
    assert_eq!(
        look(&w, "example.com", "/admin/users.php"),
        set(&["sql", "command", "xss_echo"])
    );
    assert_eq!(look(&w, "example.com", "/admin"), set(&["xss_echo"]));
    assert_eq!(look(&w, "api.example.com", "/health"), CheckTypeSet::all());
    assert_eq!(
        look(&w, "api.example.com", "/healthz?x=1"),
        CheckTypeSet::all()
    );
    assert_eq!(look(&w, "api.example.com", "/Health"), set(&["xss_echo"]));
    assert_eq!(
        look(&w, "other.org", "/static/a.css"),
        set(&["readFile", "xss_echo"])
    );
    assert_eq!(
        look(&w, "", "/static/a.css"),
        set(&["readFile", "xss_echo"])
    );
    assert_eq!(
        look(&w, "example.com", "/static/x"),
        set(&["readFile", "xss_echo"])
    );
    assert_eq!(look(&w, "other.org", "/"), set(&["xss_echo"]));
}

#[test]
fn prefixes_are_byte_prefixes() {
    let w = wl(&[
        ("example.com/api", &["sql"]),
        ("example.com/api/v2/", &["command"]),
    ]);
    assert_eq!(look(&w, "example.com", "/api"), set(&["sql"]));
    assert_eq!(look(&w, "example.com", "/apix"), set(&["sql"]));
    assert_eq!(look(&w, "example.com", "/api/v2"), set(&["sql"]));
    assert_eq!(
        look(&w, "example.com", "/api/v2/"),
        set(&["sql", "command"])
    );
    assert_eq!(
        look(&w, "example.com", "/api/v2/x/y"),
        set(&["sql", "command"])
    );
    assert_eq!(look(&w, "example.com", "/ap"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "example.com", "/"), CheckTypeSet::EMPTY);
}

#[test]
fn host_only_pattern_means_every_path_of_that_host_only() {
    let w = wl(&[("example.com", &["sql"])]);
    assert_eq!(look(&w, "example.com", "/anything/at/all"), set(&["sql"]));
    assert_eq!(look(&w, "example.com", "/"), set(&["sql"]));
    assert_eq!(look(&w, "example.com", ""), set(&["sql"]));
    assert_eq!(look(&w, "example.company.com", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "example.com.evil.org", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "sub.example.com", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "example.co", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "example.com:8080", "/"), CheckTypeSet::EMPTY);
}

#[test]
fn star_matches_everything_including_no_host() {
    let w = wl(&[("*", &["xss_echo", "sql"])]);
    for (h, p) in [
        ("a.b", "/"),
        ("", ""),
        ("bad host", "x"),
        ("A.B:81", "/q?x"),
    ] {
        assert_eq!(look(&w, h, p), set(&["xss_echo", "sql"]));
    }
}

#[test]
fn path_only_patterns_match_on_any_host() {
    let w = wl(&[("/static/", &["readFile"]), ("/", &["ssrf"])]);
    assert_eq!(
        look(&w, "a.com", "/static/x.js"),
        set(&["readFile", "ssrf"])
    );
    assert_eq!(
        look(&w, "b.com:8443", "/static/"),
        set(&["readFile", "ssrf"])
    );
    assert_eq!(look(&w, "b.com", "/Static/"), set(&["ssrf"]));
    assert_eq!(look(&w, "b.com", "/x/static/"), set(&["ssrf"]));
    // A host pattern spelled like a path never matches a path key, and a
    // path pattern never matches the host part.
    let w = wl(&[("/example.com/", &["sql"])]);
    assert_eq!(look(&w, "example.com", "/x"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "a", "/example.com/x"), set(&["sql"]));
}

#[test]
fn each_type_keeps_its_own_bit() {
    let mut b = WhitelistBuilder::new();
    for (i, t) in CheckType::ALL.iter().enumerate() {
        b.add(&format!("h.com/{i}/"), [*t].into_iter().collect())
            .unwrap();
    }
    let w = b.build().unwrap();
    for (i, t) in CheckType::ALL.iter().enumerate() {
        let got = look(&w, "h.com", &format!("/{i}/x"));
        assert_eq!(got.iter().collect::<Vec<_>>(), vec![*t]);
        assert!(got.contains(*t));
    }
}

#[test]
fn several_matching_prefixes_are_united() {
    let w = wl(&[
        ("*", &["xss_echo"]),
        ("/", &["xss_userinput"]),
        ("/a", &["sql"]),
        ("h.com", &["command"]),
        ("h.com/a", &["readFile"]),
        ("h.com/a/b/", &["writeFile"]),
        ("h.com/a/b/c", &["eval"]),
        ("h.com/z", &["ssrf"]),
    ]);
    assert_eq!(
        look(&w, "h.com", "/a/b/cd"),
        set(&[
            "xss_echo",
            "xss_userinput",
            "sql",
            "command",
            "readFile",
            "writeFile",
            "eval"
        ])
    );
    assert_eq!(
        look(&w, "h.com", "/a/b"),
        set(&["xss_echo", "xss_userinput", "sql", "command", "readFile"])
    );
    assert_eq!(
        look(&w, "x.com", "/a/b"),
        set(&["xss_echo", "xss_userinput", "sql"])
    );
}

#[test]
fn hosts_are_case_insensitive_paths_are_not() {
    let w = wl(&[("Example.COM/Admin/", &["sql"])]);
    assert_eq!(look(&w, "example.com", "/Admin/x"), set(&["sql"]));
    assert_eq!(look(&w, "EXAMPLE.com", "/Admin/x"), set(&["sql"]));
    assert_eq!(look(&w, "example.com", "/admin/x"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "example.com", "/ADMIN/x"), CheckTypeSet::EMPTY);
    assert_eq!(w.patterns().next().unwrap().0, "example.com/Admin/");
}

#[test]
fn default_ports_and_trailing_dots() {
    let w = wl(&[
        ("a.com", &["sql"]),
        ("b.com:8080/", &["command"]),
        ("c.com.:443/x", &["eval"]),
    ]);
    for host in [
        "a.com",
        "a.com:80",
        "a.com:443",
        "A.com.",
        "a.com.:80",
        "a.com:",
    ] {
        assert_eq!(look(&w, host, "/"), set(&["sql"]), "{host}");
    }
    assert_eq!(look(&w, "a.com:8080", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "b.com:8080", "/y"), set(&["command"]));
    assert_eq!(look(&w, "b.com.:08080", "/y"), set(&["command"]));
    assert_eq!(look(&w, "b.com", "/y"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "b.com:808", "/y"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "c.com", "/x"), set(&["eval"]));
    assert_eq!(look(&w, "c.com:80", "/x"), set(&["eval"]));
}

#[test]
fn ipv6_hosts() {
    let w = wl(&[("[::1]:8080/a", &["sql"]), ("[2001:DB8::1]", &["eval"])]);
    assert_eq!(look(&w, "[::1]:8080", "/ab"), set(&["sql"]));
    assert_eq!(look(&w, "[::1]", "/ab"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "[2001:db8::1]:443", "/"), set(&["eval"]));
}

#[test]
fn empty_path_query_and_percent_encoding() {
    let w = wl(&[
        ("h.com/", &["sql"]),
        ("h.com/a%2Fb/", &["eval"]),
        ("/caf\u{e9}/", &["ssrf"]),
    ]);
    assert_eq!(look(&w, "h.com", ""), set(&["sql"]));
    assert_eq!(look(&w, "h.com", "?x=/a%2Fb/"), set(&["sql"]));
    assert_eq!(look(&w, "h.com", "/a%2Fb/c"), set(&["sql", "eval"]));
    // Raw path: no decoding in either direction, and the case of hex digits
    // matters like any other byte.
    assert_eq!(look(&w, "h.com", "/a/b/c"), set(&["sql"]));
    assert_eq!(look(&w, "h.com", "/a%2fb/c"), set(&["sql"]));
    assert_eq!(look(&w, "h.com", "/%61%2Fb/c"), set(&["sql"]));
    assert_eq!(look(&w, "x", "/caf\u{e9}/menu"), set(&["ssrf"]));
    assert_eq!(look(&w, "x", "/caf%C3%A9/menu"), CheckTypeSet::EMPTY);
}

#[test]
fn raw_path_bytes_need_not_be_utf8() {
    let w = wl(&[("h.com/a/", &["sql"]), ("/caf\u{e9}", &["eval"])]);
    let bytes = w.to_bytes();
    let view = WhitelistView::new(&bytes).unwrap();
    assert_eq!(view.lookup_bytes(b"h.com", b"/a/\xff\x00"), set(&["sql"]));
    assert_eq!(view.lookup_bytes(b"h.com", b"/b/\xff"), CheckTypeSet::EMPTY);
    // Raw UTF-8 bytes match a pattern written with the same character;
    // Latin-1 bytes for the same character do not.
    assert_eq!(view.lookup_bytes(b"x", b"/caf\xc3\xa9/"), set(&["eval"]));
    assert_eq!(view.lookup_bytes(b"x", b"/caf\xe9/"), CheckTypeSet::EMPTY);
    assert_eq!(
        view.lookup_bytes(b"h.com", b"/a/x?q"),
        view.lookup("h.com", "/a/x?q")
    );
}

#[test]
fn dot_dot_segments_fall_back_to_host_wide_patterns() {
    let w = wl(&[
        ("h.com", &["sql"]),
        ("h.com/static/", &["readFile"]),
        ("/static/", &["eval"]),
        ("/", &["ssrf"]),
    ]);
    assert_eq!(
        look(&w, "h.com", "/static/x.css"),
        set(&["sql", "readFile", "eval", "ssrf"])
    );
    for path in [
        "/static/../upload.php",
        "/static/%2e%2e/upload.php",
        "/static/..%2fupload.php",
        "/static/..",
    ] {
        assert_eq!(look(&w, "h.com", path), set(&["sql", "ssrf"]), "{path}");
    }
    assert_eq!(
        look(&w, "h.com", "/static/..x/y"),
        set(&["sql", "readFile", "eval", "ssrf"])
    );
}

#[test]
fn malformed_hosts_only_get_path_patterns() {
    let w = wl(&[
        ("h.com", &["sql"]),
        ("h.com/admin/", &["command"]),
        ("/x/", &["eval"]),
    ]);
    // A Host header carrying a path must not select h.com/admin/ for /x/.
    assert_eq!(look(&w, "h.com/admin", "/x/y"), set(&["eval"]));
    assert_eq!(look(&w, "h.com:http", "/x/y"), set(&["eval"]));
    assert_eq!(look(&w, "user@h.com", "/"), CheckTypeSet::EMPTY);
}

#[test]
fn duplicates_are_merged_with_or() {
    let w = wl(&[
        ("example.com/a", &["sql"]),
        ("EXAMPLE.com:80/a", &["command"]),
        ("example.com./a", &["sql", "eval"]),
        ("example.com/b", &[]),
    ]);
    assert_eq!(w.len(), 2);
    assert_eq!(
        look(&w, "example.com", "/a"),
        set(&["sql", "command", "eval"])
    );
    assert_eq!(look(&w, "example.com", "/b"), CheckTypeSet::EMPTY);
    let listed: Vec<_> = w.patterns().collect();
    assert_eq!(
        listed,
        vec![
            ("example.com/a", set(&["sql", "command", "eval"])),
            ("example.com/b", CheckTypeSet::EMPTY)
        ]
    );
    // Order does not matter.
    let w2 = wl(&[
        ("example.com./a", &["sql", "eval"]),
        ("example.com/b", &[]),
        ("EXAMPLE.com:80/a", &["command"]),
        ("example.com/a", &["sql"]),
    ]);
    assert_eq!(w.to_bytes(), w2.to_bytes());
}

#[test]
fn empty_whitelist_matches_nothing() {
    let w = Whitelist::build([]).unwrap();
    assert!(w.is_empty());
    assert_eq!(look(&w, "a.com", "/"), CheckTypeSet::EMPTY);
    assert_eq!(look(&w, "", ""), CheckTypeSet::EMPTY);
    let view = WhitelistView::new(w.as_bytes()).unwrap();
    assert_eq!(view.pattern_count(), 0);
    assert!(view.node_count() >= 1);
}

#[test]
fn errors_name_the_pattern() {
    let err = Whitelist::build([
        ("ok.com", CheckTypeSet::all()),
        ("https://bad.com/x", CheckTypeSet::all()),
    ])
    .unwrap_err();
    assert_eq!(err.pattern(), Some("https://bad.com/x"));
    assert!(matches!(err.kind(), ErrorKind::Scheme { suggestion } if suggestion == "bad.com/x"));
    assert_eq!(
        err.to_string(),
        "whitelist pattern `https://bad.com/x`: patterns must not include a scheme (whitelisting \
         applies to http and https alike); remove it and write `bad.com/x`"
    );
    let mut b = WhitelistBuilder::new();
    assert!(b
        .add("", CheckTypeSet::all())
        .unwrap_err()
        .to_string()
        .contains("write `*`"));
    assert!(b.add("a.com/x?y", CheckTypeSet::all()).is_err());
    assert!(b.is_empty(), "failed adds leave the builder unchanged");
}

#[test]
fn round_trip_through_bytes_with_padding() {
    let w = wl(&[("a.com/x", &["sql"]), ("/y", &["eval"])]);
    let mut bytes = w.to_bytes();
    assert_eq!(&bytes[..8], &rasp_whitelist::MAGIC);
    bytes.resize(bytes.len().next_multiple_of(4096), 0xAA);
    let view = WhitelistView::new(&bytes).unwrap();
    assert_eq!(view.lookup("a.com", "/xyz"), set(&["sql"]));
    assert_eq!(view.lookup("b.com", "/y"), set(&["eval"]));
    assert_eq!(view.pattern_count(), 2);
    let key = RequestKey::new("A.com:80", "/x?q");
    assert_eq!(key.to_string(), "a.com/x");
    assert_eq!(view.lookup_key(&key), set(&["sql"]));
}

#[test]
fn long_patterns_do_not_recurse() {
    let long = format!("/{}", "a".repeat(200_000));
    let w = Whitelist::build([(long.as_str(), set(&["sql"]))]).unwrap();
    assert_eq!(w.lookup("h", &format!("{long}/x")), set(&["sql"]));
    assert_eq!(w.lookup("h", &long[..long.len() - 1]), CheckTypeSet::EMPTY);
}

#[test]
fn hundred_thousand_prefixes() {
    let pats = support::patterns(100_000, 7);
    let w = Whitelist::build(pats.iter().map(|(p, s)| (p.as_str(), *s))).unwrap();
    assert!(w.len() > 90_000, "{}", w.len());
    let bytes = w.to_bytes();
    let view = WhitelistView::new(&bytes).unwrap();
    let daac = support::Daac::build(&w);
    let reqs = support::requests(&pats, 2_000, 7);
    let mut hits = 0;
    for (i, (h, p)) in reqs.iter().enumerate() {
        let got = view.lookup(h, p);
        assert_eq!(got, daac.lookup(h, p), "{h} {p}");
        if i % 20 == 0 {
            assert_eq!(got, support::naive(&w, h, p), "{h} {p}");
        }
        hits += usize::from(!got.is_empty());
    }
    assert!(hits > 500, "{hits}");
    // Every pattern matches itself.
    for (p, s) in w.patterns().step_by(97) {
        let (host, path) = match p.find('/') {
            Some(0) => ("zz.test", p),
            Some(i) => (&p[..i], &p[i..]),
            None => (p, "/"),
        };
        assert_eq!(view.lookup(host, path).0 & s.0, s.0, "{p}");
    }
}
