//! Wrapping internal functions: the hook table, the wrappers, installation.
//!
//! Each hooked function gets its own monomorphised `extern "C"` wrapper
//! (`wrapper::<I>`), so a call finds its original handler and its check
//! logic by a constant index, without a lookup, and the same holds under ZTS
//! where every thread has its own copies of the function structs.
//!
//! Installation patches `internal_function.handler` in CG(function_table)
//! and in class method tables, then sweeps every table for entries whose
//! handler equals a hooked original: that covers aliases (`mysqli_query` and
//! `mysqli::query` share a handler) and driver subclasses that copy PDO's
//! methods. It runs at MINIT and again from the post-startup callback, for
//! classes of extensions that start after us.

mod command;
mod deser;
mod file;
mod include;
mod lifecycle;
mod net;
mod sql;
mod webshell;
mod xml;

use std::sync::atomic::{AtomicUsize, Ordering};

use ext_php_rs::ffi;
use ext_php_rs::types::Zval;

use crate::guard;
use crate::zend::Call;

/// What a hook decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Run the original function (pre-hook) / keep its result (post-hook).
    Continue,
    /// The request is being blocked (an exception or an unwind-exit is
    /// pending): a pre-hook skips the original, a post-hook drops its result.
    Skip,
}

pub type PreHook = fn(&Call) -> Flow;
/// Runs after the original, with its return value; used for checks about
/// the outcome (`sql_exception`, `ssrfRedirect`).
pub type PostHook = fn(&Call, &Zval) -> Flow;

/// One hooked function or method.
pub struct HookDef {
    /// Lower-case class name for methods.
    pub class: Option<&'static str>,
    /// Lower-case function or method name.
    pub name: &'static str,
    pub pre: PreHook,
    pub post: Option<PostHook>,
}

impl HookDef {
    pub fn label(&self) -> String {
        match self.class {
            Some(c) => format!("{c}::{}", self.name),
            None => self.name.to_string(),
        }
    }
}

const fn f(name: &'static str, pre: PreHook) -> HookDef {
    HookDef {
        class: None,
        name,
        pre,
        post: None,
    }
}

const fn fp(name: &'static str, pre: PreHook, post: PostHook) -> HookDef {
    HookDef {
        class: None,
        name,
        pre,
        post: Some(post),
    }
}

const fn m(class: &'static str, name: &'static str, pre: PreHook) -> HookDef {
    HookDef {
        class: Some(class),
        name,
        pre,
        post: None,
    }
}

const fn mp(class: &'static str, name: &'static str, pre: PreHook, post: PostHook) -> HookDef {
    HookDef {
        class: Some(class),
        name,
        pre,
        post: Some(post),
    }
}

