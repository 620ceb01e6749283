//! include / include_once / require / require_once / eval.
//!
//! These are opcodes, not functions, so there is no handler to wrap. Two
//! ways in (rasp.yml `hook.include`):
//! - **opcode**: a user opcode handler for ZEND_INCLUDE_OR_EVAL runs before
//!   every include and eval, sees the raw operand, and also sees
//!   `include_once` of a file already included. PHP disables the opcache
//!   JIT when any extension sets a user opcode handler.
//! - **compile**: wrapping `zend_compile_file` / `zend_compile_string`,
//!   installed at the first RINIT so that we sit outside opcache and also
//!   see cached files. Keeps the JIT; the raw operand and the include kind
//!   still come from the executing opline, but an `include_once` of a file
//!   already included compiles nothing and is not seen.
//!
//! `auto` (default) picks compile when the opcache JIT is configured on,
//! opcode otherwise. The opcode handler must be in place before opcache
//! decides about the JIT, so the mode is fixed in the post-startup callback
//! (MINIT runs before rasp.yml is read); when rasp.yml could not be read at
//! startup (php-fpm pools that set rasp.root_dir), compile is used.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;

use ext_php_rs::ffi;
use rasp_core::config::IncludeHook;
use rasp_core::{path, CheckType};
use serde_json::json;

use super::{webshell, Flow};
use crate::zend::{self, lossy};
use crate::{check, guard, state};

const UNDECIDED: u8 = 0;
const OPCODE: u8 = 1;
const COMPILE: u8 = 2;

static MODE: AtomicU8 = AtomicU8::new(UNDECIDED);
/// Why this mode: shown by `php --ri rasp`.
static REASON: Mutex<String> = Mutex::new(String::new());
static PREV_HANDLER: AtomicUsize = AtomicUsize::new(0);
static PREV_USER_CALL: AtomicUsize = AtomicUsize::new(0);
static ORIG_COMPILE_FILE: AtomicUsize = AtomicUsize::new(0);
static ORIG_COMPILE_STRING: AtomicUsize = AtomicUsize::new(0);

fn set_reason(r: String) {
    *REASON.lock().unwrap_or_else(|e| e.into_inner()) = r;
}

/// Bytes of a size ini value such as `64M`.
fn ini_size(v: &str) -> u64 {
    let v = v.trim();
    let (num, mult) = match v.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&v[..v.len() - 1], 1 << 10),
        Some('m') => (&v[..v.len() - 1], 1 << 20),
        Some('g') => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    num.trim().parse::<u64>().unwrap_or(0) * mult
}

fn ini(name: &str) -> Option<String> {
    zend::ini_string(name).or_else(|| zend::cfg_string(name))
}

/// Whether the opcache JIT is configured on for this SAPI.
pub fn jit_configured() -> bool {
    let enable = if zend::is_cli() {
        "opcache.enable_cli"
    } else {
        "opcache.enable"
    };
    let on = |v: Option<String>| {
        matches!(
            v.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some("1" | "on" | "yes" | "true")
        )
    };
    if !on(ini(enable)) {
        return false;
    }
    let jit = ini("opcache.jit")
        .unwrap_or_else(|| "tracing".into())
        .to_ascii_lowercase();
    if matches!(jit.as_str(), "0" | "off" | "disable" | "") {
        return false;
    }
    ini("opcache.jit_buffer_size")
        .map(|v| ini_size(&v))
        .unwrap_or(0)
        > 0
}

