//! Outbound requests: curl (single and multi), URL reads through stream
//! wrappers, raw sockets, SOAP.
//!
//! `ssrf` carries the URL, its host and port and the addresses the host
//! resolves to (the plugin must judge where the request really goes, e.g. a
//! public name that resolves to 169.254.169.254). After curl followed a
//! redirect, `ssrfRedirect` reports where it ended up; the request already
//! happened, so a block stops the application from using the answer.

use std::cell::RefCell;
use std::net::ToSocketAddrs;

use ext_php_rs::ffi;
use ext_php_rs::types::Zval;
use rasp_core::url::{self, Url};
use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, lossy, Call};

const CURLINFO_EFFECTIVE_URL: i64 = 0x10_0001;
const CURLINFO_RESPONSE_CODE: i64 = 0x20_0002;
const CURLINFO_REDIRECT_COUNT: i64 = 0x20_0014;
const CURLINFO_PRIMARY_IP: i64 = 0x10_0020;

/// Host -> addresses, for one request (serial).
type DnsCache = (u64, Vec<(String, Vec<String>)>);

// Addresses resolved per request, so a page fetching 50 URLs from one
// host asks DNS once.
thread_local! {
    static DNS: RefCell<DnsCache> = const { RefCell::new((0, Vec::new())) };
}

/// The addresses `host` resolves to (literals without a lookup).
fn resolve(host: &str, port: u16) -> Vec<String> {
    if let Some(ip) = url::ip_literal(host) {
        return vec![ip.to_string()];
    }
    let serial = crate::request::serial();
    if let Some(hit) = DNS.with(|d| {
        let d = d.borrow();
        (d.0 == serial)
            .then(|| {
                d.1.iter()
                    .find(|(h, _)| h == host)
                    .map(|(_, ips)| ips.clone())
            })
            .flatten()
    }) {
        return hit;
    }
    let mut ips: Vec<String> = Vec::new();
    if let Ok(addrs) = (host, port).to_socket_addrs() {
        for a in addrs {
            let ip = a.ip().to_string();
            if !ips.contains(&ip) && ips.len() < 16 {
                ips.push(ip);
            }
        }
    }
    DNS.with(|d| {
        let mut d = d.borrow_mut();
        if d.0 != serial {
            *d = (serial, Vec::new());
        }
        if d.1.len() < 256 {
            d.1.push((host.to_string(), ips.clone()));
        }
    });
    ips
}

fn ssrf(given: &str, u: Url, function: &str) -> Flow {
    check::run(CheckType::Ssrf, || {
        let ip = resolve(&u.hostname, u.port);
        json!({
            "url": given,
            "hostname": u.hostname,
            "port": u.port.to_string(),
            "ip": ip,
            "function": function,
        })
    })
}

/// A URL without a host (`file:///etc/passwd`): still an `ssrf` check, so
/// that plugins can judge the protocol it picks.
fn ssrf_hostless(given: &str, function: &str) -> Flow {
    if !given.contains("://") {
        return Flow::Continue;
    }
    check::run(CheckType::Ssrf, || {
        json!({
            "url": given,
            "hostname": "",
            "port": "",
            "ip": [],
            "function": function,
        })
    })
}

/// An outbound request to `raw` (a URL) made by `function`.
pub fn ssrf_url(function: &str, raw: &[u8]) -> Flow {
    if !check::wanted(CheckType::Ssrf) {
        return Flow::Continue;
    }
    let given = lossy(raw);
    match url::parse(&given) {
        Some(u) => ssrf(&given, u, function),
        None => ssrf_hostless(&given, function),
    }
}

/// `get_headers($url)`.
pub fn url_first(call: &Call) -> Flow {
    match call.arg(1).and_then(zend::path_arg) {
        Some(u) if rasp_core::path::target(&u).remote => ssrf_url(&call.function_name(), &u),
        _ => Flow::Continue,
    }
}

fn curl_info(ch: &Zval, what: i64) -> Option<Zval> {
    let mut opt = Zval::new();
    opt.set_long(what);
    zend::call("curl_getinfo", &[ch, &opt])
}

fn curl_url(ch: &Zval) -> Option<String> {
    let z = curl_info(ch, CURLINFO_EFFECTIVE_URL)?;
    zend::str_bytes(&z).filter(|b| !b.is_empty()).map(lossy)
}

/// Object handle of a CurlHandle argument.
fn handle_of(z: &Zval) -> Option<u32> {
    zend::object(z)
        .filter(|o| zend::instance_of(o, "curlhandle"))
        .map(|o| o.handle)
}

