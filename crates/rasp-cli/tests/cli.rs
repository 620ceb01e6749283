//! `rasp` as a user runs it: exit codes, messages, and `plugin test` on a
//! small plugin with passing and failing fixtures.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

fn rasp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rasp"))
        .args(args)
        .output()
        .expect("rasp runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rasp-cli-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(d.join("plugins")).unwrap();
    fs::create_dir_all(d.join("tests")).unwrap();
    d
}

const PLUGIN: &str = r#"
const plugin = new RASP('t');
plugin.algorithmConfig = { word: { action: 'block' } };
plugin.register('command', function (params, context) {
  const v = (context.parameter.v || [])[0];
  if (v && params.command.indexOf(v) >= 0 && v.indexOf(';') >= 0)
    return { action: plugin.algorithmConfig.word.action, message: 'semicolon from v', algorithm: 'word' };
  return { action: 'ignore' };
});
plugin.register('sql', function () { throw new Error('boom'); });
"#;

#[test]
fn plugin_test_counts_and_exit_codes() {
    let d = tempdir("counts");
    fs::write(d.join("plugins/t.js"), PLUGIN).unwrap();
    fs::write(
        d.join("tests/a.json"),
        r#"{"defaults": {"type": "command"}, "cases": [
            {"name": "blocks", "params": {"command": "echo a;id"}, "context": {"parameter": {"v": ["a;id"]}}, "expect": "block", "algorithm": "word", "message": "semicolon"},
            {"name": "ignores", "params": {"command": "echo a"}, "context": {"parameter": {"v": ["a"]}}, "expect": "ignore"},
            {"name": "wrong expectation", "params": {"command": "echo a"}, "context": {"parameter": {"v": ["a"]}}, "expect": "block"},
            {"name": "wrong algorithm", "params": {"command": "echo a;id"}, "context": {"parameter": {"v": ["a;id"]}}, "expect": "block", "algorithm": "other"},
            {"name": "plugin error fails", "type": "sql", "params": {"query": "x"}, "expect": "ignore"}
        ]}"#,
    )
    .unwrap();
    let p = d.join("plugins");
    let o = rasp(&[
        "plugin",
        "test",
        "-p",
        p.to_str().unwrap(),
        d.join("tests").to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("pass  a.json: blocks"), "{out}");
    assert!(
        out.contains("FAIL  a.json: wrong expectation\n      expected block, got ignore"),
        "{out}"
    );
    assert!(out.contains("expected algorithm other"), "{out}");
    assert!(
        out.contains("plugin error in t") && out.contains("boom"),
        "{out}"
    );
    assert!(out.contains("\n2 passed, 3 failed\n"), "{out}");

    // Only the passing cases, and an override that turns block into log.
    fs::write(
        d.join("tests/a.json"),
        r#"{"algorithm_config": {"word": {"action": "log"}}, "cases": [
            {"name": "logs", "type": "command", "params": {"command": "echo a;id"}, "context": {"parameter": {"v": ["a;id"]}}, "expect": "log"}
        ]}"#,
    )
    .unwrap();
    fs::write(d.join("tests/m.json"), r#"{"monitor_mode": true, "cases": [
            {"name": "monitor", "type": "command", "params": {"command": "echo a;id"}, "context": {"parameter": {"v": ["a;id"]}}, "expect": "log"}
        ]}"#).unwrap();
    let o = rasp(&[
        "plugin",
        "test",
        "-q",
        "--plugins",
        p.to_str().unwrap(),
        d.join("tests").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("2 passed, 0 failed"), "{}", text(&o));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn setup_errors_say_what_to_do() {
    let d = tempdir("errors");
    fs::write(d.join("plugins/t.js"), PLUGIN).unwrap();
    let p = d.join("plugins");
    let p = p.to_str().unwrap();

    fs::write(
        d.join("tests/bad.json"),
        r#"{"cases": [{"name": "x", "type": "nope", "expect": "block"}]}"#,
    )
    .unwrap();
    let o = rasp(&[
        "plugin",
        "test",
        "-p",
        p,
        d.join("tests/bad.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("unknown check type \"nope\""),
        "{}",
        text(&o)
    );

    fs::write(
        d.join("tests/bad.json"),
        r#"{"cases": [{"name": "x", "type": "sql", "expect": "deny"}]}"#,
    )
    .unwrap();
    let o = rasp(&[
        "plugin",
        "test",
        "-p",
        p,
        d.join("tests/bad.json").to_str().unwrap(),
    ]);
    assert!(
        text(&o).contains("use block, log or ignore"),
        "{}",
        text(&o)
    );

    fs::write(d.join("tests/bad.json"), "{ not json").unwrap();
    let o = rasp(&[
        "plugin",
        "test",
        "-p",
        p,
        d.join("tests/bad.json").to_str().unwrap(),
    ]);
    assert!(
        text(&o).contains("is not valid JSON") && text(&o).contains("line 1"),
        "{}",
        text(&o)
    );

    fs::write(d.join("plugins/broken.js"), "this is not javascript(").unwrap();
    fs::write(d.join("tests/bad.json"), r#"[]"#).unwrap();
    let o = rasp(&[
        "plugin",
        "test",
        "-p",
        p,
        d.join("tests/bad.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("broken.js"), "{}", text(&o));

    let o = rasp(&["plugin", "test", "-p", "/nonexistent/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("/nonexistent/dir"), "{}", text(&o));

    let o = rasp(&["plugin", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("unknown command `rasp plugin frobnicate`"),
        "{}",
        text(&o)
    );
    let o = rasp(&["plugin", "test", "--bogus"]);
    assert!(
        text(&o).contains("see `rasp plugin test --help`"),
        "{}",
        text(&o)
    );
    let o = rasp(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).starts_with("rasp "), "{}", text(&o));
    let _ = fs::remove_dir_all(&d);
}

/// The official plugin's own fixtures pass (what `make test-plugin` runs).
#[test]
fn official_fixtures_pass() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = Command::new(env!("CARGO_BIN_EXE_rasp"))
        .current_dir(&root)
        .args(["plugin", "test", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
