//! Fuzzes the JS bridge: params and context JSON through
//! `rasp_v8::Engine::check` with the official plugin, as a PHP worker does.
//!
//! One engine per process (restored from a snapshot, as in php-fpm), kept
//! across inputs like a worker keeps its isolate across requests; a fresh
//! request serial per input, so every input sends its own context.
//!
//! Two kinds of input (format in `well_formed` and at the target; seeds
//! come from the official plugin's test fixtures, see run.sh):
//! - well-formed: params of the right shape for the check type (strings,
//!   arrays of strings) with arbitrary text, and a context built by
//!   rasp-core from an arbitrary request. The official plugin must answer
//!   without a handler error, without a fault and within the timeout: a
//!   handler that throws or runs away on some input is a finding (it fails
//!   open in production);
//! - free-form: arbitrary bytes as params and context JSON. Only crashes,
//!   hangs and panics count; faults and handler errors are expected.
#![no_main]

use std::cell::RefCell;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rasp_core::config::RaspConfig;
use rasp_core::context::{build_context, Param, RequestInput};
use rasp_core::CheckType;
use rasp_v8::{Engine, EngineOptions, Fault, PluginSource, Snapshot};
use serde_json::{json, Value};

const PLUGIN: &str = include_str!("../../plugins/official/plugin.js");

/// Generous: the machine is shared and the fuzzer's own instrumentation is
/// slow; a real runaway (catastrophic regex backtracking, a quadratic scan
/// of a 4 KB input) still takes far longer. `RASP_FUZZ_TIMEOUT_MS` overrides.
fn timeout() -> Duration {
    let ms = std::env::var("RASP_FUZZ_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    Duration::from_millis(ms)
}

fn options() -> EngineOptions {
    EngineOptions {
        timeout: timeout(),
        heap_limit: 128 << 20,
        algorithm_config: Value::Null,
        max_log_lines: 100,
    }
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static SNAPSHOT: Snapshot = Snapshot::build(
        &[PluginSource { name: "official.js".into(), source: PLUGIN.into() }],
        &options(),
    ).expect("the official plugin builds");
    static SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> R {
    ENGINE.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_none_or(Engine::is_poisoned) {
            *slot = Some(SNAPSHOT.with(|s| Engine::from_snapshot(s, &options()).expect("isolate restores")));
        }
        f(slot.as_mut().unwrap())
    })
}

/// Splits on a separator byte (an empty input gives no parts).
fn parts(b: &[u8], sep: u8) -> Vec<&[u8]> {
    if b.is_empty() {
        Vec::new()
    } else {
        b.split(|&c| c == sep).collect()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `name=value` (value may hold anything but the separators).
fn pair(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == b'=') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &b""[..]),
    }
}

/// The params a hook of this type sends (see design.md), every field
/// present, empty.
fn params_for(t: CheckType) -> Value {
    let mut p = match t.as_str() {
        "sql" | "sqlPrepared" => json!({"query": "", "server": ""}),
        "sql_exception" => json!({"server": "", "error_code": "", "error_msg": "", "query": ""}),
        "dbConnection" => json!({"server": "", "hostname": "", "port": "", "username": "", "socket": "", "connectionString": ""}),
        "command" => json!({"command": ""}),
        "readFile" | "writeFile" | "deleteFile" | "directory" => json!({"path": "", "realpath": "", "function": ""}),
        "include" => json!({"path": "", "url": "", "realpath": "", "function": ""}),
        "copy" | "rename" => json!({"source": "", "dest": "", "function": ""}),
        "fileUpload" => json!({"name": "", "filename": "", "dest_path": "", "dest_realpath": "", "content": ""}),
        "ssrf" => json!({"url": "", "hostname": "", "port": "", "ip": [], "function": ""}),
        "ssrfRedirect" => json!({"url": "", "hostname": "", "port": "", "ip": [], "url2": "", "hostname2": "",
            "port2": "", "ip2": [], "http_status": "", "http_message": "", "function": ""}),
        "xxe" => json!({"entity": "", "type": ""}),
        "eval" => json!({"code": "", "function": ""}),
        "deserialization" => json!({"data": "", "clazz": []}),
        "response" => json!({"content": "", "content_type": ""}),
        _ => json!({}),
    };
    p["stack"] = json!([]);
    p
}

