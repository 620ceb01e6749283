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

fn root_with(name: &str, yml: Option<&str>, plugins: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rasp-cli-root-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    for sub in ["conf", "plugins", "logs"] {
        fs::create_dir_all(d.join(sub)).unwrap();
    }
    if let Some(y) = yml {
        fs::write(d.join("conf/rasp.yml"), y).unwrap();
    }
    for (f, src) in plugins {
        fs::write(d.join("plugins").join(f), src).unwrap();
    }
    d
}

#[test]
fn config_check_good_and_bad_roots() {
    let official = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/official/plugin.js"),
    )
    .unwrap();
    let d = root_with(
        "good",
        Some("block.status_code: 403\nwhitelist:\n  '/static/': [readFile]\n"),
        &[("official.js", &official), ("t.js", PLUGIN)],
    );
    // Each plugin file has its own scope: two plugins that both declare a
    // top-level `const plugin` (the usual convention) load side by side.
    let o = rasp(&["config", "check", d.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("conf/rasp.yml: ok (whitelist: 1 pattern"),
        "{out}"
    );
    assert!(
        out.contains("2 files compiled") && out.contains("official 2026") && out.contains(", t"),
        "{out}"
    );
    assert!(out.ends_with("config check: ok\n"), "{out}");

    // Every kind of problem, each at its file and line, all in one run.
    let yml = "# comment\nplugin:\n  timeout:\n    milis: 250\nblock.status_code: 99\nwhitelist:\n  'https://a.example/x/': [sql]\nlog:\n  sinks:\n    - {name: s, url: 'tcp://127.0.0.1:514', facility: local9}\n";
    let d = root_with(
        "bad",
        Some(yml),
        &[("a.js", "const p = new RASP('a');\np.register('sql', function () {\n  return { action: 'block' ;\n});\n")],
    );
    let o = rasp(&["config", "check", d.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let conf = d.join("conf/rasp.yml").display().to_string();
    for want in [
        format!(
            "{conf}:4: plugin.timeout.milis: unknown key; did you mean `plugin.timeout.millis`?"
        ),
        format!("{conf}:5: block.status_code: must be between 100 and 599, got 99"),
        format!("{conf}:7: whitelist.\"https://a.example/x/\": "),
        format!("{conf}:10: log.sinks[0].facility: unknown syslog facility \"local9\""),
        format!(
            "{}:3:28: Uncaught SyntaxError",
            d.join("plugins/a.js").display()
        ),
        "config check: 5 errors".to_string(),
    ] {
        assert!(out.contains(&want), "missing {want:?} in\n{out}");
    }

    // A plugin that throws at load (unknown check type) is located by its stack.
    let d = root_with(
        "throws",
        None,
        &[(
            "b.js",
            "const p = new RASP('b');\n\np.register('sqll', function () {});\n",
        )],
    );
    let o = rasp(&["config", "check", d.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!("{}:3:", d.join("plugins/b.js").display()))
            && out.contains("unknown check type \"sqll\""),
        "{out}"
    );
    assert!(
        out.contains("conf/rasp.yml: not present, the defaults apply"),
        "{out}"
    );

    // No plugins: a warning, not an error.
    let d = root_with("empty", Some(""), &[]);
    let o = rasp(&["config", "check", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("warning: holds no *.js plugin"),
        "{}",
        text(&o)
    );

    // One file on its own; a missing root is a usage error.
    let f = d.join("conf/rasp.yml");
    fs::write(&f, "plugin.monitor_mode: maybe\n").unwrap();
    let o = rasp(&["config", "check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(":1: plugin.monitor_mode: must be true or false, got a string"),
        "{}",
        text(&o)
    );
    let o = rasp(&["config", "check", "/nonexistent/root"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("/nonexistent/root is not a directory"),
        "{}",
        text(&o)
    );
    for name in ["good", "bad", "throws", "empty"] {
        let _ = fs::remove_dir_all(
            std::env::temp_dir().join(format!("rasp-cli-root-{}-{name}", std::process::id())),
        );
    }
}

#[test]
fn config_keys_text_markdown_and_update() {
    let o = rasp(&["config", "keys"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    assert!(
        out.contains("rasp.root_dir  (path; default /var/lib/php-rasp)"),
        "{out}"
    );
    assert!(
        out.contains("plugin.timeout.millis  (integer 1-60000; default 100)"),
        "{out}"
    );
    let md = text(&rasp(&["config", "keys", "--markdown"]));
    assert!(
        md.starts_with("### php.ini\n\n| key | type | default | meaning |"),
        "{md}"
    );
    assert!(
        md.contains("| `log.keep_days` | integer >= 1 | `7` |"),
        "{md}"
    );
    let f = std::env::temp_dir().join(format!("rasp-cli-keys-{}.md", std::process::id()));
    fs::write(&f, "# Doc\n\n<!-- BEGIN generated by `rasp config keys --markdown` -->\nold\n<!-- END generated -->\n\nafter\n").unwrap();
    let o = rasp(&["config", "keys", "--update", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc = fs::read_to_string(&f).unwrap();
    assert!(
        doc.contains(&format!("-->\n{}<!-- END generated -->\n\nafter\n", md)),
        "{doc}"
    );
    fs::write(&f, "no markers").unwrap();
    let o = rasp(&["config", "keys", "--update", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("has no generated section"),
        "{}",
        text(&o)
    );
    let _ = fs::remove_file(&f);
}

#[test]
fn plugin_bench_prints_a_table() {
    let d = tempdir("bench");
    fs::write(
        d.join("plugins/t.js"),
        PLUGIN.replace("throw new Error('boom')", "return null"),
    )
    .unwrap();
    let p = d.join("plugins");
    let o = rasp(&["plugin", "bench", "-p", p.to_str().unwrap(), "-n", "50"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("50 iterations per type over synthetic benign params"),
        "{out}"
    );
    assert!(
        out.contains("snapshot build (agent, once per reload)"),
        "{out}"
    );
    let header = out.lines().find(|l| l.starts_with("type ")).unwrap();
    for col in [
        "cases",
        "first p50",
        "first p99",
        "later p50",
        "later p99",
        "max",
        "block",
        "ignore",
        "faults",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("command ") || l.starts_with("sql "))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(
        rows.iter().all(|r| r.contains("µs") || r.contains("ms")),
        "{out}"
    );

    // Over fixtures, one type only: the verdict columns count the cases.
    fs::write(
        d.join("tests/b.json"),
        r#"{"defaults": {"type": "command"}, "cases": [
            {"params": {"command": "echo a;id"}, "context": {"parameter": {"v": ["a;id"]}}, "expect": "block"},
            {"params": {"command": "echo a"}, "context": {"parameter": {"v": ["a"]}}, "expect": "ignore"},
            {"type": "sql", "params": {"query": "x"}, "expect": "ignore"}
        ]}"#,
    )
    .unwrap();
    let o = rasp(&[
        "plugin",
        "bench",
        "-p",
        p.to_str().unwrap(),
        "-n",
        "20",
        "-t",
        "command",
        d.join("tests").to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("command "))
        .unwrap_or_else(|| panic!("{out}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[1], "2", "{row}");
    assert_eq!(&cols[cols.len() - 4..], ["1", "0", "1", "0"], "{row}");
    assert!(!out.lines().any(|l| l.starts_with("sql ")), "{out}");

    let o = rasp(&["plugin", "bench", "-p", p.to_str().unwrap(), "-t", "sqll"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("unknown check type \"sqll\""),
        "{}",
        text(&o)
    );
    let o = rasp(&["plugin", "bench", "-p", p.to_str().unwrap(), "-n", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = fs::remove_dir_all(&d);
}

fn alarm_line(rid: &str, ty: &str, action: &str) -> String {
    format!(
        r#"{{"event_type":"attack","event_time":"2026-11-23T16:45:46.123+00:00","request_id":"{rid}","request_method":"get","url":"http://shop.example/?id=1","client_ip":"","attack_source":"203.0.113.9","attack_type":"{ty}","intercept_state":"{action}","plugin_name":"official","plugin_message":"message of {rid}","plugin_confidence":90,"plugin_algorithm":"algo"}}"#
    )
}

#[test]
fn alarm_tail_prints_follows_and_tolerates_garbage() {
    let d = root_with("alarms", None, &[]);
    let dir = d.join("logs/alarm");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("alarm.log.2026-11-22"),
        format!("{}\n", alarm_line("old-day", "sql", "block")),
    )
    .unwrap();
    let mut today = String::new();
    for i in 0..5 {
        today.push_str(&alarm_line(
            &format!("req{i}"),
            if i % 2 == 0 { "sql" } else { "command" },
            if i == 4 { "log" } else { "block" },
        ));
        today.push('\n');
        if i == 2 {
            today.push_str("this is not json\n");
        }
    }
    today.push_str("{\"event_type\":\"attack\",\"request_id\":\"partial"); // being written
    fs::write(dir.join("alarm.log.2026-11-23"), &today).unwrap();

    let root = d.to_str().unwrap();
    let o = rasp(&["alarm", "tail", root, "-n", "3"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        !out.contains("old-day") && !out.contains("partial"),
        "{out}"
    );
    assert!(
        !out.contains("req2") && out.contains("req3") && out.contains("req4"),
        "{out}"
    );
    assert!(
        out.contains("not an alarm line (16 bytes): this is not json"),
        "{out}"
    );
    assert!(
        out.contains("2026-11-23 16:45:46  BLOCK command")
            && out.contains("GET http://shop.example/?id=1"),
        "{out}"
    );
    assert!(out.contains("LOG   sql"), "{out}");
    assert!(out.contains("\n    message of req4"), "{out}");

    let out = text(&rasp(&[
        "alarm", "tail", root, "--type", "sql", "--action", "block",
    ]));
    assert!(
        out.contains("req0")
            && out.contains("req2")
            && !out.contains("req1")
            && !out.contains("req4")
            && !out.contains("not json"),
        "{out}"
    );
    let out = text(&rasp(&["alarm", "tail", root, "--json", "-n", "1"]));
    assert_eq!(out, format!("{}\n", alarm_line("req4", "sql", "log")));

    // -f: the partial line completes, a new line arrives, then a new day starts.
    let child = Command::new(env!("CARGO_BIN_EXE_rasp"))
        .args(["alarm", "tail", root, "-n", "0", "--follow-for", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    {
        use std::io::Write as _;
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(dir.join("alarm.log.2026-11-23"))
            .unwrap();
        f.write_all(b"-rest\",\"attack_type\":\"sql\",\"intercept_state\":\"block\"}\n")
            .unwrap();
        f.write_all(format!("{}\n", alarm_line("req5", "command", "block")).as_bytes())
            .unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    fs::write(
        dir.join("alarm.log.2026-11-24"),
        format!("{}\n", alarm_line("next-day", "sql", "block")),
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("req partial-rest") && out.contains("req5") && out.contains("next-day"),
        "{out}"
    );
    assert!(!out.contains("req4"), "-n 0 shows no old alarms: {out}");

    let o = rasp(&["alarm", "tail", "/nonexistent/root"]);
    assert_eq!(o.status.code(), Some(2));
    let empty = root_with("no-alarms", None, &[]);
    let o = rasp(&["alarm", "tail", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("no alarm log yet"), "{}", text(&o));
    let _ = fs::remove_dir_all(&d);
    let _ = fs::remove_dir_all(&empty);
}

/// `rasp doctor` against stand-in php and php-fpm scripts.
#[test]
fn doctor_reports_ok_warn_fail() {
    use std::os::unix::fs::PermissionsExt;
    let official = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/official/plugin.js"),
    )
    .unwrap();
    let d = root_with(
        "doctor",
        Some("block.status_code: 403\n"),
        &[("official.js", &official)],
    );
    let bin = d.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let ext_dir = d.join("ext");
    fs::create_dir_all(&ext_dir).unwrap();
    let script = |name: &str, body: &str| {
        let p = bin.join(name);
        fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p.display().to_string()
    };
    let root = d.display().to_string();
    // The php-fpm user of this test: whoever runs it (owns the temp root's logs/).
    let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let php = script(
        "php",
        &format!(
            "case \"$1\" in\n -m) printf '[PHP Modules]\\nCore\\nrasp\\n\\n[Zend Modules]\\n' ;;\n --ri) printf 'rasp\\n\\nprotection => active\\nroot_dir => {root} (php.ini)\\nconfig => ok\\n' ;;\n -r) printf '{}\\n{root}\\n' ;;\nesac",
            ext_dir.display()
        ),
    );
    let fpm_without = script(
        "php-fpm",
        &format!("case \"$1\" in\n -m) printf '[PHP Modules]\\nCore\\n' ;;\n -tt) echo 'NOTICE: \tuser = {me}' >&2 ;;\nesac"),
    );
    let o = rasp(&[
        "doctor",
        "--php",
        &php,
        "--fpm",
        &fpm_without,
        "--fpm-user",
        &me,
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("rasp doctor\n"), "{out}");
    assert!(
        out.contains("OK    php-cli") && out.contains("protection active"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  php-fpm")
            && out.contains("does not load the extension")
            && out.contains("systemctl reload php8.2-fpm"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "FAIL  {}/rasp.so does not exist",
            ext_dir.display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "logs is owned and writable by the php-fpm user {me}"
        )),
        "{out}"
    );
    assert!(
        out.contains("rasp.yml and plugins pass `rasp config check`"),
        "{out}"
    );
    assert!(out.contains("inotify: max_user_instances"), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with("doctor: 2 FAIL"),
        "{out}"
    );

    // Everything in place but a broken plugin and a missing logs/ dir.
    let fpm_with = script(
        "php-fpm-ok",
        "case \"$1\" in\n -m) printf '[PHP Modules]\\nrasp\\n' ;;\nesac",
    );
    fs::write(d.join("plugins/bad.js"), "this is (not javascript").unwrap();
    fs::remove_dir_all(d.join("logs")).unwrap();
    let o = rasp(&[
        "doctor",
        "--php",
        &php,
        "--fpm",
        &fpm_with,
        "--fpm-user",
        &me,
        "--ext",
        "/bin/sh",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("OK    php-fpm (") && out.contains("configuration loads the extension"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  /bin/sh: ldd shows no libnode.so.108 dependency"),
        "{out}"
    );
    assert!(
        out.contains("logs does not exist")
            && out.contains(&format!("install -d -o {me} -g {me} -m 0750")),
        "{out}"
    );
    assert!(
        out.contains("error(s) in") && out.contains("bad.js:1:"),
        "{out}"
    );

    // The pool user comes from `php-fpm -tt`; files of another user in logs/ fail.
    fs::remove_file(d.join("plugins/bad.js")).unwrap();
    fs::create_dir_all(d.join("logs/alarm")).unwrap();
    let as_root = me == "root";
    if as_root {
        let ok = Command::new("chown")
            .args(["nobody", d.join("logs/alarm").to_str().unwrap()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let o = rasp(&["doctor", "--php", &php, "--fpm", &fpm_without]);
    let out = text(&o);
    assert!(
        out.contains(&format!(
            "logs is owned and writable by the php-fpm user {me}"
        )),
        "{out}"
    );
    if as_root {
        assert!(
            out.contains("1 under")
                && out.contains("belong to another user than root")
                && out.contains("chown -R root:"),
            "{out}"
        );
    }
    let _ = fs::remove_dir_all(&d);
}
