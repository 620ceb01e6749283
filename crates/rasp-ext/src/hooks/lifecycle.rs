//! Once-per-request checks: `request` at the start, `requestEnd` and
//! `response` at the end.
//!
//! `request` runs at RINIT, where no PHP frame exists to throw from. A block
//! verdict is kept and enforced the moment PHP starts executing the script:
//! `zend_execute_ex` is pointed at a one-shot trampoline that restores the
//! original, raises the block (page + unwind-exit, or the exception in the
//! CLI) in the script's first frame, and lets the VM unwind before any
//! line of the application runs.
//!
//! `response` sees what the client got: the SAPI's `ub_write` is wrapped to
//! copy the first bytes of the body (header writes of CGI-style SAPIs are
//! told apart by also wrapping `send_headers`). By RSHUTDOWN the response
//! has been sent, so `response` and `requestEnd` can log but not block: a
//! block verdict is recorded as a log alarm.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};

use ext_php_rs::ffi;
use rasp_core::{CheckType, Verdict};
use serde_json::json;

use crate::zend::lossy;
use crate::{check, guard};

/// Bytes of the response body shown to plugins.
pub const RESPONSE_HEAD: usize = 64 * 1024;

type UbWrite = unsafe extern "C" fn(*const std::os::raw::c_char, usize) -> usize;
type SendHeaders = unsafe extern "C" fn(*mut ffi::sapi_headers_struct) -> std::os::raw::c_int;
type ExecuteEx = unsafe extern "C" fn(*mut ffi::zend_execute_data);

static ORIG_UB_WRITE: AtomicUsize = AtomicUsize::new(0);
static ORIG_SEND_HEADERS: AtomicUsize = AtomicUsize::new(0);
static ORIG_EXECUTE_EX: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The body so far, when this request's response is checked.
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    /// Inside send_headers: writes are header lines, not body.
    static IN_HEADERS: Cell<bool> = const { Cell::new(false) };
    /// A `request` block waiting for the script's first frame.
    static PENDING: RefCell<Option<Verdict>> = const { RefCell::new(None) };
}

unsafe extern "C" fn ub_write(s: *const std::os::raw::c_char, len: usize) -> usize {
    if !IN_HEADERS.with(Cell::get) && !s.is_null() {
        CAPTURE.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                if let Some(buf) = c.as_mut() {
                    let room = RESPONSE_HEAD.saturating_sub(buf.len()).min(len);
                    // SAFETY: PHP passes `len` readable bytes at `s`.
                    buf.extend_from_slice(unsafe {
                        std::slice::from_raw_parts(s as *const u8, room)
                    });
                }
            }
        });
    }
    let orig = ORIG_UB_WRITE.load(Ordering::Relaxed);
    // SAFETY: the SAPI's own ub_write, saved when we wrapped it.
    let orig: UbWrite = unsafe { std::mem::transmute::<usize, UbWrite>(orig) };
    // SAFETY: forwarding PHP's arguments unchanged.
    unsafe { orig(s, len) }
}

unsafe extern "C" fn send_headers(h: *mut ffi::sapi_headers_struct) -> std::os::raw::c_int {
    IN_HEADERS.with(|f| f.set(true));
    let orig = ORIG_SEND_HEADERS.load(Ordering::Relaxed);
    // SAFETY: the SAPI's own send_headers, saved when we wrapped it.
    let orig: SendHeaders = unsafe { std::mem::transmute::<usize, SendHeaders>(orig) };
    // SAFETY: forwarding PHP's argument unchanged.
    let r = unsafe { orig(h) };
    IN_HEADERS.with(|f| f.set(false));
    r
}

/// Wraps the SAPI's output functions once per process.
fn wrap_output() {
    if ORIG_UB_WRITE.load(Ordering::Relaxed) != 0 {
        return;
    }
    // SAFETY: sapi_module is the running SAPI's function table; we keep the
    // originals and always call them. Done once, at the first RINIT.
    unsafe {
        let m = &raw mut ffi::sapi_module;
        if let Some(w) = (*m).ub_write {
            ORIG_UB_WRITE.store(w as usize, Ordering::Relaxed);
            (*m).ub_write = Some(ub_write);
        }
        if let Some(h) = (*m).send_headers {
            ORIG_SEND_HEADERS.store(h as usize, Ordering::Relaxed);
            (*m).send_headers = Some(send_headers);
        }
    }
}

