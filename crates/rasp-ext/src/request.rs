//! Per-request state: serial, request id, and the request as copied out of
//! PHP (lazily: only requests that reach a check pay for it).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use ext_php_rs::types::Zval;
use rasp_core::context::{Param, RequestInput, RequestValues};
use rasp_core::inputs::{InputOptions, RequestInputs};
use rasp_core::{CheckTypeSet, RaspConfig};

use crate::zend::{self, Superglobal};

#[derive(Default)]
struct RequestState {
    serial: u64,
    id: String,
    input: Option<Rc<RequestInput>>,
    context: Option<Rc<String>>,
    context_value: Option<Rc<serde_json::Value>>,
    values: Option<Rc<RequestValues>>,
    /// Request values by the options they were built with (check gates).
    inputs: Vec<(Arc<InputOptions>, Rc<RequestInputs>)>,
    skip: Option<CheckTypeSet>,
    blocked: bool,
}

thread_local! {
    static REQ: RefCell<RequestState> = RefCell::new(RequestState::default());
    static SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A unique id: 128 random bits from the OS, hex. Unique across workers
/// and machines without coordination.
fn new_request_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Fall back to time and counters; still unique per process.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b.copy_from_slice(&(t ^ ((std::process::id() as u128) << 64)).to_le_bytes());
    }
    // By hand: sixteen format! calls were ~7 k instructions per request.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for x in b {
        s.push(HEX[usize::from(x >> 4)] as char);
        s.push(HEX[usize::from(x & 15)] as char);
    }
    s
}

/// RINIT: a new request begins.
pub fn begin() {
    let serial = SERIAL.with(|s| {
        let n = s.get().wrapping_add(1);
        s.set(n);
        // Serials must differ across processes too: the engine keys its cached
        // context on them, and a worker's isolate may outlive a fork.
        (crate::state::pid() as u64) << 40 | (n & ((1 << 40) - 1))
    });
    REQ.with(|r| {
        *r.borrow_mut() = RequestState {
            serial,
            id: new_request_id(),
            ..Default::default()
        }
    });
    crate::check::reset_native();
}

/// RSHUTDOWN: drop everything copied from the request.
pub fn end() {
    REQ.with(|r| *r.borrow_mut() = RequestState::default());
    crate::check::reset_native();
}

pub fn serial() -> u64 {
    REQ.with(|r| r.borrow().serial)
}

pub fn id() -> String {
    REQ.with(|r| r.borrow().id.clone())
}

pub fn mark_blocked() {
    REQ.with(|r| r.borrow_mut().blocked = true);
}

pub fn blocked() -> bool {
    REQ.with(|r| r.borrow().blocked)
}

/// Check types the whitelist turns off for this request.
pub fn skipped_types(compute: impl FnOnce(&RequestInput) -> CheckTypeSet) -> CheckTypeSet {
    if let Some(s) = REQ.with(|r| r.borrow().skip) {
        return s;
    }
    let set = compute(&input());
    REQ.with(|r| r.borrow_mut().skip = Some(set));
    set
}

/// The request as plugins see it (copied once per request).
pub fn input() -> Rc<RequestInput> {
    if let Some(i) = REQ.with(|r| r.borrow().input.clone()) {
        return i;
    }
    let cfg = crate::state::config();
    let captured = Rc::new(capture(&cfg, &id()));
    REQ.with(|r| r.borrow_mut().input = Some(captured.clone()));
    captured
}

/// The parts of the context request values come from, once per request:
/// gates need only these, not the context itself.
pub fn values() -> Rc<RequestValues> {
    if let Some(v) = REQ.with(|r| r.borrow().values.clone()) {
        return v;
    }
    let cfg = crate::state::config();
    let (values, _) = RequestValues::of(&input(), &cfg.context);
    let values = Rc::new(values);
    REQ.with(|r| r.borrow_mut().values = Some(values.clone()));
    values
}

/// The `context` object, built once per request (only when a plugin reads
/// it or an alarm needs it).
fn context_value() -> Rc<serde_json::Value> {
    if let Some(c) = REQ.with(|r| r.borrow().context_value.clone()) {
        return c;
    }
    let cfg = crate::state::config();
    let ctx = rasp_core::context::context_of(&input(), &cfg.context, &values());
    let ctx = Rc::new(ctx);
    REQ.with(|r| r.borrow_mut().context_value = Some(ctx.clone()));
    ctx
}

/// The `context` JSON, built once per request.
pub fn context_json() -> Rc<String> {
    if let Some(c) = REQ.with(|r| r.borrow().context.clone()) {
        return c;
    }
    let json = Rc::new(serde_json::to_string(&*context_value()).unwrap_or_else(|_| "{}".into()));
    REQ.with(|r| r.borrow_mut().context = Some(json.clone()));
    json
}

/// The options a plugin passed as JSON, parsed once: plugins pass the same
/// options object every request.
fn plugin_options(options_json: &str) -> Option<Arc<InputOptions>> {
    thread_local! {
        static LAST: RefCell<Option<(String, Arc<InputOptions>)>> = const { RefCell::new(None) };
    }
    let known = LAST.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|(json, _)| json == options_json)
            .map(|(_, o)| o.clone())
    });
    if known.is_some() {
        return known;
    }
    let v: serde_json::Value = serde_json::from_str(options_json).ok()?;
    let o = Arc::new(InputOptions::from_json(&v));
    LAST.with(|l| *l.borrow_mut() = Some((options_json.to_string(), o.clone())));
    Some(o)
}

