//! Table-driven: every key of `rasp_core::config::KEYS` gets malformed in
//! every way its type allows, written nested and dotted, below a few lines
//! of comments, and `rasp config check` must name the file, the exact line,
//! the key and what is expected. A key whose type this test does not know
//! fails the test, so new keys cannot slip through untested.

use super::*;
use rasp_core::config::KEYS;

const FILE: &str = "/root/conf/rasp.yml";
/// Lines before the key, so line numbers are not trivially 1.
const PREAMBLE: &str = "# php-rasp\n\nblock.status_code: 403\n";
const PREAMBLE_LINES: usize = 3;

/// The key written nested (`a:\n  b:\n    c: v`) and the line of its value.
fn nested(key: &str, value: &str) -> (String, usize) {
    let parts: Vec<&str> = key.split('.').collect();
    let mut s = String::from(PREAMBLE);
    for (i, p) in parts.iter().enumerate() {
        let indent = "  ".repeat(i);
        if i + 1 == parts.len() {
            s.push_str(&format!("{indent}{p}: {value}\n"));
        } else {
            s.push_str(&format!("{indent}{p}:\n"));
        }
    }
    (s, PREAMBLE_LINES + parts.len())
}

fn dotted(key: &str, value: &str) -> (String, usize) {
    (format!("{PREAMBLE}{key}: {value}\n"), PREAMBLE_LINES + 1)
}

/// The problems of a text (errors only).
fn problems(text: &str) -> Vec<Problem> {
    check_config_text(FILE, text).problems
}

/// Asserts exactly one error, at `line`, naming `key`, whose message
/// contains every needle; returns its printed form.
fn expect_one(text: &str, line: usize, key: &str, needles: &[&str]) -> String {
    let ps = problems(text);
    assert_eq!(ps.len(), 1, "expected one problem for\n{text}\ngot {ps:#?}");
    let p = &ps[0];
    let shown = p.to_string();
    assert_eq!(p.line, line, "wrong line for\n{text}\n{shown}");
    assert_eq!(p.key, key, "wrong key for\n{text}\n{shown}");
    assert!(
        shown.starts_with(&format!("{FILE}:{line}: {key}: ")),
        "not `file:line: key: message`: {shown}"
    );
    for n in needles {
        assert!(shown.contains(n), "{shown:?} lacks {n:?} (text:\n{text})");
    }
    shown
}

/// Malformed values of a documented type: (value, needles in the message).
fn malformed(ty: &str) -> Option<Vec<(String, Vec<String>)>> {
    if let Some(range) = ty.strip_prefix("integer ") {
        let (lo, hi) = range.split_once('-')?;
        let (lo, hi): (i64, i64) = (lo.parse().ok()?, hi.parse().ok()?);
        let between = format!("between {lo} and {hi}");
        let mut cases = vec![
            (
                "abc".to_string(),
                vec![
                    format!("must be an integer {between}"),
                    "got a string".into(),
                ],
            ),
            (
                "1.5".to_string(),
                vec![
                    format!("must be an integer {between}"),
                    "got a number".into(),
                ],
            ),
            (
                "true".to_string(),
                vec![
                    format!("must be an integer {between}"),
                    "got a boolean".into(),
                ],
            ),
            (
                "[1]".to_string(),
                vec![format!("must be an integer {between}"), "got a list".into()],
            ),
            (
                (hi + 1).to_string(),
                vec![format!("must be {between}, got {}", hi + 1)],
            ),
        ];
        if lo > i64::MIN {
            cases.push((
                (lo - 1).to_string(),
                vec![format!("must be {between}, got {}", lo - 1)],
            ));
        }
        return Some(cases);
    }
    match ty {
        "boolean" => Some(vec![
            (
                "maybe".into(),
                vec!["must be true or false".into(), "got a string".into()],
            ),
            (
                "1".into(),
                vec!["must be true or false".into(), "got an integer".into()],
            ),
            (
                "{a: 1}".into(),
                vec!["must be true or false".into(), "got a mapping".into()],
            ),
        ]),
        "string" => Some(vec![
            (
                "[1, 2]".into(),
                vec!["must be a string".into(), "got a list".into()],
            ),
            (
                "{a: 1}".into(),
                vec!["must be a string".into(), "got a mapping".into()],
            ),
        ]),
        "mapping" => Some(vec![
            ("5".into(), vec!["mapping".into(), "got an integer".into()]),
            ("text".into(), vec!["mapping".into(), "got a string".into()]),
            ("[a, b]".into(), vec!["mapping".into(), "got a list".into()]),
        ]),
        _ if ty.starts_with("list of ") => Some(vec![
            (
                "5".into(),
                vec!["must be a list".into(), "got an integer".into()],
            ),
            (
                "text".into(),
                vec!["must be a list".into(), "got a string".into()],
            ),
            (
                "{a: 1}".into(),
                vec!["must be a list".into(), "got a mapping".into()],
            ),
            (
                "[a, [b]]".into(),
                vec!["list items must be strings".into(), "got a list".into()],
            ),
        ]),
        _ if ty.contains(" | ") => {
            let alts: Vec<String> = ty.split(" | ").map(|a| a.trim().to_string()).collect();
            let mut needles = alts.clone();
            needles.push("bogus".into());
            Some(vec![("bogus".into(), needles)])
        }
        _ => None,
    }
}

