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

/// The address of an interned string: interned strings are immutable and
/// live at least until the end of the request, so within a request the
/// address is a stable key for what a check found in the string. None for
/// other values (their memory can be reused by a different string).
pub fn interned_str(z: &Zval) -> Option<usize> {
    let z = deref(z);
    if type_of(z) != IS_STRING {
        return None;
    }
    // SAFETY: IS_STRING guarantees a valid zend_string; its gc header is
    // always initialised.
    unsafe {
        let s = z.value.str_;
        ((*s).gc.u.type_info & ffi::GC_IMMUTABLE != 0).then_some(s as usize)
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

    /// The called function's name as the script wrote it (aliases keep
    /// their own name: `show_source`, `fputs`), `Class::method` for methods.
    pub fn function_name(&self) -> std::borrow::Cow<'static, str> {
        // SAFETY: a running frame's func and its names are valid for the
        // process (internal functions are persistent).
        unsafe {
            let func = (*self.ex).func;
            if func.is_null() {
                return "".into();
            }
            let name = zstr_bytes((*func).common.function_name).unwrap_or(b"");
            let name = std::str::from_utf8(name).unwrap_or("");
            let scope = (*func).common.scope;
            if scope.is_null() {
                return std::borrow::Cow::Borrowed(name);
            }
            let class = zstr_bytes((*scope).name).map(lossy).unwrap_or_default();
            std::borrow::Cow::Owned(format!("{class}::{name}"))
        }
    }

    /// `$this` as a zval, to pass the object on to another function.
    pub fn this_zval(&self) -> Option<&Zval> {
        // SAFETY: This is a zval in the live frame.
        let z = unsafe { &*(&(*self.ex).This as *const ffi::zval as *const Zval) };
        (type_of(z) == IS_OBJECT).then_some(z)
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
        // Skip the hooked internal function's own frame (include/eval
        // checks run in the user frame itself, which is kept).
        if !ex.is_null()
            && !(*ex).func.is_null()
            && (*(*ex).func).type_ as u32 == ffi::ZEND_INTERNAL_FUNCTION
        {
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
/// Whether PHP is starting a request (`PG(during_request_startup)`, set by
/// php_request_startup around the modules' RINIT): false when PHP calls a
/// module's RINIT outside one (`php_dl` at php-fpm worker start, before
/// any request, with no superglobals and no symbol table yet).
pub fn request_starting() -> bool {
    // SAFETY: PG() is the process's (NTS) core globals, always mapped.
    unsafe { (*ffi::ext_php_rs_process_globals()).during_request_startup }
}

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

/// A long argument (no conversion of other types).
pub fn long(z: &Zval) -> Option<i64> {
    let z = deref(z);
    if type_of(z) != IS_LONG {
        return None;
    }
    // SAFETY: the type byte says lval is valid.
    Some(unsafe { z.value.lval })
}

/// PHP truthiness of a scalar without conversions that could run code:
/// bool, int, float, string; other types give None.
pub fn truthy(z: &Zval) -> Option<bool> {
    let z = deref(z);
    match type_of(z) {
        t if t == ffi::IS_TRUE as u8 => Some(true),
        t if t == ffi::IS_FALSE as u8 || t == ffi::IS_NULL as u8 => Some(false),
        IS_LONG => long(z).map(|l| l != 0),
        // SAFETY: IS_DOUBLE: dval is valid.
        IS_DOUBLE => Some(unsafe { z.value.dval } != 0.0),
        IS_STRING => str_bytes(z).map(|b| !(b.is_empty() || b == b"0")),
        _ => None,
    }
}

pub fn is_false(z: &Zval) -> bool {
    type_of(deref(z)) == ffi::IS_FALSE as u8
}

pub fn is_object(z: &Zval) -> bool {
    type_of(deref(z)) == IS_OBJECT
}

pub fn object(z: &Zval) -> Option<&ZendObject> {
    let z = deref(z);
    // SAFETY: IS_OBJECT: obj is a live object.
    (type_of(z) == IS_OBJECT).then(|| unsafe { &*(z.value.obj as *const ZendObject) })
}

/// Bytes of a zend_string pointer (None for NULL).
pub fn zstr_bytes<'a>(s: *const ffi::zend_string) -> Option<&'a [u8]> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a non-null zend_string has `len` bytes at `val`.
    Some(unsafe { std::slice::from_raw_parts((*s).val.as_ptr() as *const u8, (*s).len) })
}

/// The class name of an object.
pub fn class_name(obj: &ZendObject) -> String {
    if obj.ce.is_null() {
        return String::new();
    }
    // SAFETY: a live object's class entry and its name are valid.
    let name = unsafe { (*obj.ce).name };
    zstr_bytes(name)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// Whether an object's class is `class` (lower-case) or extends it.
pub fn instance_of(obj: &ZendObject, class: &str) -> bool {
    let mut ce = obj.ce;
    for _ in 0..64 {
        if ce.is_null() {
            return false;
        }
        // SAFETY: class entries and their parents are live for the request.
        let name = unsafe { (*ce).name };
        if zstr_bytes(name).is_some_and(|n| n.eq_ignore_ascii_case(class.as_bytes())) {
            return true;
        }
        // SAFETY: `parent` is the resolved parent class (linked classes).
        ce = unsafe { (*ce).__bindgen_anon_1.parent };
    }
    false
}

/// A copy of a property of an object, read with the object's own class as
/// scope (so protected properties such as Exception::$code are visible);
/// never calls `__get` and never warns.
pub fn property(obj: &ZendObject, name: &str) -> Option<Zval> {
    let mut rv = Zval::new();
    // SAFETY: zend_read_property with silent=true on a live object; the
    // result points into the object or at `rv`, and we copy it out.
    unsafe {
        let obj_ptr = obj as *const ZendObject as *mut ffi::zend_object;
        let z = ffi::zend_read_property(
            obj.ce,
            obj_ptr,
            name.as_ptr() as *const _,
            name.len(),
            true,
            &mut rv,
        );
        if z.is_null() {
            return None;
        }
        let z = deref(&*(z as *const Zval));
        let t = type_of(z);
        if t == IS_UNDEF || t == ffi::IS_NULL as u8 {
            return None;
        }
        Some(z.shallow_clone())
    }
}

fn eg() -> *mut ffi::zend_executor_globals {
    // SAFETY: the executor globals of this thread (NTS: a static).
    unsafe { ffi::ext_php_rs_executor_globals() }
}

/// The exception thrown and not yet caught, if any.
pub fn pending_exception() -> Option<&'static ZendObject> {
    // SAFETY: EG(exception) is NULL or a live object.
    unsafe {
        let e = (*eg()).exception;
        (!e.is_null()).then(|| &*(e as *const ZendObject))
    }
}

/// Drops the pending exception (a block after a failed call supersedes the
/// error the call raised; PHP allows only one exception to be thrown).
pub fn discard_exception() {
    // SAFETY: EG(exception) is NULL or an object we own a reference to via
    // the globals; we clear the slot and release that reference.
    unsafe {
        let g = eg();
        let e = (*g).exception;
        if !e.is_null() {
            (*g).exception = std::ptr::null_mut();
            ffi::ext_php_rs_zend_object_release(e);
        }
    }
}

/// `[class, code, message]` of the pending exception (code as a string:
/// PDOException codes are SQLSTATE strings).
pub fn exception_info() -> Option<(String, String, String)> {
    let e = pending_exception()?;
    let code = property(e, "code")
        .and_then(|z| scalar_bytes(&z).map(|b| String::from_utf8_lossy(&b).into_owned()))
        .unwrap_or_default();
    let msg = property(e, "message")
        .and_then(|z| str_bytes(&z).map(|b| String::from_utf8_lossy(b).into_owned()))
        .unwrap_or_default();
    Some((class_name(e), code, msg))
}

/// Runs `f` with no exception pending (PHP refuses to call functions while
/// one is) and puts the pending one back afterwards; an exception `f`
/// causes is discarded, so the caller's state is exactly as before.
pub fn without_exception<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: we take EG(exception) out, run `f`, release anything `f` left,
    // and restore the original pointer; the engine sees no change.
    unsafe {
        let g = eg();
        let saved = (*g).exception;
        let saved_prev = (*g).prev_exception;
        (*g).exception = std::ptr::null_mut();
        (*g).prev_exception = std::ptr::null_mut();
        let r = f();
        let left = (*g).exception;
        if !left.is_null() {
            (*g).exception = std::ptr::null_mut();
            ffi::ext_php_rs_zend_object_release(left);
        }
        let left_prev = (*g).prev_exception;
        if !left_prev.is_null() {
            (*g).prev_exception = std::ptr::null_mut();
            ffi::ext_php_rs_zend_object_release(left_prev);
        }
        (*g).exception = saved;
        (*g).prev_exception = saved_prev;
        r
    }
}

/// Calls a PHP function by name, with no exception pending and none left
/// behind. Only for functions that neither warn nor have side effects.
pub fn call(name: &str, args: &[&Zval]) -> Option<Zval> {
    without_exception(|| {
        let f = ext_php_rs::types::ZendCallable::try_from_name(name).ok()?;
        let params: Vec<&dyn ext_php_rs::convert::IntoZvalDyn> = args
            .iter()
            .map(|z| *z as &dyn ext_php_rs::convert::IntoZvalDyn)
            .collect();
        f.try_call(params).ok()
    })
}

/// Calls a method on an object, like [`call`].
pub fn call_method(obj: &ZendObject, name: &str, args: &[&Zval]) -> Option<Zval> {
    without_exception(|| {
        let params: Vec<&dyn ext_php_rs::convert::IntoZvalDyn> = args
            .iter()
            .map(|z| *z as &dyn ext_php_rs::convert::IntoZvalDyn)
            .collect();
        let r = obj.try_call_method(name, params).ok()?;
        pending_exception().is_none().then_some(r)
    })
}

/// A string value as lossy UTF-8.
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The current working directory as PHP sees it (NTS: the process's).
pub fn cwd() -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    std::env::current_dir()
        .map(|p| p.as_os_str().as_bytes().to_vec())
        .unwrap_or_else(|_| b"/".to_vec())
}

/// The file an include of `raw` would load, resolved by PHP itself
/// (include_path, the including script's directory); None if not found.
pub fn resolve_include(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || raw.contains(&0) {
        return None;
    }
    // SAFETY: zend_resolve_path takes a zend_string we own for the call and
    // returns NULL or a new zend_string we release.
    unsafe {
        let f = ffi::zend_resolve_path?;
        let s = ext_php_rs::types::ZendStr::new(raw, false);
        let p = ext_php_rs::boxed::ZBox::into_raw(s);
        let out = f(p);
        drop(ext_php_rs::boxed::ZBox::from_raw(p));
        if out.is_null() {
            return None;
        }
        let r = zstr_bytes(out).map(<[u8]>::to_vec);
        drop(ext_php_rs::boxed::ZBox::from_raw(out));
        r
    }
}

/// For a stream resource: its handle number and the path it was opened
/// with (`php_stream->orig_path`).
pub fn stream_path(z: &Zval) -> Option<(i64, &[u8])> {
    let z = deref(z);
    if type_of(z) != ffi::IS_RESOURCE as u8 {
        return None;
    }
    // SAFETY: IS_RESOURCE: `res` is a live zend_resource; only stream
    // resource types (checked) carry a php_stream in `ptr`.
    unsafe {
        let res = z.value.res;
        if res.is_null() {
            return None;
        }
        let t = (*res).type_;
        if t != ffi::php_file_le_stream() && t != ffi::php_file_le_pstream() {
            return None;
        }
        let stream = (*res).ptr as *const ffi::php_stream;
        if stream.is_null() || (*stream).orig_path.is_null() {
            return None;
        }
        // The stream outlives the call that passed it to us.
        let path = CStr::from_ptr((*stream).orig_path).to_bytes();
        Some(((*res).handle, path))
    }
}

/// `$_FILES`.
pub fn files() -> Option<&'static Zval> {
    // SAFETY: PG(http_globals) is a fixed array of zvals valid for the request.
    unsafe {
        let pg = ffi::ext_php_rs_process_globals();
        let z = &*(&(*pg).http_globals[ffi::TRACK_VARS_FILES as usize] as *const ffi::zval
            as *const Zval);
        is_array(z).then_some(z)
    }
}

