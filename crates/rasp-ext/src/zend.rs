//! Thin, safe-at-the-edge access to the Zend engine: call frames and their
//! arguments, strings, hash tables, globals, the PHP stack.
//!
//! ext-php-rs covers most of Zend, but its helpers either take global locks
//! or insist on UTF-8 (its hash iterator panics on a non-UTF-8 key, which
//! any attacker can send as `?%ff=1`). Hooks run on every sensitive call,
//! on attacker data, so they read raw bytes through these few functions.

use std::ffi::CStr;

use ext_php_rs::ffi;
use ext_php_rs::types::{ZendObject, Zval};

/// `ZEND_CALL_FRAME_SLOT`: zvals between the frame header and argument 1.
const FRAME_SLOT: usize =
    std::mem::size_of::<ffi::zend_execute_data>().div_ceil(std::mem::size_of::<ffi::zval>());

const IS_UNDEF: u8 = ffi::IS_UNDEF as u8;
const IS_STRING: u8 = ffi::IS_STRING as u8;
const IS_LONG: u8 = ffi::IS_LONG as u8;
const IS_DOUBLE: u8 = ffi::IS_DOUBLE as u8;
const IS_ARRAY: u8 = ffi::IS_ARRAY as u8;
const IS_OBJECT: u8 = ffi::IS_OBJECT as u8;
const IS_REFERENCE: u8 = ffi::IS_REFERENCE as u8;
const IS_INDIRECT: u8 = ffi::IS_INDIRECT as u8;
/// `HASH_FLAG_PACKED` (a macro in zend_types.h).
const HASH_FLAG_PACKED: u32 = 1 << 2;

/// The type byte of a zval (`Z_TYPE`).
fn type_of(z: &Zval) -> u8 {
    // SAFETY: reading the type-info union of an initialised zval.
    unsafe { z.u1.v.type_ }
}

/// Follows IS_REFERENCE and IS_INDIRECT.
pub fn deref(mut z: &Zval) -> &Zval {
    for _ in 0..4 {
        match type_of(z) {
            // SAFETY: for IS_REFERENCE the value is a zend_reference whose
            // `val` is a live zval; for IS_INDIRECT `zv` points to a live zval.
            IS_REFERENCE => z = unsafe { &(*z.value.ref_).val },
            IS_INDIRECT => z = unsafe { &*(z.value.zv as *const Zval) },
            _ => break,
        }
    }
    z
}

/// The bytes of a string zval (no conversion of other types).
pub fn str_bytes(z: &Zval) -> Option<&[u8]> {
    let z = deref(z);
    if type_of(z) != IS_STRING {
        return None;
    }
    // SAFETY: IS_STRING guarantees a valid zend_string with `len` bytes at `val`.
    unsafe {
        let s = z.value.str_;
        Some(std::slice::from_raw_parts(
            (*s).val.as_ptr() as *const u8,
            (*s).len,
        ))
    }
}

/// Strings as they are, integers and floats as PHP would print them; other
/// types (arrays, objects, resources) give None: converting them could run
/// user code (`__toString`) twice.
pub fn scalar_bytes(z: &Zval) -> Option<std::borrow::Cow<'_, [u8]>> {
    let z = deref(z);
    match type_of(z) {
        IS_STRING => str_bytes(z).map(std::borrow::Cow::Borrowed),
        // SAFETY: the type byte says which union member is valid.
        IS_LONG => Some(unsafe { z.value.lval }.to_string().into_bytes().into()),
        IS_DOUBLE => Some(format!("{}", unsafe { z.value.dval }).into_bytes().into()),
        _ => None,
    }
}

pub fn is_array(z: &Zval) -> bool {
    type_of(deref(z)) == IS_ARRAY
}

/// A hash table key: integer or raw bytes.
pub enum Key<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Key<'_> {
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Key::Int(i) => i.to_string().into_bytes(),
            Key::Str(b) => b.to_vec(),
        }
    }
}