/// Every hook, in wrapper-index order. Aliases with their own table entry
/// (`mysqli::query` / `mysqli_query`, `show_source` / `highlight_file`) are
/// listed as well: the sweep would find them, but listing them keeps them
/// hooked on versions where they get their own handler.
pub static HOOKS: &[HookDef] = &[
    // SQL: sql, sqlPrepared, dbConnection; sql_exception after failures.
    fp("mysqli_query", sql::mysqli_query, sql::mysqli_query_done),
    mp("mysqli", "query", sql::mysqli_query, sql::mysqli_query_done),
    fp(
        "mysqli_real_query",
        sql::mysqli_query,
        sql::mysqli_query_done,
    ),
    mp(
        "mysqli",
        "real_query",
        sql::mysqli_query,
        sql::mysqli_query_done,
    ),
    fp(
        "mysqli_multi_query",
        sql::mysqli_query,
        sql::mysqli_query_done,
    ),
    mp(
        "mysqli",
        "multi_query",
        sql::mysqli_query,
        sql::mysqli_query_done,
    ),
    fp(
        "mysqli_prepare",
        sql::mysqli_prepare,
        sql::mysqli_query_done,
    ),
    mp(
        "mysqli",
        "prepare",
        sql::mysqli_prepare,
        sql::mysqli_query_done,
    ),
    fp(
        "mysqli_stmt_prepare",
        sql::mysqli_prepare,
        sql::mysqli_query_done,
    ),
    mp(
        "mysqli_stmt",
        "prepare",
        sql::mysqli_prepare,
        sql::mysqli_query_done,
    ),
    fp(
        "mysqli_connect",
        sql::mysqli_connect,
        sql::mysqli_connect_failed,
    ),
    mp(
        "mysqli",
        "connect",
        sql::mysqli_connect,
        sql::mysqli_connect_failed,
    ),
    mp(
        "mysqli",
        "__construct",
        sql::mysqli_connect,
        sql::mysqli_connect_failed,
    ),
    fp(
        "mysqli_real_connect",
        sql::mysqli_real_connect,
        sql::mysqli_real_connect_failed,
    ),
    mp(
        "mysqli",
        "real_connect",
        sql::mysqli_real_connect,
        sql::mysqli_real_connect_failed,
    ),
    mp(
        "pdo",
        "__construct",
        sql::pdo_construct,
        sql::pdo_construct_failed,
    ),
    mp("pdo", "query", sql::pdo_query, sql::pdo_done),
    mp("pdo", "exec", sql::pdo_query, sql::pdo_done),
    mp("pdo", "prepare", sql::pdo_prepare, sql::pdo_done),
    mp("sqlite3", "query", sql::sqlite3_query, sql::sqlite3_failed),
    mp("sqlite3", "exec", sql::sqlite3_query, sql::sqlite3_failed),
    mp(
        "sqlite3",
        "querysingle",
        sql::sqlite3_query,
        sql::sqlite3_failed,
    ),
    mp(
        "sqlite3",
        "prepare",
        sql::sqlite3_prepare,
        sql::sqlite3_failed,
    ),
    fp("pg_query", sql::pg_query, sql::pg_query_done),
    fp("pg_send_query", sql::pg_query, sql::pg_query_done),
    fp(
        "pg_query_params",
        sql::pg_query_params,
        sql::pg_query_params_done,
    ),
    fp(
        "pg_send_query_params",
        sql::pg_query_params,
        sql::pg_query_params_done,
    ),
    fp("pg_prepare", sql::pg_prepare, sql::pg_prepare_failed),
    fp("pg_send_prepare", sql::pg_prepare, sql::pg_prepare_failed),
    fp("pg_connect", sql::pg_connect, sql::pg_connect_failed),
    fp("pg_pconnect", sql::pg_connect, sql::pg_connect_failed),
    // Commands.
    f("system", command::first_arg),
    f("exec", command::first_arg),
    f("passthru", command::first_arg),
    f("shell_exec", command::first_arg),
    f("popen", command::first_arg),
    f("proc_open", command::proc_open),
    f("pcntl_exec", command::pcntl_exec),
    f("mail", command::mail),
    // Files.
    f("file_get_contents", file::read_first),
    f("file", file::read_first),
    f("readfile", file::read_first),
    f("highlight_file", file::read_first),
    f("show_source", file::read_first),
    f("parse_ini_file", file::read_first),
    f("gzfile", file::read_first),
    f("readgzfile", file::read_first),
    f("fopen", file::fopen),
    f("gzopen", file::fopen),
    m("splfileobject", "__construct", file::spl_file_object),
    f("file_put_contents", file::file_put_contents),
    f("fwrite", file::fwrite),
    f("fputs", file::fwrite),
    f("unlink", file::delete),
    f("rmdir", file::delete),
    f("copy", file::copy),
    f("rename", file::rename),
    f("symlink", file::link),
    f("link", file::link),
    f("opendir", file::directory),
    f("scandir", file::directory),
    f("dir", file::directory),
    f("glob", file::directory),
    m("directoryiterator", "__construct", file::directory),
    m("filesystemiterator", "__construct", file::directory),
    m("recursivedirectoryiterator", "__construct", file::directory),
    m("globiterator", "__construct", file::directory),
    f("move_uploaded_file", file::move_uploaded_file),
    // eval-like functions (include/eval themselves: include.rs).
    f("assert", webshell::assert),
    f("create_function", webshell::create_function),
    // Outbound requests.
    fp("curl_exec", net::curl_exec, net::curl_exec_done),
    f("curl_multi_add_handle", net::curl_multi_add),
    f("curl_multi_remove_handle", net::curl_multi_remove),
    f("curl_multi_exec", net::curl_multi_exec),
    f("fsockopen", net::fsockopen),
    f("pfsockopen", net::fsockopen),
    f("stream_socket_client", net::stream_socket_client),
    f("get_headers", net::url_first),
    m("soapclient", "__construct", net::soap_construct),
    m("soapclient", "__dorequest", net::soap_do_request),
    // XML external entities.
    m("domdocument", "loadxml", xml::dom_load_xml),
    m("domdocument", "load", xml::dom_load),
    f("simplexml_load_string", xml::simplexml_load_string),
    f("simplexml_load_file", xml::simplexml_load_file),
    m("simplexmlelement", "__construct", xml::simplexml_construct),
    m("xmlreader", "open", xml::xmlreader_open),
    m("xmlreader", "xml", xml::xmlreader_xml),
    m("xmlreader", "setparserproperty", xml::xmlreader_property),
    // Deserialization.
    f("unserialize", deser::unserialize),
    m("phar", "getmetadata", deser::phar_metadata),
    m("pharfileinfo", "getmetadata", deser::phar_file_metadata),
    // Web shells: callables from the request, loader variables.
    f("call_user_func", webshell::callable_first),
    f("call_user_func_array", webshell::callable_first),
    f("forward_static_call", webshell::callable_first),
    f("forward_static_call_array", webshell::callable_first),
    f("array_map", webshell::callable_first),
    f("register_shutdown_function", webshell::callable_first),
    f("register_tick_function", webshell::callable_first),
    f("ob_start", webshell::callable_first),
    m(
        "reflectionfunction",
        "__construct",
        webshell::callable_first,
    ),
    f("array_filter", webshell::callable_second),
    f("array_walk", webshell::callable_second),
    f("array_walk_recursive", webshell::callable_second),
    f("array_reduce", webshell::callable_second),
    f("usort", webshell::callable_second),
    f("uasort", webshell::callable_second),
    f("uksort", webshell::callable_second),
    f("iterator_apply", webshell::callable_second),
    f("preg_replace_callback", webshell::callable_second),
    f("putenv", webshell::putenv),
];