/// A php.ini value as configured (php.ini, -d), readable before the
/// extension that owns the entry has started.
pub fn cfg_string(name: &str) -> Option<String> {
    // SAFETY: cfg_get_entry reads `name` for `len` bytes and returns NULL or
    // a zval in the configuration hash, live for the process.
    unsafe {
        let z = ffi::cfg_get_entry(name.as_ptr() as *const _, name.len());
        if z.is_null() {
            return None;
        }
        scalar_bytes(&*(z as *const Zval)).map(|b| lossy(&b))
    }
}

/// Whether the object store still holds `obj` under `handle` (the object
/// is alive and is the one we saw).
pub fn object_alive(handle: u32, obj: *const ffi::zend_object) -> bool {
    // SAFETY: EG(objects_store) buckets up to `top` are NULL, a free-list
    // marker (low bit set) or a live object.
    unsafe {
        let store = &(*eg()).objects_store;
        if store.object_buckets.is_null() || handle == 0 || handle >= store.top {
            return false;
        }
        let p = *store.object_buckets.add(handle as usize);
        !p.is_null() && (p as usize & 1) == 0 && std::ptr::eq(p, obj)
    }
}

/// The frame executing now (an internal function's own frame inside its
/// handler).
pub fn current_frame() -> *mut ffi::zend_execute_data {
    // SAFETY: reading a pointer field of the executor globals.
    unsafe { (*eg()).current_execute_data }
}

