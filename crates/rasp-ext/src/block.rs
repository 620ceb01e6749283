//! Stopping a request: the block page in server SAPIs, an exception in the CLI.
//!
//! In a web request we discard pending output, send the configured status
//! and page, and end the request with PHP's own unwind-exit (what `exit()`
//! does): shutdown functions and destructors run, nothing is logged as an
//! error, and application `catch (Throwable)` blocks cannot swallow it.

use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi;
use ext_php_rs::zend::{remove_all_headers, set_header, set_response_code};
use rasp_core::{RaspConfig, Verdict};

use crate::{request, zend, RaspBlockedException};

enum Format {
    Html,
    Json,
    Xml,
}

fn wanted_format() -> Format {
    let input = request::input();
    let accept = input
        .headers
        .iter()
        .find(|(k, _)| k == "accept")
        .map(|(_, v)| String::from_utf8_lossy(v).to_ascii_lowercase())
        .unwrap_or_default();
    let xrw = input
        .headers
        .iter()
        .any(|(k, v)| k == "x-requested-with" && v.eq_ignore_ascii_case(b"xmlhttprequest"));
    if accept.contains("application/json") || (xrw && !accept.contains("text/html")) {
        Format::Json
    } else if (accept.contains("/xml") || accept.contains("+xml")) && !accept.contains("text/html")
    {
        Format::Xml
    } else {
        Format::Html
    }
}

fn headers_sent() -> bool {
    // SAFETY: plain field of the SAPI globals of the running request.
    unsafe { (*ffi::ext_php_rs_sapi_globals()).headers_sent != 0 }
}

/// Answers the request with the block response and ends it. Returns with a
/// pending PHP exception (CLI) or unwind-exit (web); the caller must not run
/// the hooked function.
pub fn respond(cfg: &RaspConfig, verdict: &Verdict) {
    let id = request::id();
    if zend::is_cli() {
        let msg = format!(
            "php-rasp blocked this call: {} (request id {id})",
            if verdict.message.is_empty() {
                "attack detected"
            } else {
                &verdict.message
            }
        );
        PhpException::from_class::<RaspBlockedException>(msg).throw();
        return;
    }
    // SAFETY: discarding the contents of all active output buffers of the
    // running request, as ob_end_clean() in a loop would.
    unsafe { ffi::php_output_discard_all() };
    let body = if !headers_sent() {
        let _ = remove_all_headers();
        let rid = &cfg.request_id_header;
        if !rid.is_empty() {
            let _ = set_header(&format!("{rid}: {id}"));
        }
        if !cfg.block.redirect_url.is_empty() {
            let _ = set_response_code(302);
            let _ = set_header(&format!(
                "Location: {}",
                cfg.block.redirect_url.replace("%request_id%", &id)
            ));
            String::new()
        } else {
            let _ = set_response_code(cfg.block.status_code);
            let (ctype, body) = match wanted_format() {
                Format::Json => ("application/json", &cfg.block.content_json),
                Format::Xml => ("application/xml", &cfg.block.content_xml),
                Format::Html => ("text/html; charset=utf-8", &cfg.block.content_html),
            };
            let _ = set_header(&format!("Content-Type: {ctype}"));
            let _ = set_header("Cache-Control: no-store");
            body.replace("%request_id%", &id)
        }
    } else {
        // Too late for a status: still stop, and say why in the page.
        cfg.block.content_html.replace("%request_id%", &id)
    };
    if !body.is_empty() {
        // SAFETY: writes `len` bytes to PHP's output layer.
        unsafe { ffi::php_output_write(body.as_ptr() as *const _, body.len()) };
    }
    // SAFETY: raises PHP's unwind-exit, the same as `exit()`; we return to
    // the VM right after without running the hooked function.
    unsafe { ffi::zend_throw_unwind_exit() };
}
