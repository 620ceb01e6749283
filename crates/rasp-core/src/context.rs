//! The request as plugins see it (`context`), built from what PHP received.
//!
//! Everything here comes from the attacker: the extension copies raw bytes
//! out of PHP into a [`RequestInput`], and this module turns it into the
//! `context` JSON under hard limits (values kept, bytes per value, body
//! bytes, JSON size and depth). Invalid UTF-8 is replaced, never rejected,
//! so an attack cannot hide behind an encoding error.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::config::ContextConfig;

/// A request parameter: a string, or an array (`a[]=1&a[x]=2`).
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Str(Vec<u8>),
    Arr(Vec<(Vec<u8>, Param)>),
}

/// What the extension copied out of PHP for one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestInput {
    pub request_id: String,
    /// As sent, e.g. `GET`.
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host header (with port if given), else the server name.
    pub host: String,
    /// REQUEST_URI: path and query string, raw.
    pub uri: Vec<u8>,
    pub query_string: Vec<u8>,
    /// e.g. `HTTP/1.1`.
    pub protocol: String,
    pub remote_addr: String,
    pub server_addr: String,
    /// Lower-case, dash-separated names, as plugins expect (`user-agent`).
    pub headers: Vec<(String, Vec<u8>)>,
    pub get: Vec<(Vec<u8>, Param)>,
    pub post: Vec<(Vec<u8>, Param)>,
    pub cookies: Vec<(Vec<u8>, Param)>,
    /// The start of the raw body (up to the larger of the body and JSON limits).
    pub body: Vec<u8>,
    /// Content-Length as received (the body may be longer than `body`).
    pub body_len: u64,
    pub content_type: String,
    pub document_root: String,
    pub php_version: String,
    pub os: String,
}

/// Replaces invalid UTF-8 with U+FFFD.
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// At most `max` bytes of `b`, cut at a character boundary when valid UTF-8.
pub fn clip(b: &[u8], max: usize) -> &[u8] {
    if b.len() <= max {
        return b;
    }
    let mut end = max;
    // Step back over UTF-8 continuation bytes (at most 3) so a character is not split.
    while end > 0 && end > max.saturating_sub(3) && (b[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    &b[..end]
}

impl RequestInput {
    /// The first address of the configured client-IP header, else REMOTE_ADDR.
    pub fn client_ip(&self, header: &str) -> String {
        if !header.is_empty() {
            let want = header.to_ascii_lowercase().replace('_', "-");
            if let Some((_, v)) = self.headers.iter().find(|(k, _)| *k == want) {
                let v = lossy(v);
                let first = v.split(',').next().unwrap_or("").trim();
                if !first.is_empty() && first.len() <= 64 {
                    return first.to_string();
                }
            }
        }
        self.remote_addr.clone()
    }

    /// Path part of the URI, without the query string.
    pub fn path(&self) -> &[u8] {
        let end = self
            .uri
            .iter()
            .position(|&b| b == b'?')
            .unwrap_or(self.uri.len());
        &self.uri[..end]
    }

    /// `scheme://host/uri` (empty when there is no request, e.g. the CLI).
    pub fn url(&self) -> String {
        if self.host.is_empty() && self.uri.is_empty() {
            return String::new();
        }
        format!(
            "{}://{}{}",
            if self.scheme.is_empty() {
                "http"
            } else {
                &self.scheme
            },
            self.host,
            lossy(&self.uri)
        )
    }

    /// Host without a port, lower-cased (the alarm's `target`).
    pub fn hostname(&self) -> String {
        let h = self.host.trim();
        let h = if let Some(rest) = h.strip_prefix('[') {
            rest.split(']').next().unwrap_or("")
        } else {
            h.rsplit_once(':').map_or(h, |(a, p)| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    a
                } else {
                    h
                }
            })
        };
        h.to_ascii_lowercase()
    }

    /// Whether the body looks like JSON (by content type).
    pub fn is_json(&self) -> bool {
        let ct = self.content_type.to_ascii_lowercase();
        ct.contains("json")
    }
}

/// Counts what a context kept and what it dropped to stay within limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Truncation {
    pub values_dropped: usize,
    pub values_clipped: usize,
    pub json_skipped: bool,
}