/// `RASP.request_inputs(options)` and `RASP.inputs_in()` for the plugins:
/// the list the gates searched (see `rasp_v8::set_request_inputs_source`).
pub fn plugin_inputs(options_json: &str) -> Option<Rc<RequestInputs>> {
    Some(inputs(&plugin_options(options_json)?))
}

/// The request values built with `opts` from the parts of the same context
/// the plugins receive (what `RASP.request_inputs(opts)` returns to them),
/// once per request and options.
pub fn inputs(opts: &Arc<InputOptions>) -> Rc<RequestInputs> {
    // Gates hold their options in an Arc and the cache keeps a clone, so an
    // address seen here cannot have been reused for other options.
    let (cached, same) = REQ.with(|r| {
        let r = r.borrow();
        if let Some((_, i)) = r.inputs.iter().find(|(o, _)| Arc::ptr_eq(o, opts)) {
            return (Some(i.clone()), false);
        }
        let equal = r.inputs.iter().find(|(o, _)| **o == **opts);
        (equal.map(|(_, i)| i.clone()), equal.is_some())
    });
    if let Some(i) = cached {
        if same {
            // Equal options of another condition: next time by address.
            REQ.with(|r| r.borrow_mut().inputs.push((opts.clone(), i.clone())));
        }
        return i;
    }
    let built = Rc::new(RequestInputs::from_values(&values(), opts));
    REQ.with(|r| r.borrow_mut().inputs.push((opts.clone(), built.clone())));
    built
}

const MAX_PARAM_DEPTH: usize = 16;

/// Copies a superglobal's entries, bounded in count and depth.
fn params(z: Option<&Zval>, budget: &mut usize) -> Vec<(Vec<u8>, Param)> {
    fn conv(z: &Zval, budget: &mut usize, depth: usize) -> Option<Param> {
        if zend::is_array(z) {
            if depth >= MAX_PARAM_DEPTH {
                return None;
            }
            let mut items = Vec::new();
            zend::for_each(z, |k, v| {
                if let Some(p) = conv(v, budget, depth + 1) {
                    items.push((k.to_bytes(), p));
                }
                *budget > 0
            });
            Some(Param::Arr(items))
        } else {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            zend::scalar_bytes(z).map(|b| Param::Str(b.into_owned()))
        }
    }
    let mut out = Vec::new();
    if let Some(z) = z {
        zend::for_each(z, |k, v| {
            if let Some(p) = conv(v, budget, 1) {
                out.push((k.to_bytes(), p));
            }
            *budget > 0
        });
    }
    out
}

fn server_str(server: Option<&Zval>, key: &str) -> String {
    server
        .and_then(|s| zend::array_get(s, key))
        .and_then(zend::scalar_bytes)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn capture(cfg: &RaspConfig, request_id: &str) -> RequestInput {
    let server = zend::superglobal(Superglobal::Server);
    let mut headers = Vec::new();
    if let Some(s) = server {
        zend::for_each(s, |k, v| {
            if let zend::Key::Str(name) = k {
                let header = if let Some(h) = name.strip_prefix(b"HTTP_") {
                    Some(h)
                } else if name == b"CONTENT_TYPE" || name == b"CONTENT_LENGTH" {
                    Some(name)
                } else {
                    None
                };
                if let (Some(h), Some(val)) = (header, zend::str_bytes(v)) {
                    let h = String::from_utf8_lossy(h)
                        .to_ascii_lowercase()
                        .replace('_', "-");
                    headers.push((h, val.to_vec()));
                }
            }
            headers.len() < 512
        });
    }
    let mut budget = cfg.context.max_values;
    let get = params(zend::superglobal(Superglobal::Get), &mut budget);
    let post = params(zend::superglobal(Superglobal::Post), &mut budget);
    let cookies = params(zend::superglobal(Superglobal::Cookie), &mut budget);
    let content_type = server_str(server, "CONTENT_TYPE");
    let is_json = content_type.to_ascii_lowercase().contains("json");
    let want = if is_json {
        cfg.context.body_maxbytes.max(cfg.context.json_maxbytes)
    } else {
        cfg.context.body_maxbytes
    };
    let https = server_str(server, "HTTPS");
    let scheme = if !https.is_empty() && !https.eq_ignore_ascii_case("off") {
        "https".to_string()
    } else {
        match server_str(server, "REQUEST_SCHEME") {
            s if s.is_empty() => "http".to_string(),
            s => s.to_ascii_lowercase(),
        }
    };
    let mut host = server_str(server, "HTTP_HOST");
    if host.is_empty() {
        host = server_str(server, "SERVER_NAME");
    }
    let method = server_str(server, "REQUEST_METHOD");
    RequestInput {
        request_id: request_id.to_string(),
        uri: if method.is_empty() {
            Vec::new()
        } else {
            server_str(server, "REQUEST_URI").into_bytes()
        },
        host: if method.is_empty() {
            String::new()
        } else {
            host
        },
        method,
        scheme,
        query_string: server_str(server, "QUERY_STRING").into_bytes(),
        protocol: server_str(server, "SERVER_PROTOCOL"),
        remote_addr: server_str(server, "REMOTE_ADDR"),
        server_addr: server_str(server, "SERVER_ADDR"),
        headers,
        get,
        post,
        cookies,
        body: zend::request_body(want),
        body_len: zend::content_length(),
        content_type,
        document_root: server_str(server, "DOCUMENT_ROOT"),
        php_version: zend::php_version(),
        os: std::env::consts::OS.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_are_32_lower_hex_digits_and_differ() {
        let a = super::new_request_id();
        let b = super::new_request_id();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
            "{a}"
        );
        assert_ne!(a, b);
    }
}
