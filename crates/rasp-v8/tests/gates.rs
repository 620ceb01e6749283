//! `register(type, handler, { when })` and `RASP.request_inputs()` against
//! real V8: what the engine reports as gates, and that plugins read the
//! same request values the gates search.

use std::rc::Rc;

use rasp_core::gate::{GatePass, InputFinding};
use rasp_core::inputs::{InputOptions, RequestInputs};
use rasp_core::CheckType;
use rasp_v8::{Engine, EngineOptions, PluginSource, Snapshot};
use serde_json::{json, Value};

fn engine_with(source: &str, algorithm_config: Value) -> Engine {
    let plugins = [PluginSource {
        name: "g.js".into(),
        source: source.into(),
    }];
    let opts = EngineOptions {
        algorithm_config,
        ..Default::default()
    };
    Engine::from_sources(&plugins, &opts).expect("plugin loads")
}

/// A snapshot of one plugin, built as the agent builds it (the gates'
/// conditions are then read from a restored isolate).
fn snapshot_of(name: &str, source: &str) -> Snapshot {
    let plugins = [PluginSource {
        name: name.into(),
        source: source.into(),
    }];
    Snapshot::build(&plugins, &EngineOptions::default()).expect("plugin loads")
}

fn passes(e: &Engine, t: CheckType, params: Value, ctx: &Value) -> Option<bool> {
    e.gate(t)
        .map(|g| g.passes(&params, |o| Rc::new(RequestInputs::from_context(ctx, o))))
}

const GATED: &str = r#"
const plugin = new RASP('g');
const cfg = { meta: { min_length: 2, headers: ['user-agent'] }, words: ['sleep'] };
plugin.algorithmConfig = cfg;
plugin.register('sql', function (params) {
    return { action: 'log', message: JSON.stringify(RASP.request_inputs(cfg.meta)) };
}, { when: function () {
    return [{ param: 'query', input: cfg.meta }, { param: 'query', contains: cfg.words }];
} });
plugin.register('include', function () { return { action: 'ignore' }; },
    { when: { param: 'path', contains: [':'] } });
plugin.register('readFile', function () { return { action: 'ignore' }; });
"#;

#[test]
fn gates_follow_the_handlers_when_after_overrides() {
    let e = engine_with(GATED, json!({ "words": ["benchmark"] }));
    let ctx = json!({ "parameter": { "id": ["42", "x"] }, "header": { "user-agent": "ua/1" } });
    let sql = |q: &str| passes(&e, CheckType::Sql, json!({ "query": q }), &ctx);
    assert_eq!(sql("select * from t where id = 42"), Some(true));
    assert_eq!(
        sql("select x from t"),
        Some(false),
        "one-letter values are below min_length"
    );
    assert_eq!(
        sql("select BENCHMARK(1, 1)"),
        Some(true),
        "the override's word"
    );
    assert_eq!(
        sql("select sleep(1)"),
        Some(false),
        "replaced by the override"
    );
    assert_eq!(
        sql("insert into log values ('ua/1')"),
        Some(true),
        "a header value"
    );
    let inc = |p: &str| passes(&e, CheckType::Include, json!({ "path": p }), &ctx);
    assert_eq!(inc("php://input"), Some(true));
    assert_eq!(inc("/var/www/42.php"), Some(false));
    assert_eq!(
        passes(&e, CheckType::ReadFile, json!({}), &ctx),
        None,
        "no when: no gate"
    );
    assert_eq!(passes(&e, CheckType::Command, json!({}), &ctx), None);
}

#[test]
fn gates_survive_the_snapshot() {
    let plugins = [PluginSource {
        name: "g.js".into(),
        source: GATED.into(),
    }];
    let snap = Snapshot::build(&plugins, &EngineOptions::default()).expect("snapshot");
    assert_eq!(snap.info().gates.len(), 2);
    let e = Engine::from_snapshot(&snap, &EngineOptions::default()).expect("restore");
    let ctx = json!({});
    assert_eq!(
        passes(
            &e,
            CheckType::Sql,
            json!({ "query": "select sleep(1)" }),
            &ctx
        ),
        Some(true)
    );
}