const MAX_HOOKS: usize = 160;

/// Original handlers, by hook index; 0 = not hooked.
static ORIGINALS: [AtomicUsize; MAX_HOOKS] = [const { AtomicUsize::new(0) }; MAX_HOOKS];

/// The wrapper every hooked entry points to.
unsafe extern "C" fn wrapper<const I: usize>(ex: *mut ffi::zend_execute_data, rv: *mut ffi::zval) {
    let orig = ORIGINALS[I].load(Ordering::Relaxed);
    // SAFETY: a non-zero slot holds the original `zif_handler` we replaced.
    let orig: ffi::zif_handler = unsafe { std::mem::transmute::<usize, ffi::zif_handler>(orig) };
    let def = &HOOKS[I];
    // SAFETY: `ex` is the frame PHP passed to this handler.
    let call = unsafe { Call::new(ex) };
    let active = crate::state::hooks_active();
    if active && guard(def.name, || (def.pre)(&call)) == Some(Flow::Skip) {
        return;
    }
    if let Some(orig) = orig {
        // SAFETY: calling the original handler with PHP's own arguments.
        unsafe { orig(ex, rv) };
    }
    if let (true, Some(post), false) = (active, def.post, rv.is_null()) {
        // SAFETY: `rv` is the live return slot the original just filled.
        let ret = unsafe { &*(rv as *const Zval) };
        if guard(def.name, || post(&call, ret)) == Some(Flow::Skip) {
            // Blocked after the fact: the caller gets NULL, not the result.
            // SAFETY: releasing the value the original stored in `rv`.
            unsafe {
                ffi::zval_ptr_dtor(rv);
                (*rv).u1.type_info = ffi::IS_NULL;
            }
        }
    }
}

macro_rules! wrappers {
    ($($i:literal)*) => { [$(wrapper::<$i> as unsafe extern "C" fn(*mut ffi::zend_execute_data, *mut ffi::zval),)*] };
}

static WRAPPERS: [unsafe extern "C" fn(*mut ffi::zend_execute_data, *mut ffi::zval); MAX_HOOKS] = wrappers!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
    64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95
    96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127
    128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148 149 150 151 152 153 154 155 156 157 158 159
);

fn handler_addr(func: *const ffi::zend_function) -> usize {
    if !is_internal(func) {
        return 0;
    }
    // SAFETY: a non-null internal function has a valid handler field.
    unsafe { (*func).internal_function.handler.map_or(0, |h| h as usize) }
}

fn is_internal(func: *const ffi::zend_function) -> bool {
    // SAFETY: every zend_function starts with its type byte.
    !func.is_null() && unsafe { (*func).type_ } as u32 == ffi::ZEND_INTERNAL_FUNCTION
}

/// Calls `f` for every function in a function table.
fn for_each_function(ht: *mut ffi::HashTable, mut f: impl FnMut(&[u8], *mut ffi::zend_function)) {
    if ht.is_null() {
        return;
    }
    // SAFETY: function tables hold IS_PTR zvals to zend_function; we walk
    // the bucket array up to nNumUsed, skipping holes.
    unsafe {
        let ht = &*ht;
        let base = ht.__bindgen_anon_1.arData;
        for i in 0..ht.nNumUsed as usize {
            let b = &*base.add(i);
            if b.val.u1.v.type_ as u32 == ffi::IS_UNDEF || b.key.is_null() {
                continue;
            }
            let key = std::slice::from_raw_parts((*b.key).val.as_ptr() as *const u8, (*b.key).len);
            f(key, b.val.value.ptr as *mut ffi::zend_function);
        }
    }
}

