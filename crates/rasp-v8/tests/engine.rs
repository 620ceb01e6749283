//! The engine against real V8: plugins that work, throw, loop, eat memory,
//! fail to load, or return garbage. Each must give a defined outcome.

use std::time::{Duration, Instant};

use rasp_core::{Action, CheckType};
use rasp_v8::{Engine, EngineError, EngineOptions, Fault, PluginSource, Snapshot};

fn plugin(name: &str, source: &str) -> PluginSource {
    PluginSource {
        name: name.to_string(),
        source: source.to_string(),
    }
}

fn opts() -> EngineOptions {
    EngineOptions {
        timeout: Duration::from_millis(100),
        heap_limit: 64 << 20,
        ..Default::default()
    }
}

const CTX: &str = r#"{"parameter":{"id":["1 or 1=1"]},"header":{},"json":{}}"#;

const SQL_PLUGIN: &str = r#"
const plugin = new RASP('test');
plugin.version = '1.2.3';
plugin.register('sql', function (params, context) {
    const values = context.get_all_parameter();
    for (const k in values) {
        for (const v of values[k]) {
            const at = params.query.indexOf(v);
            if (at < 0) continue;
            const toks = RASP.sql_tokenize(params.query, params.server);
            const inside = toks.filter(t => t.stop > at && t.start < at + v.length);
            if (inside.length > 1) {
                return { action: 'block', message: 'SQL structure changed by ' + k, confidence: 90, algorithm: 'sql_userinput' };
            }
        }
    }
    return { action: 'ignore' };
});
plugin.log('loaded');
"#;

fn engine_from_snapshot(sources: &[PluginSource]) -> Engine {
    let snap = Snapshot::build(sources, &opts()).expect("snapshot builds");
    Engine::from_snapshot(&snap, &opts()).expect("isolate restores")
}

#[test]
fn snapshot_round_trip_and_block() {
    let snap = Snapshot::build(&[plugin("test.js", SQL_PLUGIN)], &opts()).unwrap();
    assert!(snap.as_bytes().len() > 10_000);
    assert_eq!(snap.info().plugins[0].name, "test");
    assert_eq!(snap.info().plugins[0].version, "1.2.3");
    assert!(
        snap.info()
            .load_logs
            .iter()
            .any(|l| l.contains("[test] loaded")),
        "{:?}",
        snap.info().load_logs
    );
    // Bytes survive a trip through shared memory or a file.
    let again = Snapshot::from_bytes(snap.as_bytes().to_vec());
    let mut e = Engine::from_snapshot(&again, &opts()).unwrap();
    assert!(e.handles(CheckType::Sql));
    assert!(!e.handles(CheckType::Command));
    assert!(
        e.info().load_logs.is_empty(),
        "a restored isolate must not replay load logs"
    );

    let out = e.check(
        CheckType::Sql,
        r#"{"query":"SELECT * FROM u WHERE id = 1 or 1=1","server":"mysql"}"#,
        1,
        || CTX.into(),
    );
    assert_eq!(out.fault, None);
    assert_eq!(out.verdicts.len(), 1, "{out:?}");
    assert_eq!(out.verdicts[0].action, Action::Block);
    assert_eq!(out.verdicts[0].plugin, "test");
    assert_eq!(out.verdicts[0].algorithm, "sql_userinput");

    // Same value inside a string literal: one token, no verdict.
    let out = e.check(
        CheckType::Sql,
        r#"{"query":"SELECT * FROM u WHERE name = '1 or 1=1'","server":"mysql"}"#,
        1,
        || panic!("context of request 1 is already loaded"),
    );
    assert!(out.verdicts.is_empty(), "{out:?}");
}

