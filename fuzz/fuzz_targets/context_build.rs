//! Fuzzes the request context: arbitrary headers, parameters (nested
//! arrays), cookies, bodies and JSON bodies, with invalid UTF-8 and NULs
//! anywhere, under small limits. Checked: no panic; the `context` JSON
//! serializes and parses back; the values kept stay within `max_values`
//! and each within `max_value_bytes` (x3: an invalid byte becomes U+FFFD);
//! the body within `body.maxbytes`; the helpers the alarm log uses
//! (url, hostname, client_ip, path) are total.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rasp_core::config::ContextConfig;
use rasp_core::context::{build_context, Param, RequestInput};
use serde_json::Value;

#[derive(Arbitrary, Debug)]
enum P {
    Str(Vec<u8>),
    Arr(Vec<(Vec<u8>, P)>),
}

fn param(p: P, depth: usize) -> Param {
    match p {
        P::Str(s) => Param::Str(s),
        // Arbitrary recursion is bounded by the input size; cap it anyway
        // so the fuzzer's own structures stay small.
        P::Arr(_) if depth > 40 => Param::Str(Vec::new()),
        P::Arr(items) => Param::Arr(items.into_iter().map(|(k, v)| (k, param(v, depth + 1))).collect()),
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    max_values: u8,
    max_value_bytes: u8,
    body_maxbytes: u16,
    json_maxbytes: u16,
    clientip_header: String,
    json_body: bool,
    method: String,
    host: String,
    uri: Vec<u8>,
    query_string: Vec<u8>,
    remote_addr: String,
    headers: Vec<(String, Vec<u8>)>,
    get: Vec<(Vec<u8>, P)>,
    post: Vec<(Vec<u8>, P)>,
    cookies: Vec<(Vec<u8>, P)>,
    body: Vec<u8>,
    body_len_delta: i8,
}

/// Strings in a value, and the longest.
fn leaves(v: &Value, n: &mut usize, longest: &mut usize) {
    match v {
        Value::String(s) => {
            *n += 1;
            *longest = (*longest).max(s.len());
        }
        Value::Array(a) => a.iter().for_each(|x| leaves(x, n, longest)),
        Value::Object(m) => m.values().for_each(|x| leaves(x, n, longest)),
        Value::Null => {}
        _ => *n += 1,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(i) = Input::arbitrary(&mut u) else { return };
    let cfg = ContextConfig {
        body_maxbytes: i.body_maxbytes as usize % 512,
        json_maxbytes: i.json_maxbytes as usize,
        max_values: 1 + i.max_values as usize % 64,
        max_value_bytes: 16 + i.max_value_bytes as usize % 64,
        clientip_header: i.clientip_header,
    };
    let body_len = (i.body.len() as i64 + i.body_len_delta as i64).max(0) as u64;
    let input = RequestInput {
        request_id: "fuzz".into(),
        method: i.method,
        scheme: "http".into(),
        host: i.host,
        uri: i.uri,
        query_string: i.query_string,
        protocol: "HTTP/1.1".into(),
        remote_addr: i.remote_addr,
        server_addr: String::new(),
        headers: i.headers,
        get: i.get.into_iter().map(|(k, v)| (k, param(v, 0))).collect(),
        post: i.post.into_iter().map(|(k, v)| (k, param(v, 0))).collect(),
        cookies: i.cookies.into_iter().map(|(k, v)| (k, param(v, 0))).collect(),
        body: i.body,
        body_len,
        content_type: if i.json_body { "application/json".into() } else { "application/x-www-form-urlencoded".into() },
        document_root: "/var/www".into(),
        php_version: "8.2".into(),
        os: "linux".into(),
    };
    let _ = input.url();
    let _ = input.hostname();
    let _ = input.path();
    let ip = input.client_ip(&cfg.clientip_header);
    assert!(ip.len() <= 64 || ip == input.remote_addr);

    let (ctx, _t) = build_context(&input, &cfg);
    let text = serde_json::to_string(&ctx).expect("context serializes");
    let back: Value = serde_json::from_str(&text).expect("context parses back");
    assert_eq!(back, ctx);

    let limit = cfg.max_value_bytes * 3;
    let (mut n, mut longest) = (0, 0);
    for part in ["parameter", "json", "cookie"] {
        leaves(&ctx[part], &mut n, &mut longest);
    }
    assert!(n <= cfg.max_values, "{n} values kept, limit {}", cfg.max_values);
    assert!(longest <= limit, "a value of {longest} bytes, limit {limit}");
    if let Some(h) = ctx["header"].as_object() {
        assert!(h.values().all(|v| v.as_str().is_some_and(|s| s.len() <= limit)));
    }
    assert!(ctx["body"].as_str().is_some_and(|b| b.len() <= cfg.body_maxbytes * 3));
});