/// An operand of an opline in a user frame: literals relative to the
/// opline (RT_CONSTANT), variables at their EX_VAR offset.
///
/// # Safety
/// `ex` must be a live user frame and `op` an opline of its op_array.
unsafe fn operand(
    ex: *mut ffi::zend_execute_data,
    op: *const ffi::zend_op,
    kind: u32,
    node: ffi::znode_op,
) -> Option<&'static Zval> {
    // SAFETY: the caller guarantees frame and opline; the offsets are the
    // VM's own addressing.
    unsafe {
        let z = match kind {
            ffi::IS_CONST => (op as *const u8).offset(node.constant as i32 as isize) as *const Zval,
            ffi::IS_TMP_VAR | ffi::IS_VAR | ffi::IS_CV => {
                (ex as *const u8).add(node.var as usize) as *const Zval
            }
            _ => return None,
        };
        Some(deref(&*z))
    }
}

/// For `call_user_func(...)`/`call_user_func_array(...)`, which PHP compiles
/// to ZEND_INIT_USER_CALL instead of calling the function: the function's
/// name and the callable, if `ex` is executing that opline.
pub fn user_call_opline(ex: *mut ffi::zend_execute_data) -> Option<(&'static Zval, &'static Zval)> {
    if ex.is_null() {
        return None;
    }
    // SAFETY: a live frame; see `operand`.
    unsafe {
        let op = (*ex).opline;
        if op.is_null() || (*op).opcode as u32 != ffi::ZEND_INIT_USER_CALL {
            return None;
        }
        let name = operand(ex, op, (*op).op1_type as u32, (*op).op1)?;
        let callable = operand(ex, op, (*op).op2_type as u32, (*op).op2)?;
        Some((name, callable))
    }
}