/// The plugins' description rides along with the snapshot bytes, so a
/// restored isolate is never asked; bytes without it (or with a damaged
/// one) still restore and describe themselves.
#[test]
fn snapshot_bytes_carry_the_plugin_description() {
    const GATED: &str = r#"
const p = new RASP('gated');
p.register('sql', function (params) {
    return params.query.indexOf('evil') >= 0 ? { action: 'block', algorithm: 'x' } : null;
}, { when: { param: 'query', contains: ['evil'] } });
"#;
    let snap = Snapshot::build(&[plugin("gated.js", GATED)], &opts()).unwrap();
    let bytes = snap.as_bytes().to_vec();
    assert!(bytes.ends_with(b"RASPINF1"));
    let info_len = u64::from_le_bytes(bytes[bytes.len() - 16..bytes.len() - 8].try_into().unwrap());
    let blob_len = bytes.len() - 16 - info_len as usize;

    let described = |e: &Engine| {
        let info = e.info();
        assert!(info.types.contains(CheckType::Sql));
        assert_eq!(info.plugins[0].name, "gated");
        assert_eq!(info.gates.len(), 1, "{info:?}");
        assert!(info.gate_errors.is_empty(), "{info:?}");
    };
    let check = |e: &mut Engine| {
        let out = e.check(CheckType::Sql, r#"{"query":"select evil"}"#, 1, || {
            "{}".into()
        });
        assert_eq!(out.fault, None);
        assert_eq!(out.verdicts.len(), 1, "{out:?}");
    };
    // As shipped.
    let mut e = Engine::from_snapshot(&Snapshot::from_bytes(bytes.clone()), &opts()).unwrap();
    described(&e);
    check(&mut e);
    // The V8 blob alone: the isolate describes itself.
    let mut e =
        Engine::from_snapshot(&Snapshot::from_bytes(bytes[..blob_len].to_vec()), &opts()).unwrap();
    described(&e);
    check(&mut e);
    // A length that points outside the bytes: refused, V8 never sees it.
    // An unreadable description: ignored, the blob still restores.
    let mut bad_len = bytes.clone();
    let at = bad_len.len() - 16;
    bad_len[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let snap = Snapshot::from_bytes(bad_len);
    assert!(snap.info().plugins.is_empty());
    let err = Engine::from_snapshot(&snap, &opts()).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    let mut bad_json = bytes.clone();
    bad_json[blob_len] = b'#';
    let snap = Snapshot::from_bytes(bad_json);
    let mut e = Engine::from_snapshot(&snap, &opts()).unwrap();
    described(&e);
    check(&mut e);
}

#[test]
fn from_sources_matches_snapshot() {
    let mut e = Engine::from_sources(&[plugin("test.js", SQL_PLUGIN)], &opts()).unwrap();
    assert!(e.info().load_logs.iter().any(|l| l.contains("loaded")));
    let out = e.check(
        CheckType::Sql,
        r#"{"query":"select 1 or 1=1","server":"sqlite"}"#,
        7,
        || CTX.into(),
    );
    assert_eq!(out.verdicts[0].action, Action::Block);
}

#[test]
fn infinite_loop_is_cut_off_and_engine_recovers() {
    let src = r#"
        const p = new RASP('loop');
        p.register('command', function (params) {
            if (params.command === 'spin') { while (true) {} }
            return { action: 'log', message: 'seen ' + params.command };
        });
    "#;
    let mut e = engine_from_snapshot(&[plugin("loop.js", src)]);
    let t = Instant::now();
    let out = e.check(CheckType::Command, r#"{"command":"spin"}"#, 1, || {
        "{}".into()
    });
    let took = t.elapsed();
    assert_eq!(out.fault, Some(Fault::Timeout(Duration::from_millis(100))));
    assert!(took < Duration::from_secs(2), "took {took:?}");
    // The isolate is usable again right away.
    let out = e.check(CheckType::Command, r#"{"command":"ls"}"#, 1, || "{}".into());
    assert_eq!(out.fault, None, "{out:?}");
    assert_eq!(out.verdicts[0].message, "seen ls");
}

#[test]
fn throwing_handler_is_a_plugin_error_and_others_still_run() {
    let src = r#"
        const a = new RASP('thrower');
        a.register('sql', function () { null.x; });
        const b = new RASP('obj-thrower');
        b.register('sql', function () { throw { toString() { while (true) {} } }; });
        const c = new RASP('good');
        c.register('sql', function () { return { action: 'log', message: 'fine' }; });
    "#;
    let mut e = engine_from_snapshot(&[plugin("t.js", src)]);
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    // The object whose toString loops is described without calling it... or cut off.
    if out.fault.is_none() {
        assert_eq!(out.errors.len(), 2, "{out:?}");
        assert_eq!(out.errors[0].plugin, "thrower");
        assert!(
            out.errors[0].message.contains("TypeError"),
            "{}",
            out.errors[0].message
        );
        assert_eq!(out.verdicts.len(), 1);
    } else {
        assert!(matches!(out.fault, Some(Fault::Timeout(_))), "{out:?}");
    }
}