/// Calls `f` for each live element of an array zval, in order, until `f`
/// returns false. Raw bytes for keys; no allocation, no UTF-8 requirement.
pub fn for_each<'a>(z: &'a Zval, mut f: impl FnMut(Key<'a>, &'a Zval) -> bool) {
    let z = deref(z);
    if type_of(z) != IS_ARRAY {
        return;
    }
    // SAFETY: IS_ARRAY guarantees a valid HashTable. Packed tables store
    // nNumUsed zvals in arPacked, others nNumUsed Buckets in arData; slots
    // whose value is IS_UNDEF are holes and skipped.
    unsafe {
        let ht = &*z.value.arr;
        let used = ht.nNumUsed as usize;
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            let base = ht.__bindgen_anon_1.arPacked;
            for i in 0..used {
                let v = &*(base.add(i) as *const Zval);
                if type_of(v) == IS_UNDEF {
                    continue;
                }
                if !f(Key::Int(i as i64), deref(v)) {
                    return;
                }
            }
        } else {
            let base = ht.__bindgen_anon_1.arData;
            for i in 0..used {
                let b = &*base.add(i);
                let v = &*(&b.val as *const ffi::zval as *const Zval);
                if type_of(v) == IS_UNDEF {
                    continue;
                }
                let v = deref(v);
                if type_of(v) == IS_UNDEF {
                    continue;
                }
                let key = if b.key.is_null() {
                    Key::Int(b.h as i64)
                } else {
                    Key::Str(std::slice::from_raw_parts(
                        (*b.key).val.as_ptr() as *const u8,
                        (*b.key).len,
                    ))
                };
                if !f(key, v) {
                    return;
                }
            }
        }
    }
}

/// Looks up a string key in an array zval.
pub fn array_get<'a>(z: &'a Zval, key: &str) -> Option<&'a Zval> {
    let z = deref(z);
    if type_of(z) != IS_ARRAY {
        return None;
    }
    // SAFETY: valid HashTable; zend_hash_str_find reads `key` for `len` bytes.
    unsafe {
        let found = ffi::zend_hash_str_find(z.value.arr, key.as_ptr() as *const _, key.len());
        (!found.is_null()).then(|| deref(&*(found as *const Zval)))
    }
}

/// The frame of an internal function call, as seen from inside its handler.
pub struct Call {
    ex: *mut ffi::zend_execute_data,
}

impl Call {
    /// # Safety
    /// `ex` must be the execute_data passed to a running internal handler.
    pub unsafe fn new(ex: *mut ffi::zend_execute_data) -> Call {
        Call { ex }
    }

    pub fn num_args(&self) -> usize {
        // SAFETY: `ex` is a live frame; num_args lives in This.u2.
        unsafe { (*self.ex).This.u2.num_args as usize }
    }

    /// Argument `n` (1-based), dereferenced; None when absent or undefined.
    pub fn arg(&self, n: usize) -> Option<&Zval> {
        if n == 0 || n > self.num_args() {
            return None;
        }
        // SAFETY: arguments 1..=num_args are laid out as zvals starting
        // FRAME_SLOT zvals after the frame header (ZEND_CALL_ARG).
        let z = unsafe { &*((self.ex as *const ffi::zval).add(FRAME_SLOT + n - 1) as *const Zval) };
        let z = deref(z);
        (type_of(z) != IS_UNDEF).then_some(z)
    }

    pub fn arg_str(&self, n: usize) -> Option<&[u8]> {
        self.arg(n).and_then(str_bytes)
    }

    /// The object a method was called on.
    pub fn this(&self) -> Option<&ZendObject> {
        // SAFETY: This is a zval; for method calls it is IS_OBJECT.
        unsafe {
            let this = &(*self.ex).This;
            let z = &*(this as *const ffi::zval as *const Zval);
            (type_of(z) == IS_OBJECT).then(|| &*(z.value.obj as *const ZendObject))
        }
    }

}

fn zstr(s: *const ffi::zend_string) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: non-null zend_string with `len` bytes.
    unsafe {
        Some(
            String::from_utf8_lossy(std::slice::from_raw_parts(
                (*s).val.as_ptr() as *const u8,
                (*s).len,
            ))
            .into_owned(),
        )
    }
}

/// The PHP call stack above the current internal call, innermost first, as
/// `file@function:line`; internal frames contribute their name only.
pub fn php_stack(depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    if depth == 0 {
        return out;
    }
    // SAFETY: EG(current_execute_data) is the running frame chain; each frame's
    // func is valid while it runs; user functions carry filename and opline.
    unsafe {
        let eg = ffi::ext_php_rs_executor_globals();
        let mut ex = (*eg).current_execute_data;
        // Skip the hooked internal function's own frame.
        if !ex.is_null() {
            ex = (*ex).prev_execute_data;
        }
        while !ex.is_null() && out.len() < depth {
            let func = (*ex).func;
            if func.is_null() {
                ex = (*ex).prev_execute_data;
                continue;
            }
            let name = zstr((*func).common.function_name).unwrap_or_else(|| "{main}".into());
            let name = match zstr(if (*func).common.scope.is_null() {
                std::ptr::null()
            } else {
                (*(*func).common.scope).name
            }) {
                Some(class) => format!("{class}::{name}"),
                None => name,
            };
            // User functions, the main script and eval'd code all carry an op_array.
            if (*func).type_ as u32 != ffi::ZEND_INTERNAL_FUNCTION {
                let file = zstr((*func).op_array.filename).unwrap_or_default();
                let line = if (*ex).opline.is_null() {
                    0
                } else {
                    (*(*ex).opline).lineno
                };
                out.push(format!("{file}@{name}:{line}"));
            } else {
                out.push(format!("[internal]@{name}:0"));
            }
            ex = (*ex).prev_execute_data;
        }
    }
    out
}