#[test]
fn every_key_malformed_gives_line_key_and_expectation() {
    let mut checked = 0;
    for k in KEYS {
        let Some(cases) = malformed(k.ty) else {
            panic!(
                "rasp.yml key `{}` has type `{}`, which this table-driven test does not know: \
                 add its malformed values to `malformed()` in crates/rasp-cli/src/config_check/tests.rs",
                k.key, k.ty
            );
        };
        for (value, needles) in cases {
            let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
            for (text, line) in [nested(k.key, &value), dotted(k.key, &value)] {
                // `whitelist: text` is read as a mapping error on the key itself.
                expect_one(&text, line, k.key, &needles);
                checked += 1;
            }
        }
    }
    assert!(checked >= KEYS.len() * 2, "{checked}");
}

#[test]
fn every_documented_default_is_accepted() {
    for k in KEYS {
        let literal = match k.default {
            d if d.starts_with("built-in")
                || d.starts_with("a built-in")
                || d.starts_with("see ") =>
            {
                continue
            }
            d => d,
        };
        for (text, _) in [nested(k.key, literal), dotted(k.key, literal)] {
            let ps = problems(&text);
            assert!(
                ps.is_empty(),
                "the documented default of {} is rejected:\n{text}\n{ps:#?}",
                k.key
            );
        }
    }
}

/// A key with one letter dropped, written dotted and nested, is unknown and
/// the message suggests the real key.
#[test]
fn every_key_misspelt_suggests_the_key() {
    for k in KEYS {
        let mut typo = k.key.to_string();
        typo.pop();
        let (text, line) = dotted(&typo, "1");
        expect_one(
            &text,
            line,
            &typo,
            &["unknown key", &format!("did you mean `{}`?", k.key)],
        );
        if k.key.contains('.') {
            let (text, line) = nested(&typo, "1");
            let shown = problems(&text);
            assert_eq!(shown.len(), 1, "{text}\n{shown:#?}");
            assert_eq!(shown[0].line, line, "{text}\n{shown:#?}");
            assert!(
                shown[0]
                    .message
                    .contains(&format!("did you mean `{}`", k.key)),
                "{:?}",
                shown[0]
            );
        }
    }
}

#[test]
fn unknown_keys_and_syntax_errors() {
    expect_one(
        &format!("{PREAMBLE}colour: red\n"),
        4,
        "colour",
        &["unknown key"],
    );
    expect_one(
        &format!("{PREAMBLE}plugin:\n  timout:\n    millis: 5\n"),
        5,
        "plugin.timout",
        &["unknown key", "did you mean `plugin.timeout.millis`"],
    );
    let p = problems(&format!("{PREAMBLE}block:\n  status_code: [unclosed\n"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].message.contains("YAML syntax error") && p[0].line >= 5,
        "{:?}",
        p[0]
    );
    assert!(
        p[0].to_string()
            .starts_with(&format!("{FILE}:{}: YAML syntax error", p[0].line)),
        "{}",
        p[0]
    );
    // All problems at once, in file order.
    let p = problems("block.status_code: 1\nplugin.heap.mb: 1\nnope: 1\n");
    assert_eq!(
        p.iter().map(|p| p.line).collect::<Vec<_>>(),
        [1, 2, 3],
        "{p:#?}"
    );
    // Specific string validations.
    expect_one(
        &format!("{PREAMBLE}block.redirect_url: javascript:alert(1)\n"),
        4,
        "block.redirect_url",
        &["absolute http(s) URL"],
    );
    expect_one(
        &format!("{PREAMBLE}clientip.header: 'X Forwarded'\n"),
        4,
        "clientip.header",
        &["not a header name"],
    );
    expect_one(
        &format!("{PREAMBLE}request_id.header: 'X_Id'\n"),
        4,
        "request_id.header",
        &["not a header name"],
    );
}