/// Calls `f` for every class entry.
fn for_each_class(mut f: impl FnMut(&[u8], *mut ffi::zend_class_entry)) {
    // SAFETY: CG(class_table) holds IS_PTR zvals to class entries (aliases
    // are IS_ALIAS_PTR and point at the same entries).
    let table = unsafe { (*ffi::ext_php_rs_compiler_globals()).class_table };
    for_each_function(table, |k, p| f(k, p as *mut ffi::zend_class_entry));
}

fn lookup(ht: *mut ffi::HashTable, key: &str) -> *mut ffi::zend_function {
    if ht.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: valid table; the found zval holds a pointer.
    unsafe {
        let zv = ffi::zend_hash_str_find(ht, key.as_ptr() as *const _, key.len());
        if zv.is_null() {
            std::ptr::null_mut()
        } else {
            (*zv).value.ptr as *mut ffi::zend_function
        }
    }
}

fn function_table() -> *mut ffi::HashTable {
    // SAFETY: CG(function_table) exists from engine start.
    unsafe { (*ffi::ext_php_rs_compiler_globals()).function_table }
}

fn find(def: &HookDef) -> *mut ffi::zend_function {
    match def.class {
        None => lookup(function_table(), def.name),
        Some(class) => {
            // SAFETY: CG(class_table) exists; a found class has a method table.
            let table = unsafe { (*ffi::ext_php_rs_compiler_globals()).class_table };
            let ce = lookup(table, class) as *mut ffi::zend_class_entry;
            if ce.is_null() {
                return std::ptr::null_mut();
            }
            // SAFETY: `ce` is a live class entry.
            lookup(unsafe { &mut (*ce).function_table }, def.name)
        }
    }
}

fn is_wrapper(addr: usize) -> Option<usize> {
    WRAPPERS
        .iter()
        .take(HOOKS.len())
        .position(|w| *w as usize == addr)
}

/// Installs every hook whose target exists now; safe to call repeatedly.
/// Returns how many hook definitions are in place.
pub fn install() -> usize {
    assert!(HOOKS.len() <= MAX_HOOKS, "raise MAX_HOOKS");
    for (i, def) in HOOKS.iter().enumerate() {
        let func = find(def);
        if !is_internal(func) {
            continue;
        }
        let h = handler_addr(func);
        if h == 0 || is_wrapper(h).is_some() {
            continue; // already ours (directly, or as an alias of another hook)
        }
        if ORIGINALS[i].load(Ordering::Relaxed) == 0 {
            ORIGINALS[i].store(h, Ordering::Relaxed);
        } else if ORIGINALS[i].load(Ordering::Relaxed) != h {
            continue; // a different function now sits under this name; leave it
        }
        // SAFETY: patching the handler of an internal function during startup,
        // before any request runs and before php-fpm forks.
        unsafe { (*func).internal_function.handler = Some(WRAPPERS[i]) };
    }
    sweep();
    include::setup();
    installed().len()
}

/// Points every entry that still runs a hooked original at its wrapper.
fn sweep() {
    let originals: Vec<(usize, usize)> = (0..HOOKS.len())
        .map(|i| (ORIGINALS[i].load(Ordering::Relaxed), i))
        .filter(|(h, _)| *h != 0)
        .collect();
    if originals.is_empty() {
        return;
    }
    let patch = |_: &[u8], func: *mut ffi::zend_function| {
        if !is_internal(func) {
            return;
        }
        let h = handler_addr(func);
        if let Some((_, i)) = originals.iter().find(|(o, _)| *o == h) {
            // SAFETY: startup-time patch of an internal function's handler.
            unsafe { (*func).internal_function.handler = Some(WRAPPERS[*i]) };
        }
    };
    let mut patch = patch;
    for_each_function(function_table(), &mut patch);
    for_each_class(|_, ce| {
        if !ce.is_null() {
            // SAFETY: live class entry.
            for_each_function(unsafe { &mut (*ce).function_table }, &mut patch);
        }
    });
}