struct Budget<'a> {
    cfg: &'a ContextConfig,
    values_left: usize,
    t: Truncation,
}

impl Budget<'_> {
    fn take(&mut self) -> bool {
        if self.values_left == 0 {
            self.t.values_dropped += 1;
            return false;
        }
        self.values_left -= 1;
        true
    }

    fn value(&mut self, b: &[u8]) -> String {
        let c = clip(b, self.cfg.max_value_bytes);
        if c.len() < b.len() {
            self.t.values_clipped += 1;
        }
        lossy(c).into_owned()
    }
}

const MAX_DEPTH: usize = 32;

fn flatten(p: &Param, out: &mut Vec<String>, budget: &mut Budget, depth: usize) {
    match p {
        Param::Str(s) => {
            if budget.take() {
                out.push(budget.value(s));
            }
        }
        Param::Arr(items) => {
            if depth >= MAX_DEPTH {
                return;
            }
            for (_, v) in items {
                flatten(v, out, budget, depth + 1);
            }
        }
    }
}

/// Named values in first-seen order, as a JSON object keeps them: a name
/// seen again finds its entry (a parameter of GET and POST, a header PHP
/// reports twice, names that clip or lose bytes to the same string). Long
/// lists get a hash index; a request may carry 20k names.
struct Keyed<V> {
    items: Vec<(String, V)>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl<V> Keyed<V> {
    const INDEX_FROM: usize = 16;

    fn new() -> Self {
        Keyed {
            items: Vec::new(),
            index: None,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.items.iter().position(|(k, _)| k == key),
        }
    }

    /// The entry of `key`, made with `v` if new.
    fn entry(&mut self, key: String, v: impl FnOnce() -> V) -> &mut V {
        let at = match self.position(&key) {
            Some(at) => at,
            None => {
                if let Some(ix) = &mut self.index {
                    ix.insert(key.clone(), self.items.len());
                } else if self.items.len() >= Self::INDEX_FROM {
                    let mut ix: std::collections::HashMap<String, usize> = self
                        .items
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect();
                    ix.insert(key.clone(), self.items.len());
                    self.index = Some(ix);
                }
                self.items.push((key, v()));
                self.items.len() - 1
            }
        };
        &mut self.items[at].1
    }
}

fn params_keyed(sets: &[&[(Vec<u8>, Param)]], budget: &mut Budget) -> Vec<(String, Vec<String>)> {
    let mut out: Keyed<Vec<String>> = Keyed::new();
    for set in sets {
        for (k, v) in set.iter() {
            let key = lossy(clip(k, 256)).into_owned();
            let mut vals = Vec::new();
            flatten(v, &mut vals, budget, 0);
            out.entry(key, Vec::new).extend(vals);
        }
    }
    out.items
}

/// Keeps at most the budget's leaves of a parsed JSON body, clipping strings.
fn prune_json(v: Value, budget: &mut Budget, depth: usize) -> Value {
    match v {
        Value::Array(items) if depth < MAX_DEPTH => Value::Array(
            items
                .into_iter()
                .map(|x| prune_json(x, budget, depth + 1))
                .filter(|x| !x.is_null())
                .collect(),
        ),
        Value::Object(m) if depth < MAX_DEPTH => Value::Object(
            m.into_iter()
                .map(|(k, x)| (k, prune_json(x, budget, depth + 1)))
                .collect(),
        ),
        Value::Array(_) | Value::Object(_) => Value::Null,
        Value::String(s) => {
            if budget.take() {
                Value::String(budget.value(s.as_bytes()))
            } else {
                Value::Null
            }
        }
        other => {
            if budget.take() {
                other
            } else {
                Value::Null
            }
        }
    }
}

/// Parses a JSON body within limits; `None` when absent, too big, too deep
/// or malformed (serde_json refuses nesting beyond 128 levels).
fn parse_json(input: &RequestInput, cfg: &ContextConfig) -> Result<Option<Value>, ()> {
    if !input.is_json() || input.body.is_empty() {
        return Ok(None);
    }
    if input.body_len as usize > cfg.json_maxbytes || input.body.len() < input.body_len as usize {
        return Err(());
    }
    serde_json::from_slice::<Value>(&input.body)
        .map(Some)
        .map_err(|_| ())
}

/// The parts of the `context` that request values are drawn from
/// (`parameter`, `json`, `body`, `cookie`, `header`), under the same
/// limits. The check gates need only these: building the whole context as
/// a JSON tree for them was most of what the extension added to a request
/// with one SQL query. [`build_context`] is made from the same parts, so
/// the gates and the plugins see the same values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestValues {
    /// GET then POST, each name once, its values flattened in order.
    pub parameter: Vec<(String, Vec<String>)>,
    /// The parsed JSON body within its limits; an empty object when there
    /// is none.
    pub json: Value,
    /// The start of the raw body (`context.body`).
    pub body: String,
    pub cookie: Vec<(String, String)>,
    pub header: Vec<(String, String)>,
}