#[test]
fn garbage_results_become_errors() {
    let src = r#"
        const p = new RASP('garbage');
        p.register('sql', (params) => ({
            n: 42,
            s: 'block',
            a: { action: 'explode' },
            p: Promise.resolve({ action: 'block' }),
            big: { action: 'block', confidence: 'very', message: { deep: [1, 2] } },
            i: { action: 'ignore' },
            u: undefined,
        })[params.query]);
    "#;
    let mut e = engine_from_snapshot(&[plugin("g.js", src)]);
    for (q, want_error) in [
        ("n", true),
        ("s", true),
        ("a", true),
        ("p", true),
        ("i", false),
        ("u", false),
    ] {
        let out = e.check(CheckType::Sql, &format!(r#"{{"query":"{q}"}}"#), 1, || {
            "{}".into()
        });
        assert_eq!(out.fault, None);
        assert_eq!(!out.errors.is_empty(), want_error, "{q}: {out:?}");
        assert!(out.verdicts.is_empty(), "{q}: {out:?}");
    }
    let out = e.check(CheckType::Sql, r#"{"query":"big"}"#, 1, || "{}".into());
    assert_eq!(out.verdicts[0].confidence, 0.0);
    assert_eq!(out.verdicts[0].message, r#"{"deep":[1,2]}"#);
}

#[test]
fn heap_eater_is_stopped_and_engine_poisoned() {
    let src = r#"
        const p = new RASP('eater');
        p.register('sql', function () {
            const keep = [];
            while (true) keep.push(new Array(100000).fill('x' + keep.length));
        });
    "#;
    let mut o = opts();
    o.timeout = Duration::from_secs(20);
    o.heap_limit = 32 << 20;
    let mut e = Engine::from_sources(&[plugin("eat.js", src)], &o).unwrap();
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    assert_eq!(out.fault, Some(Fault::HeapLimit), "{out:?}");
    assert!(e.is_poisoned());
    // A fresh engine works.
    let mut e = Engine::from_sources(&[plugin("ok.js", SQL_PLUGIN)], &opts()).unwrap();
    assert_eq!(
        e.check(CheckType::Sql, r#"{"query":"select 1 or 1=1"}"#, 1, || CTX
            .into())
            .verdicts
            .len(),
        1
    );
}

/// Token arrays live outside the V8 heap (and its limit): a plugin that
/// keeps every one it gets meets their own bound as an exception it can
/// see, the check ends as a plugin error, and once it lets go, tokenizing
/// works again.
#[test]
fn plugins_hoarding_token_arrays_get_an_error_not_a_crash() {
    let src = r#"
        const p = new RASP('hoarder');
        let kept = [];
        p.register('sql', function (params) {
            const q = 'x '.repeat(50000);
            if (params.query === 'free') { kept = []; return { action: 'log', message: String(RASP.sql_tokenize_flat(q).length) }; }
            while (true) kept.push(RASP.sql_tokenize_flat(q, 'mysql'));
        });
    "#;
    let mut o = opts();
    o.timeout = Duration::from_secs(30);
    let mut e = Engine::from_sources(&[plugin("hoard.js", src)], &o).unwrap();
    let out = e.check(CheckType::Sql, r#"{"query":"hoard"}"#, 1, || "{}".into());
    assert!(out.fault.is_none(), "{out:?}");
    assert_eq!(out.errors.len(), 1, "{out:?}");
    assert!(
        out.errors[0].message.contains("64 MB of token arrays"),
        "{out:?}"
    );
    let out = e.check(CheckType::Sql, r#"{"query":"free"}"#, 1, || "{}".into());
    assert!(out.errors.is_empty(), "{out:?}");
    // The dropped arrays are collected when the bound is reached again.
    assert_eq!(out.verdicts[0].message, "150000");
}

#[test]
fn lenient_builds_leave_out_only_the_broken_plugins() {
    let (snap, skipped) = Snapshot::build_lenient(
        &[
            plugin("bad.js", "const x = 1;\nthis is not js;\n"),
            plugin("ok.js", SQL_PLUGIN),
            plugin("bad.js.bak", "\nthrow new Error('top level');"),
        ],
        &opts(),
    )
    .expect("the good plugin still loads");
    let names: Vec<&str> = skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["bad.js", "bad.js.bak"]);
    assert!(
        skipped[0].error.starts_with("bad.js:2:"),
        "{:?}",
        skipped[0]
    );
    assert!(
        skipped[1].error.starts_with("bad.js.bak:2:"),
        "{:?}",
        skipped[1]
    );
    let loaded: Vec<&str> = snap
        .info()
        .plugins
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(loaded.len(), 1, "{loaded:?}");
    assert!(snap.info().types.contains(CheckType::Sql));
    assert!(Engine::from_snapshot(&snap, &opts()).is_ok());

    // Nothing to leave out: no plugin is skipped; all broken: an engine
    // with no plugins, which the caller reports.
    let (_, none) = Snapshot::build_lenient(&[plugin("ok.js", SQL_PLUGIN)], &opts()).unwrap();
    assert!(none.is_empty());
    let (_, all) = Engine::from_sources_lenient(&[plugin("x.js", "}")], &opts()).unwrap();
    assert_eq!(all.len(), 1);
}

#[test]
fn load_errors_name_file_and_line() {
    let err = Snapshot::build(
        &[
            plugin("ok.js", SQL_PLUGIN),
            plugin("bad.js", "const x = 1;\nthis is not js;\n"),
        ],
        &opts(),
    )
    .unwrap_err();
    let EngineError::Load(msg) = err else {
        panic!("{err:?}")
    };
    assert!(msg.starts_with("bad.js:2:"), "{msg}");
    assert!(msg.contains("SyntaxError"), "{msg}");

    let err = Engine::from_sources(
        &[plugin("throws.js", "\n\nthrow new Error('nope');")],
        &opts(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("throws.js:3:"), "{err}");

    let err = Engine::from_sources(
        &[plugin(
            "reg.js",
            "new RASP('x').register('bogus', () => {});",
        )],
        &opts(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown check type \"bogus\""),
        "{err}"
    );

    let err = Snapshot::build(&[plugin("spin.js", "while (true) {}")], &opts()).unwrap_err();
    assert!(err.to_string().contains("longer than"), "{err}");
}

#[test]
fn tokenizers_are_reachable_from_js_with_js_offsets() {
    let src = r#"
        const p = new RASP('tok');
        p.register('sql', function (params) {
            const t = RASP.sql_tokenize(params.query, params.server);
            return { action: 'log', message: JSON.stringify(t.map(x => [x.text, x.type, x.start])) };
        });
        p.register('command', function (params) {
            const t = RASP.cmd_tokenize(params.command);
            return { action: 'log', message: t.map(x => x.text).join('|') };
        });
    "#;
    let mut e = engine_from_snapshot(&[plugin("tok.js", src)]);
    let out = e.check(
        CheckType::Sql,
        r#"{"query":"SELECT 'héllo', \"x\" -- c","server":"mysql"}"#,
        1,
        || "{}".into(),
    );
    let toks: serde_json::Value = serde_json::from_str(&out.verdicts[0].message).unwrap();
    assert_eq!(toks[0], serde_json::json!(["SELECT", "word", 0]));
    assert_eq!(toks[1], serde_json::json!(["'héllo'", "string", 7]));
    // UTF-16 (two-byte) strings work the same way.
    let out = e.check(
        CheckType::Sql,
        r#"{"query":"SELECT '日本' FROM t","server":"pgsql"}"#,
        1,
        || "{}".into(),
    );
    let toks: serde_json::Value = serde_json::from_str(&out.verdicts[0].message).unwrap();
    assert_eq!(toks[1], serde_json::json!(["'日本'", "string", 7]));
    assert_eq!(toks[2][2], 12);
    let out = e.check(
        CheckType::Command,
        r#"{"command":"ls -l; cat /etc/passwd"}"#,
        1,
        || "{}".into(),
    );
    assert!(
        out.verdicts[0].message.contains("ls|-l|;|cat|/etc/passwd"),
        "{}",
        out.verdicts[0].message
    );
}

#[test]
fn algorithm_config_overrides_are_merged() {
    let src = r#"
        const p = new RASP('cfg');
        const algorithmConfig = { sql_userinput: { action: 'block', min_length: 3 } };
        p.algorithmConfig = algorithmConfig;
        p.register('sql', () => ({ action: algorithmConfig.sql_userinput.action, message: String(algorithmConfig.sql_userinput.min_length) }));
    "#;
    let mut o = opts();
    o.algorithm_config = serde_json::json!({"sql_userinput": {"action": "log"}});
    let snap = Snapshot::build(&[plugin("cfg.js", src)], &o).unwrap();
    let mut e = Engine::from_snapshot(&snap, &o).unwrap();
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    assert_eq!(out.verdicts[0].action, Action::Log);
    assert_eq!(out.verdicts[0].message, "3");
}

#[test]
fn plugin_logs_are_bounded() {
    let src = r#"
        const p = new RASP('chatty');
        p.register('sql', () => { for (let i = 0; i < 1000; i++) p.log('line', i, {i}); });
    "#;
    let mut e = engine_from_snapshot(&[plugin("c.js", src)]);
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    assert_eq!(out.logs.len(), 101);
    assert_eq!(out.logs[0], r#"[chatty] line 0 {"i":0}"#);
    assert!(out.logs[100].contains("900 plugin log lines dropped"));
}

#[test]
fn malformed_params_are_a_fault_not_a_crash() {
    let mut e = engine_from_snapshot(&[plugin("test.js", SQL_PLUGIN)]);
    let out = e.check(CheckType::Sql, "{not json", 1, || "{}".into());
    assert!(matches!(out.fault, Some(Fault::Exception(_))), "{out:?}");
    let out = e.check(CheckType::Sql, r#"{"query":"select 1 or 1=1"}"#, 2, || {
        CTX.into()
    });
    assert_eq!(out.verdicts.len(), 1);
}

#[test]
fn thousand_handlers() {
    let src = "const p = new RASP('many'); for (let i = 0; i < 1000; i++) p.register('sql', () => undefined);";
    let mut e = engine_from_snapshot(&[plugin("m.js", src)]);
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    assert_eq!(out.fault, None);
}

#[test]
fn engines_on_several_threads() {
    let snap = Snapshot::build(&[plugin("test.js", SQL_PLUGIN)], &opts()).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let snap = snap.clone();
            std::thread::spawn(move || {
                let mut e = Engine::from_snapshot(&snap, &opts()).unwrap();
                let mut blocked = 0;
                for n in 0..200u64 {
                    let out = e.check(
                        CheckType::Sql,
                        r#"{"query":"select 1 or 1=1"}"#,
                        n + i * 1000,
                        || CTX.into(),
                    );
                    blocked += out.verdicts.len();
                }
                blocked
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
}

#[test]
fn plugins_have_their_own_scope() {
    let a = "const plugin = new RASP('a');\nplugin.register('sql', () => ({ action: 'log', message: 'a' }));";
    let b = "'use strict';\nconst plugin = new RASP('b');\nplugin.register('sql', () => ({ action: 'log', message: 'b' }));\nundeclared = 1;";
    let err = Engine::from_sources(&[plugin("a.js", a), plugin("b.js", b)], &opts()).unwrap_err();
    // 'use strict' still applies inside the wrapper, and the line is still right.
    assert!(err.to_string().contains("b.js:4:"), "{err}");
    let b = "const plugin = new RASP('b');\nplugin.register('sql', () => ({ action: 'log', message: 'b' }));";
    let mut e = Engine::from_sources(&[plugin("a.js", a), plugin("b.js", b)], &opts()).unwrap();
    let out = e.check(CheckType::Sql, r#"{"query":"x"}"#, 1, || "{}".into());
    let msgs: Vec<_> = out.verdicts.iter().map(|v| v.message.as_str()).collect();
    assert_eq!(msgs, ["a", "b"]);
}

/// A long-running worker's isolate must not grow per check: fresh accessor
/// closures for `params.stack` on every check once gave every params object
/// its own hidden class, ~200 bytes of old space per check that only a full
/// GC reclaims (RSS of php-fpm workers grew by a megabyte per 6,000
/// requests). 20,000 checks added ~4 MB before the first full GC; the bound
/// leaves room for the young generation's garbage.
#[test]
fn heap_does_not_grow_with_checks() {
    let opts = EngineOptions {
        heap_limit: 128 << 20, // the default: a full GC comes late
        ..opts()
    };
    let sources = [plugin(
        "t.js",
        "new RASP('t').register('sql', function (params, context) { return params.query === 'x' ? { action: 'log' } : null; });",
    )];
    let snap = Snapshot::build(&sources, &opts).unwrap();
    let mut e = Engine::from_snapshot(&snap, &opts).unwrap();
    let params = r#"{"query":"SELECT 1","server":"mysql"}"#;
    let run = |e: &mut Engine, from: u64, n: u64| {
        for serial in from..from + n {
            let out = e.check_lazy(
                CheckType::Sql,
                params,
                serial,
                || "[]".into(),
                || "{}".into(),
            );
            assert!(out.fault.is_none(), "{out:?}");
        }
    };
    run(&mut e, 0, 2_000); // warm: JIT tiers, inline caches
    let (before, _) = e.heap_stats();
    run(&mut e, 1_000_000, 20_000);
    let (after, _) = e.heap_stats();
    assert!(
        after < before + (2 << 20),
        "heap grew from {before} to {after} bytes over 20,000 checks"
    );
}