/// Sections of a well-formed input, separated by 0x1E:
/// 0. params: `field=value` records (0x1F between them); only fields of
///    the type's params are taken, so the shape stays what hooks send;
///    array fields (`ip`, `clazz`, `stack`) take items separated by 0x1D;
/// 1. request parameters: `name=value` records;
/// 2. headers: `name=value` records;
/// 3. the body (sent as JSON when it starts with `{` or `[`).
fn well_formed(t: CheckType, rest: &[u8]) -> (String, String) {
    let sec = parts(rest, 0x1E);
    let get = |i: usize| sec.get(i).copied().unwrap_or_default();
    let mut params = params_for(t);
    for rec in parts(get(0), 0x1F) {
        let (k, v) = pair(rec);
        let k = text(k);
        match params.get(&k) {
            Some(Value::String(_)) => params[&k] = Value::String(text(v)),
            Some(Value::Array(_)) => params[&k] = Value::from(parts(v, 0x1D).into_iter().map(text).collect::<Vec<_>>()),
            _ => {}
        }
    }
    let body = get(3).to_vec();
    let json_body = matches!(body.first(), Some(b'{' | b'['));
    let input = RequestInput {
        request_id: "fuzz".into(),
        method: "POST".into(),
        scheme: "http".into(),
        host: "app.example".into(),
        uri: b"/index.php".to_vec(),
        protocol: "HTTP/1.1".into(),
        remote_addr: "127.0.0.1".into(),
        headers: parts(get(2), 0x1F).into_iter().map(|r| {
            let (k, v) = pair(r);
            (text(k).to_ascii_lowercase(), v.to_vec())
        }).collect(),
        get: parts(get(1), 0x1F).into_iter().map(|r| {
            let (k, v) = pair(r);
            (k.to_vec(), Param::Str(v.to_vec()))
        }).collect(),
        body_len: body.len() as u64,
        body,
        content_type: if json_body { "application/json".into() } else { String::new() },
        ..Default::default()
    };
    let ctx = build_context(&input, &RaspConfig::default().context).0.to_string();
    (params.to_string(), ctx)
}

// Input: one byte, whose high bit selects free-form and whose low bits
// select the check type; then the sections (see `well_formed`), or, free
// form, params JSON and context JSON separated by 0x1E.
fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    let types = CheckType::ALL;
    let t = types[(head & 0x7F) as usize % types.len()];
    let serial = SERIAL.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    if head & 0x80 == 0 {
        let (params, ctx) = well_formed(t, rest);
        let out = with_engine(|e| e.check(t, &params, serial, || ctx.clone()));
        assert!(out.errors.is_empty(), "handler error for {t} params {params}: {:?}", out.errors);
        match &out.fault {
            None => {}
            Some(Fault::Timeout(_)) => panic!("{t} timed out after {:?} on params {params} context {ctx}", out.elapsed),
            Some(f) => panic!("fault {f} for {t} on params {params} context {ctx}"),
        }
        for v in &out.verdicts {
            assert!((0.0..=100.0).contains(&v.confidence));
        }
    } else {
        let mut sec = rest.splitn(2, |&c| c == 0x1E);
        let params = text(sec.next().unwrap_or_default());
        let ctx = text(sec.next().unwrap_or_default());
        let out = with_engine(|e| e.check(t, &params, serial, || ctx.clone()));
        if let Some(Fault::Timeout(_)) = out.fault {
            panic!("{t} timed out after {:?} on free-form params {params:?} context {ctx:?}", out.elapsed);
        }
    }
});