#[test]
fn plugins_read_the_list_the_gates_search() {
    let mut e = engine_with(GATED, json!({}));
    let ctx = json!({
        "parameter": { "q": ["%2527 or 1=1", "a"], "h": ["&lt;b&gt;"] },
        "json": { "k": ["\\u0027x"] },
        "cookie": { "s": "sid-1" },
        "header": { "user-agent": "ua/1", "referer": "not listed" },
    });
    let out = e.check(CheckType::Sql, r#"{"query":"select 1"}"#, 1, || {
        ctx.to_string()
    });
    assert!(out.errors.is_empty() && out.fault.is_none(), "{out:?}");
    let from_js: Value = serde_json::from_str(&out.verdicts[0].message).expect("json");
    let opts = InputOptions::from_json(&json!({ "min_length": 2, "headers": ["user-agent"] }));
    let native: Value =
        serde_json::from_str(&RequestInputs::from_context(&ctx, &opts).to_json()).expect("json");
    assert_eq!(from_js, native);
    let values: Vec<&str> = native
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["value"].as_str().expect("value"))
        .collect();
    assert_eq!(
        values,
        vec![
            "%2527 or 1=1",
            "%27 or 1=1",
            "' or 1=1",
            "&lt;b&gt;",
            "<b>",
            "\\u0027x",
            "'x",
            "sid-1",
            "ua/1"
        ]
    );
}

#[test]
fn a_broken_when_is_reported_and_the_handler_sees_everything() {
    let src = r#"
        const plugin = new RASP('b');
        plugin.register('sql', function () { return { action: 'ignore' }; },
            { when: function () { throw new Error('no config'); } });
        plugin.register('include', function () { return { action: 'ignore' }; },
            { when: [{ param: 'path', regex: 'x' }] });
    "#;
    let e = engine_with(src, json!({}));
    assert!(e.gate(CheckType::Sql).is_none());
    assert!(e.gate(CheckType::Include).is_none());
    let errs = &e.info().gate_errors;
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().any(|m| m.contains("no config")), "{errs:?}");
    assert!(
        errs.iter().any(|m| m.contains("unknown key \"regex\"")),
        "{errs:?}"
    );
    assert!(e
        .info()
        .load_logs
        .iter()
        .any(|l| l.contains("sees every event")));
    // Bad options are a load error that names the plugin.
    let plugins = [PluginSource {
        name: "c.js".into(),
        source: "new RASP('c').register('sql', function () {}, { when: 3 });".into(),
    }];
    let err = Engine::from_sources(&plugins, &EngineOptions::default()).expect_err("rejected");
    assert!(err.to_string().contains("options.when"), "{err}");
}