/// Chooses the mode once rasp.yml is known (post-startup) and installs the
/// opcode handler if that is the choice. Safe to call repeatedly.
pub fn setup() {
    if MODE.load(Ordering::Relaxed) != UNDECIDED {
        return;
    }
    let Some(settings) = state::settings() else {
        return;
    };
    let configured = settings.config.include_hook;
    let jit = jit_configured();
    let opcode = match configured {
        IncludeHook::Opcode => true,
        IncludeHook::Compile => false,
        IncludeHook::Auto => !jit,
    };
    let why = match configured {
        IncludeHook::Auto if jit => "hook.include=auto, opcache JIT is on".to_string(),
        IncludeHook::Auto => "hook.include=auto, opcache JIT is off".to_string(),
        other => format!("hook.include={}", other.as_str()),
    };
    if opcode {
        // SAFETY: startup, single-threaded: we chain a previously installed
        // handler for the same opcode.
        unsafe {
            let op = ffi::ZEND_INCLUDE_OR_EVAL as u8;
            let prev = ffi::zend_get_user_opcode_handler(op);
            PREV_HANDLER.store(prev.map_or(0, |f| f as usize), Ordering::Relaxed);
            ffi::zend_set_user_opcode_handler(op, Some(opcode_handler));
            // call_user_func()/call_user_func_array() called by name never
            // reach their handler: PHP compiles them to INIT_USER_CALL.
            let op = ffi::ZEND_INIT_USER_CALL as u8;
            let prev = ffi::zend_get_user_opcode_handler(op);
            PREV_USER_CALL.store(prev.map_or(0, |f| f as usize), Ordering::Relaxed);
            ffi::zend_set_user_opcode_handler(op, Some(user_call_handler));
        }
        MODE.store(OPCODE, Ordering::Relaxed);
        set_reason(format!("opcode handler ({why})"));
    } else {
        MODE.store(COMPILE, Ordering::Relaxed);
        set_reason(format!("compile hook ({why})"));
    }
}

/// First RINIT: put the compile hooks outside opcache's (which are set up
/// at startup), or decide for compile if no mode was fixed at startup.
pub fn on_request_start() {
    if MODE.load(Ordering::Relaxed) == UNDECIDED {
        MODE.store(COMPILE, Ordering::Relaxed);
        set_reason("compile hook (rasp.yml was not readable at startup)".into());
    }
    if MODE.load(Ordering::Relaxed) != COMPILE || ORIG_COMPILE_FILE.load(Ordering::Relaxed) != 0 {
        return;
    }
    // SAFETY: swapping the engine's compile function pointers; the
    // originals are kept and always called. NTS: one thread; under ZTS these
    // pointers are process-wide and this runs once (guarded by the slot).
    unsafe {
        let f = ffi::zend_compile_file;
        let s = ffi::zend_compile_string;
        ORIG_COMPILE_FILE.store(f.map_or(1, |f| f as usize), Ordering::Relaxed);
        ORIG_COMPILE_STRING.store(s.map_or(0, |f| f as usize), Ordering::Relaxed);
        if f.is_some() {
            ffi::zend_compile_file = Some(compile_file);
        }
        if s.is_some() {
            ffi::zend_compile_string = Some(compile_string);
        }
    }
}

/// MSHUTDOWN: put everything back, so a reload starts clean.
pub fn uninstall() {
    // SAFETY: restoring what we replaced, at shutdown.
    unsafe {
        if MODE.load(Ordering::Relaxed) == OPCODE {
            let prev = PREV_HANDLER.swap(0, Ordering::Relaxed);
            let prev: ffi::user_opcode_handler_t =
                std::mem::transmute::<usize, ffi::user_opcode_handler_t>(prev);
            ffi::zend_set_user_opcode_handler(ffi::ZEND_INCLUDE_OR_EVAL as u8, prev);
            let prev = PREV_USER_CALL.swap(0, Ordering::Relaxed);
            let prev: ffi::user_opcode_handler_t =
                std::mem::transmute::<usize, ffi::user_opcode_handler_t>(prev);
            ffi::zend_set_user_opcode_handler(ffi::ZEND_INIT_USER_CALL as u8, prev);
        }
        let f = ORIG_COMPILE_FILE.swap(0, Ordering::Relaxed);
        if f > 1
            && ffi::zend_compile_file.map(|x| x as usize)
                == Some(compile_file as *const () as usize)
        {
            ffi::zend_compile_file = std::mem::transmute::<usize, Option<CompileFile>>(f);
        }
        let s = ORIG_COMPILE_STRING.swap(0, Ordering::Relaxed);
        if s != 0
            && ffi::zend_compile_string.map(|x| x as usize)
                == Some(compile_string as *const () as usize)
        {
            ffi::zend_compile_string = std::mem::transmute::<usize, Option<CompileString>>(s);
        }
    }
    MODE.store(UNDECIDED, Ordering::Relaxed);
}

pub fn describe() -> String {
    let r = REASON.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if r.is_empty() {
        "not decided yet (at startup or first request)".into()
    } else {
        r
    }
}