impl RequestValues {
    /// The parts of `input`'s context, and what the limits left out.
    pub fn of(input: &RequestInput, cfg: &ContextConfig) -> (RequestValues, Truncation) {
        let mut budget = Budget {
            cfg,
            values_left: cfg.max_values,
            t: Truncation::default(),
        };
        let parameter = params_keyed(&[&input.get, &input.post], &mut budget);
        let json = match parse_json(input, cfg) {
            Ok(Some(v)) => prune_json(v, &mut budget, 0),
            Ok(None) => Value::Object(Map::new()),
            Err(()) => {
                budget.t.json_skipped = true;
                Value::Object(Map::new())
            }
        };
        let mut cookie: Keyed<String> = Keyed::new();
        for (k, v) in &input.cookies {
            if let Param::Str(s) = v {
                if budget.take() {
                    let v = budget.value(s);
                    *cookie.entry(lossy(clip(k, 256)).into_owned(), String::new) = v;
                }
            }
        }
        let mut header: Keyed<String> = Keyed::new();
        for (k, v) in &input.headers {
            *header.entry(k.clone(), String::new) =
                lossy(clip(v, cfg.max_value_bytes)).into_owned();
        }
        let values = RequestValues {
            parameter,
            json,
            body: lossy(clip(&input.body, cfg.body_maxbytes)).into_owned(),
            cookie: cookie.items,
            header: header.items,
        };
        (values, budget.t)
    }
}

impl RequestValues {
    /// `context.parameter`: each name with the array of its values.
    pub fn parameter_object(&self) -> Map<String, Value> {
        self.parameter
            .iter()
            .map(|(k, vs)| {
                (
                    k.clone(),
                    Value::Array(vs.iter().cloned().map(Value::String).collect()),
                )
            })
            .collect()
    }
}

/// Builds the `context` object of the plugin API.
pub fn build_context(input: &RequestInput, cfg: &ContextConfig) -> (Value, Truncation) {
    let (values, t) = RequestValues::of(input, cfg);
    (context_of(input, cfg, &values), t)
}