#[test]
fn whitelist_errors_name_the_pattern_line() {
    let text = format!("{PREAMBLE}whitelist:\n  'example.com/ok/': [sql]\n  'https://example.com/admin/': [sql]\n  '/api/*': all\n");
    let p = problems(&text);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(
        (p[0].line, p[0].key.as_str()),
        (6, "whitelist.\"https://example.com/admin/\""),
        "{:?}",
        p[0]
    );
    assert!(p[0].message.contains("example.com/admin/"), "{}", p[0]);
    assert_eq!(
        (p[1].line, p[1].key.as_str()),
        (7, "whitelist.\"/api/*\""),
        "{:?}",
        p[1]
    );
    assert!(p[1].message.contains("/api/"), "{}", p[1]);
    expect_one(
        &format!("{PREAMBLE}whitelist:\n  'a.com/': [sql, nope]\n"),
        5,
        "whitelist.\"a.com/\"",
        &["unknown check type `nope`"],
    );
    expect_one(
        &format!("{PREAMBLE}whitelist:\n  'a.com/': 5\n"),
        5,
        "whitelist.\"a.com/\"",
        &["list of check types"],
    );
    let ok = check_config_text(
        FILE,
        &format!("{PREAMBLE}whitelist:\n  'a.com/x/': [sql]\n  '*': [xss_echo]\n"),
    );
    assert!(ok.problems.is_empty(), "{:#?}", ok.problems);
    assert_eq!(ok.summary.whitelist_patterns, 2);
}

#[test]
fn log_errors_name_the_key_and_line() {
    // validate(): the key rasp-log names, the line looked up in the tree.
    expect_one(
        &format!("{PREAMBLE}log:\n  keep_days: 0\n"),
        5,
        "log.keep_days",
        &["at least 1"],
    );
    expect_one(
        &format!("{PREAMBLE}log:\n  rate_limit:\n    alarm: {{burst: 5, per_second: -1}}\n"),
        6,
        "log.rate_limit.alarm.per_second",
        &["must be a number >= 0"],
    );
    // from_json: unknown field and wrong type; the whole section falls back.
    let s = expect_one(
        &format!("{PREAMBLE}log:\n  utc: false\n  keep_dayz: 3\n"),
        6,
        "log.keep_dayz",
        &["unknown field `keep_dayz`", "default log settings"],
    );
    assert!(s.contains("keep_days"), "names the expected fields: {s}");
    expect_one(
        &format!("{PREAMBLE}log:\n  keep_days: many\n"),
        5,
        "log.keep_days",
        &["invalid type"],
    );
    // Sinks: each sink on its own, the key with its index.
    let text = format!(
        "{PREAMBLE}log:\n  sinks:\n    - name: siem\n      url: tcp://10.0.0.5:514\n    - name: bad\n      url: http://x:1\n      facility: local9\n"
    );
    let p = problems(&text);
    assert_eq!(
        p.len(),
        1,
        "a sink that fails to parse reports its first problem: {p:#?}"
    );
    assert!(p[0].key.starts_with("log.sinks[1]"), "{:?}", p[0]);
    assert!(
        p[0].line == 8 || p[0].line == 10 || p[0].line == 9,
        "{:?}",
        p[0]
    );
    assert!(p[0].message.contains("sink is not started"), "{}", p[0]);
    let text = format!("{PREAMBLE}log:\n  sinks:\n    - name: a\n      url: http://x:1\n");
    expect_one(
        &text,
        7,
        "log.sinks[0].url",
        &["unsupported scheme", "tcp://host:port"],
    );
    let text = format!(
        "{PREAMBLE}log:\n  sinks:\n    - name: a\n      url: udp://x:1\n      facility: local9\n"
    );
    expect_one(&text, 8, "log.sinks[0].facility", &["local9", "0-23"]);
    let text = format!("{PREAMBLE}log:\n  sinks:\n    - {{name: a, url: 'udp://x:1'}}\n    - {{name: a, url: 'udp://y:1'}}\n");
    expect_one(&text, 7, "log.sinks[1].name", &["duplicate sink name"]);
    let ok = check_config_text(FILE, &format!("{PREAMBLE}log:\n  keep_days: 3\n  sinks:\n    - {{name: a, url: 'tcp://127.0.0.1:514'}}\n"));
    assert!(ok.problems.is_empty(), "{:#?}", ok.problems);
    assert_eq!(ok.summary.log_sinks, 1);
}