fn kind_name(kind: u32) -> &'static str {
    match kind {
        ffi::ZEND_INCLUDE => "include",
        ffi::ZEND_INCLUDE_ONCE => "include_once",
        ffi::ZEND_REQUIRE => "require",
        ffi::ZEND_REQUIRE_ONCE => "require_once",
        ffi::ZEND_EVAL => "eval",
        _ => "include",
    }
}

/// The `include` check: raw operand, where it resolves to, which statement.
fn include_check(kind: u32, raw: &[u8], resolved: Option<Vec<u8>>) -> Flow {
    if !check::wanted(CheckType::Include) {
        return Flow::Continue;
    }
    check::run_gated(CheckType::Include, &[("path", raw), ("url", raw)], || {
        // The compile hook knows the opened file; a relative name there
        // (or none, in the opcode handler) is resolved the way PHP will.
        let real = resolved
            .filter(|p| p.first() == Some(&b'/'))
            .or_else(|| zend::resolve_include(raw))
            .unwrap_or_else(|| path::resolve(raw, &zend::cwd()));
        json!({
            "path": lossy(raw),
            "url": lossy(raw),
            "realpath": lossy(&real),
            "function": kind_name(kind),
        })
    })
}

/// Include or eval about to run at `ex`'s opline.
fn judge_opline(ex: *mut ffi::zend_execute_data, resolved: Option<Vec<u8>>) -> Flow {
    let Some((kind, operand)) = zend::include_opline(ex) else {
        return Flow::Continue;
    };
    let Some(raw) = zend::scalar_bytes(operand) else {
        return Flow::Continue;
    };
    if kind == ffi::ZEND_EVAL {
        webshell::eval_code(&raw, "eval")
    } else {
        include_check(kind, &raw, resolved)
    }
}

type CompileFile =
    unsafe extern "C" fn(*mut ffi::zend_file_handle, c_int) -> *mut ffi::zend_op_array;
type CompileString = unsafe extern "C" fn(
    *mut ffi::zend_string,
    *const std::os::raw::c_char,
    ffi::zend_compile_position,
) -> *mut ffi::zend_op_array;

unsafe extern "C" fn opcode_handler(ex: *mut ffi::zend_execute_data) -> c_int {
    // SAFETY: `ex` is the running user frame; read its opline before a
    // block moves EX(opline) to the exception handler.
    let op = unsafe { (*ex).opline };
    let skip = crate::state::hooks_active()
        && guard("include/eval", || judge_opline(ex, None)) == Some(Flow::Skip);
    if skip {
        // The VM will not run this opline: free its temporary operand as
        // the opline would have, and leave its result UNDEF, since
        // HANDLE_EXCEPTION releases the result of the throwing opline.
        // SAFETY: `op` is the include opline of this frame; its operand and
        // result slots are zvals of this frame addressed by EX_VAR offsets.
        unsafe {
            if !op.is_null() {
                free_operand(ex, (*op).op1_type, (*op).op1);
                if matches!((*op).result_type as u32, ffi::IS_TMP_VAR | ffi::IS_VAR) {
                    let r = (ex as *mut u8).add((*op).result.var as usize) as *mut ffi::zval;
                    (*r).u1.type_info = ffi::IS_UNDEF;
                }
            }
        }
        return ffi::ZEND_USER_OPCODE_CONTINUE as c_int;
    }
    let prev = PREV_HANDLER.load(Ordering::Relaxed);
    if prev != 0 {
        // SAFETY: the handler that was installed before ours, same type.
        let prev: unsafe extern "C" fn(*mut ffi::zend_execute_data) -> c_int =
            unsafe { std::mem::transmute(prev) };
        // SAFETY: chaining with the frame PHP gave us.
        return unsafe { prev(ex) };
    }
    ffi::ZEND_USER_OPCODE_DISPATCH as c_int
}

/// Frees a temporary operand of an opline the VM will now skip.
///
/// # Safety
/// `ex` is the running user frame and `node` an operand of its opline.
unsafe fn free_operand(ex: *mut ffi::zend_execute_data, kind: u8, node: ffi::znode_op) {
    if matches!(kind as u32, ffi::IS_TMP_VAR | ffi::IS_VAR) {
        // SAFETY: per the contract, a zval slot of this frame owned by the opline.
        unsafe {
            let z = (ex as *mut u8).add(node.var as usize) as *mut ffi::zval;
            ffi::zval_ptr_dtor(z);
            (*z).u1.type_info = ffi::IS_UNDEF;
        }
    }
}