/// `RASP.inputs_in(text, options, min)` answers the same whether the
/// embedder searches its own list natively or the runtime walks
/// `RASP.request_inputs()`: the values (and decoded forms) at least `min`
/// UTF-16 units long that occur in the text, in list order.
#[test]
fn inputs_in_is_the_same_natively_and_in_js() {
    const SRC: &str = r#"
const plugin = new RASP('in');
const meta = { min_length: 1, headers: ['user-agent'], script_extensions: ['php'] };
plugin.register('sql', function (params) {
    const [min, text] = JSON.parse(params.query);
    return { action: 'log', message: JSON.stringify(RASP.inputs_in(text, meta, min)) };
});
"#;
    let ctx = json!({
        "parameter": { "id": ["42", "x"], "q": ["a%27b", "ünï😀"] },
        "cookie": { "c": "cookie-value" },
        "header": { "user-agent": "ua/1" }
    });
    let ctx_json = ctx.to_string();
    let texts = [
        (1, "select * from t where id = 42 and x = a'b"),
        (2, "select * from t where id = 42 and x = a'b"),
        (3, "42 x ua/1 cookie-value"),
        (1, "prefix ünï😀 suffix a'b"),
        (3, "ünï😀"),
        (1, ""),
        (1, "nothing here"),
    ];
    // `one_request`: every text in one request (from the second text on,
    // the runtime walks the list in JS); else a request per text.
    let run = |e: &mut Engine, one_request: bool| -> Vec<String> {
        texts
            .iter()
            .enumerate()
            .map(|(n, (min, text))| {
                let q = serde_json::to_string(&json!([min, text])).unwrap();
                let params = json!({ "query": q }).to_string();
                let c = ctx_json.clone();
                let serial = if one_request { 1000 } else { n as u64 + 1 };
                let out = e.check_lazy(
                    CheckType::Sql,
                    &params,
                    serial,
                    || "[]".into(),
                    move || c.clone(),
                );
                assert!(out.fault.is_none() && out.errors.is_empty(), "{out:?}");
                out.verdicts[0].message.clone()
            })
            .collect()
    };
    let snap = snapshot_of("in.js", SRC);
    let mut e = Engine::from_snapshot(&snap, &EngineOptions::default()).unwrap();
    let in_js = run(&mut e, false);
    // As in the extension: both answered from a native list of the context.
    let native_ctx = ctx.clone();
    let asked = Rc::new(std::cell::Cell::new(0));
    let count = asked.clone();
    let keys = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let seen = keys.clone();
    rasp_v8::set_request_inputs_source(Some(Box::new(move |opts: &str| {
        count.set(count.get() + 1);
        seen.borrow_mut().push(opts.to_string());
        let o = InputOptions::from_json(&serde_json::from_str(opts).ok()?);
        Some(Rc::new(RequestInputs::from_context(&native_ctx, &o)))
    })));
    let mut e = Engine::from_snapshot(&snap, &EngineOptions::default()).unwrap();
    let native = run(&mut e, false);
    assert_eq!(asked.get(), texts.len(), "answered natively");
    assert_eq!(native, in_js);
    let mixed = run(&mut e, true);
    // The first text gets the entries; the list then crosses once and each
    // later text is answered with positions in it.
    assert_eq!(
        asked.get(),
        2 * texts.len() + 1,
        "every text natively, the list once"
    );
    assert_eq!(mixed, in_js);
    rasp_v8::set_request_inputs_source(None);
    // The options cross as the keys the list depends on, nothing else.
    let keys = keys.borrow();
    assert!(
        keys.iter()
            .all(|k| k == r#"{"min_length":1,"headers":["user-agent"]}"#),
        "{keys:?}"
    );
    assert!(in_js[0].contains(r#""value":"42""#) && in_js[0].contains(r#""value":"x""#));
    assert!(
        in_js[0].contains(r#""value":"a'b","decoded":"url""#),
        "{}",
        in_js[0]
    );
    assert!(!in_js[1].contains(r#""value":"x""#), "min 2: {}", in_js[1]);
    assert!(
        in_js[2].contains("ua/1")
            && in_js[2].contains("cookie-value")
            && !in_js[2].contains(r#""42""#)
    );
    assert!(in_js[4].contains("ünï😀"), "4 UTF-16 units: {}", in_js[4]);
    assert_eq!(in_js[5], "[]");
    assert_eq!(in_js[6], "[]");
}

/// What a gate found on the way (`Gate::passes_noting`) answers the
/// handler's `RASP.inputs_in()` for that text: the same answer as the
/// embedder's own search, without asking the embedder again.
#[test]
fn gate_findings_answer_inputs_in() {
    const SRC: &str = r#"
const plugin = new RASP('found');
const meta = { min_length: 1, headers: ['user-agent'] };
plugin.register('sql', function (params) {
    const found = RASP.inputs_in(params.query, meta, 2);
    const again = RASP.inputs_in(params.query, meta, 2);
    const other = RASP.inputs_in(params.query, meta, 3);
    return { action: 'log', message: JSON.stringify([found, found === again, other]) };
}, { when: [{ param: 'query', input: meta, min_length: 2 }, { param: 'query', contains: ['sleep'] }] });
"#;
    let ctx = json!({
        "parameter": { "id": ["42", "x"], "q": ["a%27b", "ünï😀"] },
        "header": { "user-agent": "ua/1" }
    });
    let texts = [
        "select * from t where id = 42 and x = a'b",
        "select 42, 42, ua/1 from t",
        "prefix ünï😀 suffix",
        "select sleep(1)",
        "select sleep(42)",
    ];
    let snap = snapshot_of("found.js", SRC);
    let asked = Rc::new(std::cell::Cell::new(0));
    let count = asked.clone();
    let source_ctx = ctx.clone();
    rasp_v8::set_request_inputs_source(Some(Box::new(move |opts: &str| {
        count.set(count.get() + 1);
        let o = InputOptions::from_json(&serde_json::from_str(opts).ok()?);
        Some(Rc::new(RequestInputs::from_context(&source_ctx, &o)))
    })));
    let mut e = Engine::from_snapshot(&snap, &EngineOptions::default()).unwrap();
    let gate = e.gate(CheckType::Sql).cloned().expect("a gate");
    let mut serial = 0;
    let mut answers = Vec::new();
    for text in texts {
        let field = |k: &str| (k == "query").then_some(std::borrow::Cow::Borrowed(text));
        let pass = gate.passes_noting(field, |o| Rc::new(RequestInputs::from_context(&ctx, o)));
        let pass = pass.expect(text);
        let finding = pass
            .finding
            .as_ref()
            .expect("the input condition was evaluated");
        assert_eq!((finding.condition, finding.min_length), (0, 2), "{text}");
        let params = json!({ "query": text }).to_string();
        let mut judge = |pass: Option<&GatePass>| {
            serial += 1;
            asked.set(0);
            let c = ctx.to_string();
            let out = e.check_lazy_noting(
                CheckType::Sql,
                &params,
                serial,
                pass,
                || "[]".into(),
                move || c.clone(),
            );
            assert!(out.fault.is_none() && out.errors.is_empty(), "{out:?}");
            (out.verdicts[0].message.clone(), asked.get())
        };
        let (searched, asked_searching) = judge(None);
        let (noted, asked_noted) = judge(Some(&pass));
        assert_eq!(noted, searched, "{text}");
        assert!(
            asked_searching >= 2,
            "{text}: both lengths searched natively"
        );
        assert_eq!(asked_noted, 1, "{text}: only the other length searched");
        let found: Value = serde_json::from_str(&noted).unwrap();
        assert_eq!(found[1], json!(true), "the answer is kept: {noted}");
        answers.push(searched);
    }
    // All in one request: the first finding brings its rows, the later ones
    // positions in the list, which crosses once.
    serial += 1;
    asked.set(0);
    for (text, searched) in texts.iter().zip(&answers) {
        let field = |k: &str| (k == "query").then_some(std::borrow::Cow::Borrowed(*text));
        let pass = gate.passes_noting(field, |o| Rc::new(RequestInputs::from_context(&ctx, o)));
        let params = json!({ "query": text }).to_string();
        let c = ctx.to_string();
        let out = e.check_lazy_noting(
            CheckType::Sql,
            &params,
            serial,
            pass.as_ref(),
            || "[]".into(),
            move || c.clone(),
        );
        assert_eq!(&out.verdicts[0].message, searched, "{text} in one request");
    }
    // Asked only for the other length: the first text's rows, the list
    // once, positions for each later text. The findings' positions index
    // that same list.
    assert_eq!(
        asked.get(),
        1 + 1 + (texts.len() - 1),
        "asked once for the list"
    );
    // A finding is the answer for its text, taken without a search (so it
    // must come from the gate of this very check): names and values with
    // the row format's separators and non-ASCII text arrive intact.
    let odd = json!({ "parameter": { "a:b,c": ["not, here: ünï😀", "x", "a%27b,:"] } });
    let list = Rc::new(RequestInputs::from_context(
        &odd,
        &InputOptions::from_json(&json!({ "decode_values": true })),
    ));
    let other = GatePass {
        handlers: 1,
        finding: Some(InputFinding {
            condition: 0,
            min_length: 2,
            positions: (0..list.inputs().len()).collect(),
            inputs: list.clone(),
        }),
    };
    let params = json!({ "query": "select 42" }).to_string();
    let c = ctx.to_string();
    let out = e.check_lazy_noting(
        CheckType::Sql,
        &params,
        serial + 1,
        Some(&other),
        || "[]".into(),
        move || c.clone(),
    );
    let got: Value = serde_json::from_str(&out.verdicts[0].message).unwrap();
    let want: Value = serde_json::from_str(&list.to_json()).unwrap();
    assert!(want.to_string().contains("\"decoded\""), "{want}");
    assert_eq!(got[0], want, "the finding's rows, as inputs_in gives them");
    rasp_v8::set_request_inputs_source(None);
}

/// The runtime calls only the handlers the gate names: a handler none of
/// whose own conditions holds is skipped, as its `when` says.
#[test]
fn only_the_handlers_whose_conditions_hold_are_called() {
    const SRC: &str = r#"
const plugin = new RASP('masks');
const meta = { min_length: 1 };
plugin.register('sql', function () { return { action: 'log', message: 'input', algorithm: 'a' }; },
    { when: [{ param: 'query', input: meta, min_length: 2 }] });
plugin.register('sql', function () { return { action: 'log', message: 'word', algorithm: 'b' }; },
    { when: [{ param: 'query', contains: ['sleep'] }, { param: 'query', contains: ['union'] }] });
"#;
    let e = &mut engine_with(SRC, json!({}));
    let ctx = json!({ "parameter": { "id": ["42"] } });
    let gate = e.gate(CheckType::Sql).cloned().expect("a gate");
    assert_eq!(gate.handler_count(), 2);
    let cases = [
        ("select 42", Some(vec!["input"])),
        ("select union 1", Some(vec!["word"])),
        ("select sleep(42)", Some(vec!["input", "word"])),
        ("select 1", None),
    ];
    for (serial, (text, want)) in cases.into_iter().enumerate() {
        let field = |k: &str| (k == "query").then_some(std::borrow::Cow::Borrowed(text));
        let pass = gate.passes_noting(field, |o| Rc::new(RequestInputs::from_context(&ctx, o)));
        let Some(want) = want else {
            assert!(pass.is_none(), "{text}: no handler wants it");
            continue;
        };
        let c = ctx.to_string();
        let out = e.check_lazy_noting(
            CheckType::Sql,
            &json!({ "query": text }).to_string(),
            serial as u64 + 1,
            pass.as_ref(),
            || "[]".into(),
            move || c.clone(),
        );
        let got: Vec<&str> = out.verdicts.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(got, want, "{text}");
    }
}