#[test]
fn key_segments_and_lines() {
    assert_eq!(
        key_segments("log.sinks[0].url"),
        ["log", "sinks", "[0]", "url"]
    );
    assert_eq!(
        key_segments("log.rate_limit.alarm.burst"),
        ["log", "rate_limit", "alarm", "burst"]
    );
    let root =
        rasp_core::config::yaml::parse("log:\n  sinks:\n    - name: a\n      url: b\n").unwrap();
    let Value::Map(m) = &root.value else { panic!() };
    let log = &m[0].1;
    assert_eq!(line_of_log_key(log, "log.sinks[0].url"), 4);
    assert_eq!(line_of_log_key(log, "log.sinks[0].nothing"), 3);
    // A missing list item is reported at the list's key.
    assert_eq!(line_of_log_key(log, "log.sinks[5]"), 2);
}

#[test]
fn plugin_errors_are_located() {
    let files = vec!["/r/plugins/a.js".to_string(), "/r/plugins/b.js".to_string()];
    // A syntax error: the location comes first.
    let p = plugin_problem(
        &files,
        "/r/plugins",
        "/r/plugins/b.js:3:28: Uncaught SyntaxError: Unexpected token ';'",
    );
    assert_eq!(
        p.to_string(),
        "/r/plugins/b.js:3:28: Uncaught SyntaxError: Unexpected token ';'"
    );
    // An exception at load: thrown inside the runtime, located by the stack.
    let p = plugin_problem(
        &files,
        "/r/plugins",
        "rasp:runtime.js:87:9: Uncaught TypeError: x: register(): unknown check type \"sqll\"\n    at register (rasp:runtime.js:87:15)\n    at <anonymous> (/r/plugins/a.js:2:3)",
    );
    assert_eq!(
        p.to_string(),
        "/r/plugins/a.js:2:3: Uncaught TypeError: x: register(): unknown check type \"sqll\""
    );
    let p = plugin_problem(&files, "/r/plugins", "something else went wrong");
    assert_eq!(p.to_string(), "/r/plugins: something else went wrong");
    let p = plugin_problem(&files, "/r/plugins", "/r/plugins/a.js is odd");
    assert_eq!(p.to_string(), "/r/plugins/a.js: /r/plugins/a.js is odd");
}

/// A value written as a block list or mapping starts on the line after its
/// key; the problem is still reported at the key's line.
#[test]
fn block_values_are_reported_at_the_key_line() {
    for k in KEYS {
        let block = if k.ty.starts_with("list of ") {
            "x: 1"
        } else {
            "- 1"
        };
        let parts: Vec<&str> = k.key.split('.').collect();
        let mut text = String::from(PREAMBLE);
        for (i, p) in parts.iter().enumerate() {
            text.push_str(&format!("{}{p}:\n", "  ".repeat(i)));
        }
        text.push_str(&format!("{}{block}\n", "  ".repeat(parts.len())));
        let ps = problems(&text);
        assert_eq!(ps.len(), 1, "{text}\n{ps:#?}");
        assert_eq!(
            (ps[0].line, ps[0].key.as_str()),
            (PREAMBLE_LINES + parts.len(), k.key),
            "{text}\n{}",
            ps[0]
        );
        // Dotted, with the block below.
        let text = format!("{PREAMBLE}{}:\n  {block}\n", k.key);
        let ps = problems(&text);
        assert_eq!(ps.len(), 1, "{text}\n{ps:#?}");
        assert_eq!(
            (ps[0].line, ps[0].key.as_str()),
            (PREAMBLE_LINES + 1, k.key),
            "{text}\n{}",
            ps[0]
        );
    }
    // Whitelist entries too.
    let text = format!("{PREAMBLE}whitelist:\n  'a.com/':\n    - sql\n    - nope\n");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].line, 5, "{}", ps[0]);
}

/// A file wrong in several sections reports all of them, in line order.
#[test]
fn all_sections_at_once() {
    let text = "plugin:\n  timeout:\n    milis: 250\nwhitelist:\n  'https://a.com/': [sql]\nlog:\n  keep_days: 0\n";
    let p = problems(text);
    let got: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.key.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "plugin.timeout.milis"),
            (5, "whitelist.\"https://a.com/\""),
            (7, "log.keep_days")
        ],
        "{p:#?}"
    );
}