/// The `context` object of `input` with its [`RequestValues`].
pub fn context_of(input: &RequestInput, cfg: &ContextConfig, values: &RequestValues) -> Value {
    let strings = |items: &[(String, String)]| -> Map<String, Value> {
        items
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    };
    serde_json::json!({
        "requestId": input.request_id,
        "url": input.url(),
        "path": lossy(input.path()),
        "method": input.method.to_ascii_lowercase(),
        "protocol": input.protocol.to_ascii_lowercase(),
        "querystring": lossy(clip(&input.query_string, cfg.max_value_bytes * 4)),
        "remoteAddr": input.remote_addr,
        "clientIp": input.client_ip(&cfg.clientip_header),
        "header": strings(&values.header),
        "parameter": values.parameter_object(),
        "cookie": strings(&values.cookie),
        "json": values.json,
        "body": values.body,
        "server": {
            "language": "php",
            "version": input.php_version,
            "os": input.os,
        },
        "appBasePath": input.document_root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RaspConfig;

    fn cfg() -> ContextConfig {
        RaspConfig::default().context
    }

    fn s(v: &str) -> Param {
        Param::Str(v.as_bytes().to_vec())
    }

    fn sample() -> RequestInput {
        RequestInput {
            request_id: "abc".into(),
            method: "POST".into(),
            scheme: "https".into(),
            host: "Example.com:8443".into(),
            uri: b"/a/b.php?id=1".to_vec(),
            query_string: b"id=1".to_vec(),
            protocol: "HTTP/1.1".into(),
            remote_addr: "10.0.0.1".into(),
            headers: vec![("x-forwarded-for".into(), b"1.2.3.4, 10.0.0.1".to_vec())],
            get: vec![(b"id".to_vec(), s("1"))],
            post: vec![
                (b"id".to_vec(), s("2")),
                (
                    b"arr".to_vec(),
                    Param::Arr(vec![(b"0".to_vec(), s("x")), (b"k".to_vec(), s("y"))]),
                ),
            ],
            body: br#"{"user":{"name":"bob","tags":["a","b"]},"n":5}"#.to_vec(),
            body_len: 46,
            content_type: "application/json; charset=utf-8".into(),
            ..Default::default()
        }
    }

    #[test]
    fn shape_of_context() {
        let mut c = cfg();
        c.clientip_header = "X-Forwarded-For".into();
        let (ctx, t) = build_context(&sample(), &c);
        assert_eq!(ctx["url"], "https://Example.com:8443/a/b.php?id=1");
        assert_eq!(ctx["path"], "/a/b.php");
        assert_eq!(ctx["method"], "post");
        assert_eq!(ctx["clientIp"], "1.2.3.4");
        assert_eq!(ctx["remoteAddr"], "10.0.0.1");
        assert_eq!(ctx["parameter"]["id"], serde_json::json!(["1", "2"]));
        assert_eq!(ctx["parameter"]["arr"], serde_json::json!(["x", "y"]));
        assert_eq!(ctx["json"]["user"]["tags"][1], "b");
        assert_eq!(ctx["server"]["language"], "php");
        assert_eq!(t, Truncation::default());
        assert_eq!(sample().hostname(), "example.com");
    }

    #[test]
    fn invalid_utf8_and_nul_survive() {
        let mut r = sample();
        r.get = vec![(b"q\xff".to_vec(), Param::Str(b"a\0b\xc3".to_vec()))];
        let (ctx, _) = build_context(&r, &cfg());
        let text = serde_json::to_string(&ctx).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["parameter"]["q\u{fffd}"][0], "a\u{0}b\u{fffd}");
    }

    #[test]
    fn values_are_bounded() {
        let mut r = sample();
        r.get = (0..100_000)
            .map(|i| (format!("k{i}").into_bytes(), s("v")))
            .collect();
        r.post = vec![(b"big".to_vec(), Param::Str(vec![b'a'; 1 << 20]))];
        let mut c = cfg();
        c.max_values = 1000;
        c.max_value_bytes = 100;
        let (ctx, t) = build_context(&r, &c);
        let n: usize = ctx["parameter"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_array().unwrap().len())
            .sum();
        assert_eq!(n, 1000);
        assert!(t.values_dropped > 99_000);
        assert_eq!(ctx["parameter"]["big"], serde_json::json!([]));
    }

    #[test]
    fn deep_or_huge_json_is_skipped() {
        let mut r = sample();
        r.body = ("[".repeat(10_000) + &"]".repeat(10_000)).into_bytes();
        r.body_len = r.body.len() as u64;
        let (ctx, t) = build_context(&r, &cfg());
        assert!(t.json_skipped);
        assert_eq!(ctx["json"], serde_json::json!({}));
        r.body_len = 50 << 20;
        let (_, t) = build_context(&r, &cfg());
        assert!(t.json_skipped);
    }

    #[test]
    fn deep_params_are_cut() {
        let mut p = s("leaf");
        for _ in 0..1000 {
            p = Param::Arr(vec![(b"x".to_vec(), p)]);
        }
        let mut r = sample();
        r.get = vec![(b"deep".to_vec(), p)];
        let (ctx, _) = build_context(&r, &cfg());
        assert_eq!(ctx["parameter"]["deep"], serde_json::json!([]));
    }

    #[test]
    fn clip_respects_utf8() {
        assert_eq!(clip("héllo".as_bytes(), 2), b"h");
        assert_eq!(clip(b"abc", 10), b"abc");
        assert_eq!(clip(b"\xff\xff\xff\xff", 2).len(), 2);
    }

    #[test]
    fn cli_has_no_url() {
        let r = RequestInput::default();
        assert_eq!(r.url(), "");
        let (ctx, _) = build_context(&r, &cfg());
        assert_eq!(ctx["method"], "");
    }
}
