//! Raw declarations of the C++ shim (`shim/rasp_v8.h`). Nothing here is safe
//! to call directly; `engine.rs` wraps each function.

use std::ffi::{c_char, c_int, c_void};

#[repr(C)]
pub struct RaspIsolate {
    _private: [u8; 0],
}

#[repr(C)]
pub struct RaspSink {
    pub ud: *mut c_void,
    pub write: Option<unsafe extern "C" fn(ud: *mut c_void, data: *const c_char, len: usize)>,
}

#[repr(C)]
pub struct RaspScript {
    pub name: *const c_char,
    pub name_len: usize,
    pub source: *const c_char,
    pub source_len: usize,
}

pub type U32Out = unsafe extern "C" fn(ud: *mut c_void, data: *const u32, len: usize);

#[repr(C)]
pub struct RaspNatives {
    pub sql_tokenize: unsafe extern "C" fn(
        units: *const c_void,
        len: usize,
        two_byte: c_int,
        server: *const c_char,
        server_len: usize,
        ud: *mut c_void,
        out: U32Out,
    ),
    pub cmd_tokenize: unsafe extern "C" fn(
        units: *const c_void,
        len: usize,
        two_byte: c_int,
        ud: *mut c_void,
        out: U32Out,
    ),
    pub php_stack: unsafe extern "C" fn(out: RaspSink),
    pub request_inputs: unsafe extern "C" fn(
        ctx: *const c_char,
        ctx_len: usize,
        opts: *const c_char,
        opts_len: usize,
        out: RaspSink,
    ),
    pub request_context: unsafe extern "C" fn(out: RaspSink),
    pub request_inputs_in: unsafe extern "C" fn(
        opts: *const c_char,
        opts_len: usize,
        text: *const c_char,
        text_len: usize,
        min_length: u32,
        ud: *mut c_void,
        positions: Option<U32Out>,
        rows: RaspSink,
    ),
}

pub const RASP_V8_OK: c_int = 0;
pub const RASP_V8_EXCEPTION: c_int = 1;
pub const RASP_V8_TERMINATED: c_int = 2;
#[allow(dead_code)] // the catch-all arm in engine.rs handles it
pub const RASP_V8_ERROR: c_int = 3;
pub const RASP_V8_NO_STACK: c_int = 4;

extern "C" {
    pub fn rasp_v8_initialize(
        flags: *const c_char,
        flags_len: usize,
        natives: *const RaspNatives,
    ) -> c_int;
    pub fn rasp_v8_version() -> *const c_char;
    pub fn rasp_v8_build_snapshot(
        scripts: *const RaspScript,
        n: usize,
        blob: RaspSink,
        err: RaspSink,
    ) -> c_int;
    pub fn rasp_v8_isolate_new(
        blob: *const u8,
        blob_len: usize,
        scripts: *const RaspScript,
        n: usize,
        heap_limit_bytes: usize,
        err: RaspSink,
    ) -> *mut RaspIsolate;
    pub fn rasp_v8_call(
        iso: *mut RaspIsolate,
        func: *const c_char,
        args: *const *const c_char,
        lens: *const usize,
        nargs: usize,
        out: RaspSink,
    ) -> c_int;
    pub fn rasp_v8_terminate(iso: *mut RaspIsolate);
    pub fn rasp_v8_cancel_terminate(iso: *mut RaspIsolate);
    pub fn rasp_v8_heap_exhausted(iso: *mut RaspIsolate) -> c_int;
    pub fn rasp_v8_heap_stats(iso: *mut RaspIsolate, used: *mut usize, limit: *mut usize);
    pub fn rasp_v8_isolate_free(iso: *mut RaspIsolate);
}

/// A sink that appends to a `Vec<u8>`.
pub fn vec_sink(v: &mut Vec<u8>) -> RaspSink {
    unsafe extern "C" fn write(ud: *mut c_void, data: *const c_char, len: usize) {
        if data.is_null() || len == 0 {
            return;
        }
        // SAFETY: `ud` is the `&mut Vec<u8>` passed to vec_sink, alive for the
        // duration of the shim call; `data` points to `len` readable bytes.
        unsafe {
            let v = &mut *(ud as *mut Vec<u8>);
            v.extend_from_slice(std::slice::from_raw_parts(data as *const u8, len));
        }
    }
    RaspSink {
        ud: v as *mut Vec<u8> as *mut c_void,
        write: Some(write),
    }
}