/// MSHUTDOWN: give the SAPI its own output functions back (our code may be
/// unloaded while the SAPI still writes, e.g. a shutdown error message).
pub fn uninstall() {
    restore_executor();
    // SAFETY: restoring the pointers we saved, at shutdown, if ours are
    // still installed.
    unsafe {
        let m = &raw mut ffi::sapi_module;
        let w = ORIG_UB_WRITE.swap(0, Ordering::Relaxed);
        if w != 0 && (*m).ub_write.map(|f| f as usize) == Some(ub_write as *const () as usize) {
            (*m).ub_write = Some(std::mem::transmute::<usize, UbWrite>(w));
        }
        let h = ORIG_SEND_HEADERS.swap(0, Ordering::Relaxed);
        if h != 0
            && (*m).send_headers.map(|f| f as usize) == Some(send_headers as *const () as usize)
        {
            (*m).send_headers = Some(std::mem::transmute::<usize, SendHeaders>(h));
        }
    }
}

unsafe extern "C" fn execute_once(ex: *mut ffi::zend_execute_data) {
    let orig = ORIG_EXECUTE_EX.swap(0, Ordering::Relaxed);
    // SAFETY: the executor we replaced; restored before anything else runs.
    let orig: ExecuteEx = unsafe { std::mem::transmute::<usize, ExecuteEx>(orig) };
    // SAFETY: putting the engine's executor back (one-shot trampoline).
    unsafe { ffi::zend_execute_ex = Some(orig) };
    if let Some(v) = PENDING.with(|p| p.borrow_mut().take()) {
        // EG(current_execute_data) is the script's frame: the block raises
        // an exception or exit there, and the VM unwinds at once.
        guard("request block", || check::respond_later(&v));
    }
    // SAFETY: running the frame with the real executor.
    unsafe { orig(ex) }
}

fn restore_executor() {
    let orig = ORIG_EXECUTE_EX.swap(0, Ordering::Relaxed);
    if orig != 0 {
        // SAFETY: the executor we replaced at RINIT, never consumed.
        unsafe { ffi::zend_execute_ex = Some(std::mem::transmute::<usize, ExecuteEx>(orig)) };
    }
    PENDING.with(|p| p.borrow_mut().take());
}

/// RINIT.
pub fn on_request_start() {
    wrap_output();
    let capture = check::wanted(CheckType::Response);
    CAPTURE.with(|c| *c.borrow_mut() = capture.then(Vec::new));
    if let Some(v) = check::judge(CheckType::Request, || json!({})) {
        // SAFETY: RINIT, before any script runs: install the one-shot
        // trampoline (restored by it, or at RSHUTDOWN if never reached).
        unsafe {
            if let Some(cur) = ffi::zend_execute_ex {
                if cur as usize != execute_once as *const () as usize {
                    ORIG_EXECUTE_EX.store(cur as usize, Ordering::Relaxed);
                    ffi::zend_execute_ex = Some(execute_once);
                }
            }
        }
        PENDING.with(|p| *p.borrow_mut() = Some(v));
    }
}

/// The Content-Type of the response (as sent, else PHP's default).
fn content_type() -> String {
    // SAFETY: SG(sapi_headers) is valid until sapi_deactivate, after
    // RSHUTDOWN; the list holds sapi_header_struct elements.
    unsafe {
        let sg = ffi::ext_php_rs_sapi_globals();
        let list = &(*sg).sapi_headers.headers;
        let mut e = list.head;
        let mut n = 0;
        while !e.is_null() && n < 256 {
            let h = (*e).data.as_ptr() as *const ffi::sapi_header_struct;
            if !(*h).header.is_null() {
                let b = std::slice::from_raw_parts((*h).header as *const u8, (*h).header_len);
                if b.len() > 13 && b[..13].eq_ignore_ascii_case(b"content-type:") {
                    return lossy(&b[13..]).trim().to_string();
                }
            }
            e = (*e).next;
            n += 1;
        }
        if crate::zend::is_cli() {
            return String::new();
        }
        let mime = if (*sg).default_mimetype.is_null() {
            "text/html".to_string()
        } else {
            std::ffi::CStr::from_ptr((*sg).default_mimetype)
                .to_string_lossy()
                .into_owned()
        };
        let charset = crate::zend::ini_string("default_charset").unwrap_or_default();
        if mime.starts_with("text/") && !charset.is_empty() {
            format!("{mime}; charset={charset}")
        } else {
            mime
        }
    }
}

/// RSHUTDOWN (the response has been sent).
pub fn on_request_end() {
    restore_executor();
    let body = CAPTURE.with(|c| c.borrow_mut().take());
    if let Some(body) = body {
        // Too late to block: a block verdict is logged (see judge's caller).
        let _ = check::judge_late(
            CheckType::Response,
            || json!({ "content": lossy(&body), "content_type": content_type() }),
        );
    }
    let _ = check::judge_late(CheckType::RequestEnd, || json!({}));
}