thread_local! {
    /// URL each running curl_exec started with, by handle, for ssrfRedirect.
    static STARTED: RefCell<Vec<(u32, String)>> = const { RefCell::new(Vec::new()) };
}

/// `curl_exec($ch)`: the URL set on the handle.
pub fn curl_exec(call: &Call) -> Flow {
    let Some(ch) = call.arg(1) else {
        return Flow::Continue;
    };
    let Some(handle) = handle_of(ch) else {
        return Flow::Continue;
    };
    let ssrf_on = check::wanted(CheckType::Ssrf);
    let redirect_on = check::wanted(CheckType::SsrfRedirect);
    if !ssrf_on && !redirect_on {
        return Flow::Continue;
    }
    let Some(given) = curl_url(ch) else {
        return Flow::Continue;
    };
    if redirect_on {
        STARTED.with(|s| {
            let mut s = s.borrow_mut();
            s.retain(|(h, _)| *h != handle);
            if s.len() < 64 {
                s.push((handle, given.clone()));
            }
        });
    }
    if !ssrf_on {
        return Flow::Continue;
    }
    match url::parse(&given) {
        Some(u) => ssrf(&given, u, "curl_exec"),
        None => ssrf_hostless(&given, "curl_exec"),
    }
}

/// After `curl_exec($ch)`: if curl followed redirects, where it ended.
pub fn curl_exec_done(call: &Call, _ret: &Zval) -> Flow {
    let Some(ch) = call.arg(1) else {
        return Flow::Continue;
    };
    let Some(handle) = handle_of(ch) else {
        return Flow::Continue;
    };
    let started = STARTED.with(|s| {
        let mut s = s.borrow_mut();
        let i = s.iter().position(|(h, _)| *h == handle)?;
        Some(s.swap_remove(i).1)
    });
    let Some(first) = started else {
        return Flow::Continue;
    };
    let count = curl_info(ch, CURLINFO_REDIRECT_COUNT)
        .and_then(|z| zend::long(&z))
        .unwrap_or(0);
    if count <= 0 || !check::wanted(CheckType::SsrfRedirect) {
        return Flow::Continue;
    }
    let Some(last) = curl_url(ch) else {
        return Flow::Continue;
    };
    let (Some(u1), Some(u2)) = (url::parse(&first), url::parse(&last)) else {
        return Flow::Continue;
    };
    let status = curl_info(ch, CURLINFO_RESPONSE_CODE)
        .and_then(|z| zend::long(&z))
        .unwrap_or(0);
    let ip2 = curl_info(ch, CURLINFO_PRIMARY_IP)
        .and_then(|z| zend::str_bytes(&z).filter(|b| !b.is_empty()).map(lossy));
    check::run(CheckType::SsrfRedirect, || {
        let ip = resolve(&u1.hostname, u1.port);
        let ip2 = ip2
            .map(|i| vec![i])
            .unwrap_or_else(|| resolve(&u2.hostname, u2.port));
        json!({
            "url": first,
            "hostname": u1.hostname,
            "port": u1.port.to_string(),
            "ip": ip,
            "url2": last,
            "hostname2": u2.hostname,
            "port2": u2.port.to_string(),
            "ip2": ip2,
            "http_status": status.to_string(),
            "http_message": "",
            "redirect_count": count.to_string(),
            "function": "curl_exec",
        })
    })
}

/// Easy handles added to multi handles and not checked yet:
/// (multi handle, easy handle, easy object) per entry.
struct Pending {
    serial: u64,
    list: Vec<(u32, u32, *const ffi::zend_object)>,
}

thread_local! {
    static MULTI: RefCell<Pending> = const { RefCell::new(Pending { serial: 0, list: Vec::new() }) };
}

fn with_multi<R>(f: impl FnOnce(&mut Vec<(u32, u32, *const ffi::zend_object)>) -> R) -> R {
    let serial = crate::request::serial();
    MULTI.with(|m| {
        let mut m = m.borrow_mut();
        if m.serial != serial {
            m.serial = serial;
            m.list.clear();
        }
        f(&mut m.list)
    })
}

fn multi_handle(z: &Zval) -> Option<u32> {
    zend::object(z)
        .filter(|o| zend::instance_of(o, "curlmultihandle"))
        .map(|o| o.handle)
}