/// `ZEND_INCLUDE_OR_EVAL` operand and kind of the opline a user frame is
/// executing, if that is what it executes.
pub fn include_opline(ex: *mut ffi::zend_execute_data) -> Option<(u32, &'static Zval)> {
    if ex.is_null() {
        return None;
    }
    // SAFETY: a live frame; user code frames have an op_array and a current
    // opline; operands are addressed the way the VM does (RT_CONSTANT for
    // literals relative to the opline, EX_VAR offsets for variables).
    unsafe {
        let func = (*ex).func;
        if func.is_null() || (*func).type_ as u32 == ffi::ZEND_INTERNAL_FUNCTION {
            return None;
        }
        let op = (*ex).opline;
        if op.is_null() || (*op).opcode as u32 != ffi::ZEND_INCLUDE_OR_EVAL {
            return None;
        }
        let z = operand(ex, op, (*op).op1_type as u32, (*op).op1)?;
        Some(((*op).extended_value, z))
    }
}

/// A path-like argument: a string or number as is, or an object whose
/// class has an internal `__toString` (SplFileInfo and friends), converted
/// the way PHP will. User-defined `__toString` is not called (it could have
/// side effects, and PHP calls it once itself).
pub fn path_arg(z: &Zval) -> Option<std::borrow::Cow<'_, [u8]>> {
    if let Some(b) = scalar_bytes(z) {
        return Some(b);
    }
    let obj = object(z)?;
    // SAFETY: a live object's class entry; `__tostring` is NULL or a function.
    let internal = unsafe {
        let f = (*obj.ce).__tostring;
        !f.is_null() && (*f).type_ as u32 == ffi::ZEND_INTERNAL_FUNCTION
    };
    if !internal {
        return None;
    }
    let s = call_method(obj, "__tostring", &[])?;
    str_bytes(&s).map(|b| std::borrow::Cow::Owned(b.to_vec()))
}