unsafe extern "C" fn user_call_handler(ex: *mut ffi::zend_execute_data) -> c_int {
    // SAFETY: `ex` is the running user frame; read its opline before a
    // block moves EX(opline) to the exception handler.
    let op = unsafe { (*ex).opline };
    let skip = crate::state::callable_hooks_active()
        && guard("call_user_func", || match zend::user_call_opline(ex) {
            Some((name, callable)) => webshell::callable(callable, || {
                zend::str_bytes(name).map(lossy).unwrap_or_default()
            }),
            None => Flow::Continue,
        }) == Some(Flow::Skip);
    if skip {
        if !op.is_null() {
            // SAFETY: `op` is this frame's INIT_USER_CALL opline.
            unsafe { free_operand(ex, (*op).op2_type, (*op).op2) };
        }
        return ffi::ZEND_USER_OPCODE_CONTINUE as c_int;
    }
    let prev = PREV_USER_CALL.load(Ordering::Relaxed);
    if prev != 0 {
        // SAFETY: the handler installed before ours for this opcode.
        let prev: unsafe extern "C" fn(*mut ffi::zend_execute_data) -> c_int =
            unsafe { std::mem::transmute(prev) };
        // SAFETY: chaining with the frame PHP gave us.
        return unsafe { prev(ex) };
    }
    ffi::ZEND_USER_OPCODE_DISPATCH as c_int
}

unsafe extern "C" fn compile_file(
    fh: *mut ffi::zend_file_handle,
    ty: c_int,
) -> *mut ffi::zend_op_array {
    let skip = crate::state::hooks_active()
        && guard("include", || {
            // SAFETY: `fh` is the handle PHP passes to compile; the primary
            // script (and auto_prepend/append) is not an include.
            let (primary, resolved) = unsafe {
                if fh.is_null() {
                    (true, None)
                } else {
                    let p = zend::zstr_bytes((*fh).opened_path)
                        .or_else(|| zend::zstr_bytes((*fh).filename));
                    ((*fh).primary_script, p.map(<[u8]>::to_vec))
                }
            };
            if primary {
                return Flow::Continue;
            }
            let ex = zend::current_frame();
            match zend::include_opline(ex) {
                Some((kind, _)) if kind != ffi::ZEND_EVAL => judge_opline(ex, resolved),
                _ => Flow::Continue,
            }
        }) == Some(Flow::Skip);
    if skip {
        return std::ptr::null_mut();
    }
    let orig = ORIG_COMPILE_FILE.load(Ordering::Relaxed);
    // SAFETY: the compile function we replaced (non-zero while installed).
    let orig: CompileFile = unsafe { std::mem::transmute::<usize, CompileFile>(orig) };
    // SAFETY: calling it with PHP's own arguments.
    unsafe { orig(fh, ty) }
}

unsafe extern "C" fn compile_string(
    source: *mut ffi::zend_string,
    filename: *const std::os::raw::c_char,
    position: ffi::zend_compile_position,
) -> *mut ffi::zend_op_array {
    let skip = crate::state::hooks_active()
        && guard("eval", || {
            // Only eval statements: php -r, create_function and extensions
            // that evaluate strings also come through here.
            let ex = zend::current_frame();
            match zend::include_opline(ex) {
                Some((kind, _)) if kind == ffi::ZEND_EVAL => match zend::zstr_bytes(source) {
                    Some(code) => webshell::eval_code(code, "eval"),
                    None => Flow::Continue,
                },
                _ => Flow::Continue,
            }
        }) == Some(Flow::Skip);
    if skip {
        return std::ptr::null_mut();
    }
    let orig = ORIG_COMPILE_STRING.load(Ordering::Relaxed);
    // SAFETY: the compile function we replaced (non-zero while installed).
    let orig: CompileString = unsafe { std::mem::transmute::<usize, CompileString>(orig) };
    // SAFETY: calling it with PHP's own arguments.
    unsafe { orig(source, filename, position) }
}

#[cfg(test)]
mod tests {
    use super::ini_size;

    #[test]
    fn sizes() {
        assert_eq!(ini_size("0"), 0);
        assert_eq!(ini_size("64M"), 64 << 20);
        assert_eq!(ini_size("1g"), 1 << 30);
        assert_eq!(ini_size("128k"), 128 << 10);
        assert_eq!(ini_size("junk"), 0);
    }
}
