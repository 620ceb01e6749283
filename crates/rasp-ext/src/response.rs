//! What we add to responses: the request id header, `X-Protected-By`, and
//! the operator's HTML snippet on pages under `inject.urlprefix`.
//!
//! Injection appends to text/html only, never to a compressed body (a
//! `Content-Encoding` header, e.g. from ob_gzhandler inside our handler),
//! and drops a `Content-Length` the application set so the length stays
//! right. The handler buffers the page, so it is started only for matching
//! URLs, and it is removable: an application that ends all output buffers
//! simply loses the snippet, it does not get a notice from us.

use std::borrow::Cow;
use std::ffi::CStr;

use ext_php_rs::ffi;
use ext_php_rs::zend::{
    remove_header, set_header, start_output_handler, OutputHandlerFlags, OutputOp,
};
use rasp_core::{CheckTypeSet, RaspConfig};

use crate::{logs, request, zend};

/// The response headers set so far, as `Name: value` lines.
fn headers() -> Vec<String> {
    let mut out = Vec::new();
    // SAFETY: SG(sapi_headers).headers is a zend_llist whose elements hold a
    // sapi_header_struct inline in `data`; we only read while PHP does not
    // modify the list (inside our own handler / RINIT).
    unsafe {
        let sg = ffi::ext_php_rs_sapi_globals();
        let mut el = (*sg).sapi_headers.headers.head;
        while !el.is_null() && out.len() < 512 {
            let h = (*el).data.as_ptr() as *const ffi::sapi_header_struct;
            if !(*h).header.is_null() {
                let b = std::slice::from_raw_parts((*h).header as *const u8, (*h).header_len);
                out.push(String::from_utf8_lossy(b).into_owned());
            }
            el = (*el).next;
        }
    }
    out
}

fn header_value<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The response's content type: the header, else PHP's default_mimetype.
fn content_type(headers: &[String]) -> String {
    if let Some(v) = header_value(headers, "Content-Type") {
        return v.to_ascii_lowercase();
    }
    // SAFETY: mimetype / default_mimetype are NULL or NUL-terminated strings
    // owned by the SAPI globals for the request.
    unsafe {
        let sg = ffi::ext_php_rs_sapi_globals();
        for p in [(*sg).sapi_headers.mimetype, (*sg).default_mimetype] {
            if !p.is_null() {
                return CStr::from_ptr(p).to_string_lossy().to_ascii_lowercase();
            }
        }
    }
    "text/html".into()
}

fn headers_sent() -> bool {
    // SAFETY: plain field of the SAPI globals.
    unsafe { (*ffi::ext_php_rs_sapi_globals()).headers_sent != 0 }
}

/// Whether the HTML snippet may be appended to what the application sent.
fn may_inject() -> bool {
    let h = headers();
    if !content_type(&h).starts_with("text/html") || header_value(&h, "Content-Encoding").is_some()
    {
        return false;
    }
    if header_value(&h, "Content-Length").is_some() {
        if headers_sent() {
            return false; // the length is on the wire already
        }
        let _ = remove_header("Content-Length");
    }
    true
}

/// Whether the request URL is under `inject.urlprefix` (same semantics as
/// the whitelist: host + path prefix, `/path` for any host, `*` for all).
fn under_prefix(cfg: &RaspConfig) -> bool {
    let Ok(w) =
        rasp_whitelist::Whitelist::build([(cfg.inject.urlprefix.as_str(), CheckTypeSet::all())])
    else {
        return false;
    };
    let input = request::input();
    !w.view()
        .lookup_bytes(input.host.as_bytes(), input.path())
        .is_empty()
}

/// One run of the inject handler: pass output through, append the snippet
/// once at the end if the response allows it.
fn inject_chunk<'a>(
    appended: &mut bool,
    html: &str,
    chunk: &'a [u8],
    op: OutputOp,
) -> Cow<'a, [u8]> {
    if *appended || !op.contains(OutputOp::Final) || op.contains(OutputOp::Clean) {
        return Cow::Borrowed(chunk);
    }
    *appended = true;
    if !may_inject() {
        return Cow::Borrowed(chunk);
    }
    let mut v = Vec::with_capacity(chunk.len() + html.len());
    v.extend_from_slice(chunk);
    v.extend_from_slice(html.as_bytes());
    Cow::Owned(v)
}

fn start_inject(html: String) {
    let mut appended = false;
    let started = start_output_handler(
        "php-rasp inject",
        0,
        OutputHandlerFlags::Std,
        move |chunk, op| inject_chunk(&mut appended, &html, chunk, op),
    );
    if started.is_err() {
        logs::rasp(
            "warning",
            "could not start the inject output handler; the page is served without the snippet",
        );
    }
}

/// RINIT, server SAPIs only.
pub fn on_request_start(cfg: &RaspConfig) {
    if zend::is_cli() {
        return;
    }
    if !cfg.request_id_header.is_empty() {
        let _ = set_header(&format!("{}: {}", cfg.request_id_header, request::id()));
    }
    if cfg.protected_by_header {
        let _ = set_header("X-Protected-By: php-rasp");
    }
    if !cfg.inject.urlprefix.is_empty() && !cfg.inject.custom_html.is_empty() && under_prefix(cfg) {
        start_inject(cfg.inject.custom_html.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::header_value;

    #[test]
    fn header_lookup_is_case_insensitive() {
        let h = vec![
            "content-type: text/html; charset=UTF-8".to_string(),
            "X-A: 1".into(),
        ];
        assert_eq!(
            header_value(&h, "Content-Type"),
            Some("text/html; charset=UTF-8")
        );
        assert_eq!(header_value(&h, "x-a"), Some("1"));
        assert_eq!(header_value(&h, "Content-Length"), None);
    }
}