/// The running SAPI's name: `cli`, `fpm-fcgi`, `apache2handler`, `cli-server` ...
pub fn sapi_name() -> &'static str {
    // SAFETY: sapi_module is initialised before any extension starts; its
    // name is a static C string.
    unsafe {
        let name = ffi::sapi_module.name;
        if name.is_null() {
            return "";
        }
        CStr::from_ptr(name).to_str().unwrap_or("")
    }
}

/// CLI-like SAPIs, where a block is an exception rather than a page.
pub fn is_cli() -> bool {
    matches!(sapi_name(), "cli" | "phpdbg" | "embed")
}

/// The superglobal arrays (`$_GET`, `$_POST`, `$_COOKIE`, `$_SERVER`, `$_FILES`).
pub enum Superglobal {
    Get,
    Post,
    Cookie,
    Server,
}

pub fn superglobal(which: Superglobal) -> Option<&'static Zval> {
    // SAFETY: PG(http_globals) is a fixed array of zvals in the process
    // globals, valid for the request. $_SERVER is created on first use
    // (auto_globals_jit), which zend_is_auto_global_str triggers.
    unsafe {
        let pg = ffi::ext_php_rs_process_globals();
        let idx = match which {
            Superglobal::Post => ffi::TRACK_VARS_POST,
            Superglobal::Get => ffi::TRACK_VARS_GET,
            Superglobal::Cookie => ffi::TRACK_VARS_COOKIE,
            Superglobal::Server => {
                let name = b"_SERVER";
                ffi::zend_is_auto_global_str(name.as_ptr() as *const _ as *mut _, name.len());
                ffi::TRACK_VARS_SERVER
            }
        } as usize;
        let z = &*(&(*pg).http_globals[idx] as *const ffi::zval as *const Zval);
        is_array(z).then_some(z)
    }
}

/// Reads up to `max` bytes of the raw request body (php://input), leaving
/// the stream where PHP expects it.
pub fn request_body(max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    // SAFETY: SG(request_info).request_body is either NULL or a live php_stream
    // owned by the SAPI for the request; we seek and read with its own API.
    unsafe {
        let sg = ffi::ext_php_rs_sapi_globals();
        let stream = (*sg).request_info.request_body;
        if stream.is_null() || max == 0 {
            return out;
        }
        let pos = (*stream).position;
        if ffi::_php_stream_seek(stream, 0, 0) != 0 {
            return out;
        }
        out.resize(max, 0);
        let mut got = 0usize;
        while got < max {
            let n = ffi::_php_stream_read(stream, out.as_mut_ptr().add(got) as *mut _, max - got);
            if n <= 0 {
                break;
            }
            got += n as usize;
        }
        out.truncate(got);
        ffi::_php_stream_seek(stream, pos, 0);
    }
    out
}

/// Content-Length as PHP parsed it.
pub fn content_length() -> u64 {
    // SAFETY: plain field of the SAPI globals.
    unsafe {
        (*ffi::ext_php_rs_sapi_globals())
            .request_info
            .content_length
            .max(0) as u64
    }
}

/// `ini_get()` for a string entry, without copying the whole ini table.
pub fn ini_string(name: &str) -> Option<String> {
    let mut exists = false;
    // SAFETY: zend_ini_string_ex reads `name` for `len` bytes and returns a
    // pointer to the entry's value (or NULL), valid while the entry lives.
    unsafe {
        let v = ffi::zend_ini_string_ex(
            name.as_ptr() as *const _ as *mut _,
            name.len(),
            0,
            &mut exists,
        );
        if v.is_null() {
            return None;
        }
        Some(CStr::from_ptr(v).to_string_lossy().into_owned())
    }
}

pub fn ini_bool(name: &str) -> bool {
    matches!(
        ini_string(name)
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("1" | "on" | "yes" | "true")
    )
}

/// PHP's version string (PHP_VERSION).
pub fn php_version() -> String {
    // SAFETY: a static NUL-terminated string in the binary.
    unsafe { CStr::from_ptr(ffi::PHP_VERSION.as_ptr() as *const _) }
        .to_string_lossy()
        .into_owned()
}