/// Puts the original handlers back (MSHUTDOWN), so a module reload starts clean.
pub fn uninstall() {
    let restore = |_: &[u8], func: *mut ffi::zend_function| {
        if !is_internal(func) {
            return;
        }
        if let Some(i) = is_wrapper(handler_addr(func)) {
            let orig = ORIGINALS[i].load(Ordering::Relaxed);
            if orig != 0 {
                // SAFETY: restoring the handler we saved; same type.
                unsafe {
                    (*func).internal_function.handler =
                        std::mem::transmute::<usize, ffi::zif_handler>(orig)
                };
            }
        }
    };
    let mut restore = restore;
    for_each_function(function_table(), &mut restore);
    for_each_class(|_, ce| {
        if !ce.is_null() {
            // SAFETY: live class entry.
            for_each_function(unsafe { &mut (*ce).function_table }, &mut restore);
        }
    });
    restore_get_method_copies();
    for o in ORIGINALS.iter() {
        o.store(0, Ordering::Relaxed);
    }
    include::uninstall();
    lifecycle::uninstall();
}

/// Methods some classes hand out from their own `get_method` handler as
/// private copies of the table entry (so they can be called statically and
/// on objects): XMLReader::open/xml. Those copies are made at the class's
/// MINIT, before we patch, and live in no table the sweep can see.
const GET_METHOD_COPIES: &[(&str, &[&str])] = &[("xmlreader", &["open", "xml"])];

/// Patched copies (address of the function, original handler) to restore.
static PATCHED_COPIES: std::sync::Mutex<Vec<(usize, usize)>> = std::sync::Mutex::new(Vec::new());
static COPIES_DONE_PID: AtomicUsize = AtomicUsize::new(0);

/// Points the get_method copies at our wrappers; needs an object to ask,
/// so it runs at the first RINIT of each process.
fn patch_get_method_copies() {
    let pid = crate::state::pid() as usize;
    if COPIES_DONE_PID.swap(pid, Ordering::Relaxed) == pid {
        return;
    }
    // SAFETY: CG(class_table) lookups; object_init_ex on an internal class
    // only allocates the object (no constructor runs); get_method is the
    // class's own handler; the zval releases the object when dropped.
    unsafe {
        let table = (*ffi::ext_php_rs_compiler_globals()).class_table;
        for (class, methods) in GET_METHOD_COPIES {
            let ce = lookup(table, class) as *mut ffi::zend_class_entry;
            if ce.is_null() {
                continue;
            }
            let mut zv = Zval::new();
            if ffi::object_init_ex(&mut zv, ce) != 0 {
                continue;
            }
            let mut obj = zv.value.obj;
            let handlers = (*obj).handlers;
            let get_method = if handlers.is_null() {
                None
            } else {
                (*handlers).get_method
            };
            if let Some(get_method) = get_method {
                for name in *methods {
                    let zs = ext_php_rs::types::ZendStr::new(name, false);
                    let p = ext_php_rs::boxed::ZBox::into_raw(zs);
                    let func = get_method(&mut obj, p, std::ptr::null());
                    drop(ext_php_rs::boxed::ZBox::from_raw(p));
                    let h = handler_addr(func);
                    if h == 0 || is_wrapper(h).is_some() {
                        continue;
                    }
                    let Some(i) =
                        (0..HOOKS.len()).find(|i| ORIGINALS[*i].load(Ordering::Relaxed) == h)
                    else {
                        continue;
                    };
                    (*func).internal_function.handler = Some(WRAPPERS[i]);
                    PATCHED_COPIES
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((func as usize, h));
                }
            }
            drop(zv);
        }
    }
}

fn restore_get_method_copies() {
    let mut list = PATCHED_COPIES.lock().unwrap_or_else(|e| e.into_inner());
    for (func, orig) in list.drain(..) {
        let func = func as *mut ffi::zend_function;
        // SAFETY: a static zend_internal_function we patched; same handler type.
        unsafe {
            (*func).internal_function.handler =
                std::mem::transmute::<usize, ffi::zif_handler>(orig);
        }
    }
    COPIES_DONE_PID.store(0, Ordering::Relaxed);
}

/// Called at each RINIT after the request state exists (request-scoped hook work).
pub fn on_request_start() {
    patch_get_method_copies();
    include::on_request_start();
    lifecycle::on_request_start();
}

/// Called at each RSHUTDOWN before the request state is dropped.
pub fn on_request_end() {
    lifecycle::on_request_end();
}

/// Extra lines for `php --ri rasp` (name, value).
pub fn info_rows() -> Vec<(String, String)> {
    vec![
        ("include/eval hook".into(), include::describe()),
        (
            "opcache JIT".into(),
            if include::jit_configured() {
                "configured on"
            } else {
                "off"
            }
            .into(),
        ),
    ]
}

/// Labels of the hooks in place, for `php --ri rasp`.
pub fn installed() -> Vec<String> {
    HOOKS
        .iter()
        .enumerate()
        .filter(|(i, _)| ORIGINALS[*i].load(Ordering::Relaxed) != 0)
        .map(|(_, d)| d.label())
        .collect()
}