/// `curl_multi_add_handle($mh, $ch)`: remember it for the next exec.
pub fn curl_multi_add(call: &Call) -> Flow {
    if !check::wanted(CheckType::Ssrf) {
        return Flow::Continue;
    }
    let (Some(mh), Some(ch)) = (call.arg(1).and_then(multi_handle), call.arg(2)) else {
        return Flow::Continue;
    };
    let Some(obj) = zend::object(ch).filter(|o| zend::instance_of(o, "curlhandle")) else {
        return Flow::Continue;
    };
    let ptr = obj as *const _ as *const ffi::zend_object;
    with_multi(|l| {
        l.retain(|(m, e, _)| !(*m == mh && *e == obj.handle));
        if l.len() < 1024 {
            l.push((mh, obj.handle, ptr));
        }
    });
    Flow::Continue
}

/// `curl_multi_remove_handle($mh, $ch)`.
pub fn curl_multi_remove(call: &Call) -> Flow {
    if let (Some(mh), Some(ch)) = (
        call.arg(1).and_then(multi_handle),
        call.arg(2).and_then(handle_of),
    ) {
        with_multi(|l| l.retain(|(m, e, _)| !(*m == mh && *e == ch)));
    }
    Flow::Continue
}

/// `curl_multi_exec($mh, $running)`: checks the handles added since the
/// last exec (the first exec starts their transfers).
pub fn curl_multi_exec(call: &Call) -> Flow {
    let Some(mh) = call.arg(1).and_then(multi_handle) else {
        return Flow::Continue;
    };
    let due: Vec<(u32, *const ffi::zend_object)> = with_multi(|l| {
        let due = l
            .iter()
            .filter(|(m, _, _)| *m == mh)
            .map(|(_, e, p)| (*e, *p))
            .collect();
        l.retain(|(m, _, _)| *m != mh);
        due
    });
    if !check::wanted(CheckType::Ssrf) {
        return Flow::Continue;
    }
    for (handle, ptr) in due {
        // The multi handle holds a reference to each added easy handle, but
        // check the object is still the one we saw before touching it.
        if !zend::object_alive(handle, ptr) {
            continue;
        }
        let mut z = Zval::new();
        // SAFETY: `ptr` is a live object (checked above); set_object takes
        // a reference of its own, released when `z` drops.
        unsafe { z.set_object(&mut *(ptr as *mut ext_php_rs::types::ZendObject)) };
        let Some(given) = curl_url(&z) else { continue };
        if let Some(u) = url::parse(&given) {
            if ssrf(&given, u, "curl_multi_exec") == Flow::Skip {
                return Flow::Skip;
            }
        }
    }
    Flow::Continue
}

/// `fsockopen($hostname, $port)`, `pfsockopen`.
pub fn fsockopen(call: &Call) -> Flow {
    let Some(host) = call.arg_str(1) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Ssrf) {
        return Flow::Continue;
    }
    let port = call
        .arg(2)
        .and_then(zend::long)
        .filter(|p| (1..=65535).contains(p));
    let host = lossy(host);
    let Some(u) = url::socket_target(&host, port.map(|p| p as u16)) else {
        return Flow::Continue;
    };
    let given = match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    ssrf(&given, u, &call.function_name())
}

/// `stream_socket_client("tcp://host:port")`.
pub fn stream_socket_client(call: &Call) -> Flow {
    let Some(addr) = call.arg_str(1) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Ssrf) {
        return Flow::Continue;
    }
    let given = lossy(addr);
    match url::socket_target(&given, None) {
        Some(u) => ssrf(&given, u, "stream_socket_client"),
        None => Flow::Continue,
    }
}

fn soap_url(u: &[u8], function: &str) -> Flow {
    let t = rasp_core::path::target(u);
    if t.remote {
        ssrf_url(function, u)
    } else {
        Flow::Continue
    }
}

/// `new SoapClient($wsdl, ['location' => ...])`.
pub fn soap_construct(call: &Call) -> Flow {
    if let Some(w) = call.arg_str(1) {
        if soap_url(w, "SoapClient::__construct") == Flow::Skip {
            return Flow::Skip;
        }
    }
    if let Some(loc) = call
        .arg(2)
        .and_then(|o| zend::array_get(o, "location"))
        .and_then(zend::str_bytes)
    {
        return soap_url(loc, "SoapClient::__construct");
    }
    Flow::Continue
}

/// `SoapClient::__doRequest($request, $location, ...)`: every SOAP call.
pub fn soap_do_request(call: &Call) -> Flow {
    match call.arg_str(2) {
        Some(loc) => soap_url(loc, "SoapClient::__doRequest"),
        None => Flow::Continue,
    }
}
