//! Native functions plugins call (`RASP.sql_tokenize`, `RASP.cmd_tokenize`),
//! implemented by rasp-core's tokenizers.
//!
//! V8 hands us the string's own code units (Latin-1 bytes or UTF-16), so the
//! tokenizers run without transcoding and their offsets are JS indices.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void};
use std::rc::Rc;

use rasp_core::inputs::RequestInputs;
use rasp_core::shell::{ShellToken, ShellTokenKind, ShellTokenizer};
use rasp_core::sql::{SqlDialect, SqlOptions, SqlTokenizer, Token, TokenKind};
use rasp_core::text::{CodeUnit, TokenizeStatus};

use crate::sys;

/// Every SQL token kind, in declaration order: a kind's code is its index.
const SQL_KINDS: [TokenKind; 10] = [
    TokenKind::Word,
    TokenKind::QuotedIdentifier,
    TokenKind::String,
    TokenKind::Number,
    TokenKind::Operator,
    TokenKind::Punctuation,
    TokenKind::Comment,
    TokenKind::VersionComment,
    TokenKind::Variable,
    TokenKind::Other,
];

const CMD_KINDS: [ShellTokenKind; 9] = [
    ShellTokenKind::Word,
    ShellTokenKind::Operator,
    ShellTokenKind::Redirect,
    ShellTokenKind::CommandSubstitution,
    ShellTokenKind::ArithmeticExpansion,
    ShellTokenKind::ParameterExpansion,
    ShellTokenKind::ProcessSubstitution,
    ShellTokenKind::Comment,
    ShellTokenKind::HereDoc,
];

/// Token kind names as JS sees them (`token.type`), indexed by kind code.
pub(crate) fn sql_kind_names() -> Vec<&'static str> {
    SQL_KINDS.iter().map(|k| k.as_str()).collect()
}

pub(crate) fn cmd_kind_names() -> Vec<&'static str> {
    CMD_KINDS.iter().map(|k| k.as_str()).collect()
}

/// Bit set in a kind code when the token runs to the end unterminated.
const UNTERMINATED: u32 = 0x100;

thread_local! {
    static SQL_TOKENS: RefCell<Vec<Token>> = const { RefCell::new(Vec::new()) };
    static CMD_TOKENS: RefCell<Vec<ShellToken>> = const { RefCell::new(Vec::new()) };
}

/// Kind code of the token that stands for everything after a truncation.
const REST: u32 = TokenKind::Other as u32 | UNTERMINATED;

thread_local! {
    /// One tokenizer per dialect, built on first use.
    static SQL_TOKENIZERS: RefCell<Vec<(SqlDialect, SqlTokenizer)>> = const { RefCell::new(Vec::new()) };
}

/// Appends the tokens of `units` to `flat` as (start, stop, kind) triples.
fn sql_tokenize_units<U: CodeUnit>(units: &[U], server: &str, flat: &mut Vec<u32>) {
    let dialect = SqlDialect::from_server(server);
    SQL_TOKENIZERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let tokenizer = match cache.iter().position(|(d, _)| *d == dialect) {
            Some(i) => &cache[i].1,
            None => {
                cache.push((dialect, SqlTokenizer::new(dialect, SqlOptions::default())));
                &cache[cache.len() - 1].1
            }
        };
        SQL_TOKENS.with(|cell| {
            let mut toks = cell.borrow_mut();
            let status = tokenizer.tokenize(units, &mut toks);
            flat.reserve(3 * toks.len() + 3);
            for t in toks.iter() {
                let flag = if t.unterminated { UNTERMINATED } else { 0 };
                flat.extend_from_slice(&[t.start, t.stop, t.kind as u32 | flag]);
            }
            // Past the token limit the rest is one opaque, unterminated token:
            // padding a query cannot hide what follows from a plugin.
            if status == TokenizeStatus::Truncated {
                let from = toks.last().map_or(0, |t| t.stop);
                flat.extend_from_slice(&[from, units.len() as u32, REST]);
            }
        });
    });
}

fn cmd_tokenize_units<U: CodeUnit>(units: &[U], flat: &mut Vec<u32>) {
    let tokenizer = ShellTokenizer::default();
    CMD_TOKENS.with(|cell| {
        let mut toks = cell.borrow_mut();
        let status = tokenizer.tokenize(units, &mut toks);
        flat.reserve(3 * toks.len() + 3);
        for t in toks.iter() {
            let flag = if t.unterminated { UNTERMINATED } else { 0 };
            flat.extend_from_slice(&[t.start, t.stop, t.kind as u32 | flag]);
        }
        if status == TokenizeStatus::Truncated {
            let from = toks.last().map_or(0, |t| t.stop);
            // Shell kinds have no "other": an unterminated operator is structure.
            flat.extend_from_slice(&[
                from,
                units.len() as u32,
                ShellTokenKind::Operator as u32 | UNTERMINATED,
            ]);
        }
    });
}

/// The code units the shim passed: Latin-1 bytes or UTF-16.
enum Units<'a> {
    Bytes(&'a [u8]),
    Wide(&'a [u16]),
}

/// # Safety
/// `units` must point to `len` code units of the width `two_byte` says,
/// valid while the result is used.
unsafe fn shim_units<'a>(units: *const c_void, len: usize, two_byte: c_int) -> Units<'a> {
    if units.is_null() || len == 0 {
        Units::Bytes(&[])
    } else if two_byte != 0 {
        // SAFETY: the caller guarantees `len` u16 units at `units`.
        Units::Wide(unsafe { std::slice::from_raw_parts(units as *const u16, len) })
    } else {
        // SAFETY: the caller guarantees `len` bytes at `units`.
        Units::Bytes(unsafe { std::slice::from_raw_parts(units as *const u8, len) })
    }
}

thread_local! {
    /// The flat [start, stop, kind, ...] of the last tokenizing, kept for
    /// its capacity.
    static FLAT: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Tokenizes with `run` into one flat array and hands it to the shim in a
/// single call (a call per token cost more than the scanning).
fn emit_flat(ud: *mut c_void, out: sys::U32Out, run: impl FnOnce(&mut Vec<u32>)) {
    // A panic must not unwind into C++: tokenizers never panic, but be sure.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        FLAT.with(|cell| {
            let Ok(mut flat) = cell.try_borrow_mut() else {
                return;
            };
            flat.clear();
            run(&mut flat);
            // SAFETY: `ud`/`out` come from the shim and stay valid during
            // this call; the slice outlives it.
            unsafe { out(ud, flat.as_ptr(), flat.len()) };
        });
    }));
}

unsafe extern "C" fn sql_tokenize(
    units: *const c_void,
    len: usize,
    two_byte: c_int,
    server: *const c_char,
    server_len: usize,
    ud: *mut c_void,
    out: sys::U32Out,
) {
    // SAFETY: the shim passes `server_len` readable bytes.
    let server = std::str::from_utf8(unsafe { shim_bytes(server, server_len) }).unwrap_or("");
    // SAFETY: the shim passes a buffer of `len` units of the stated width.
    let units = unsafe { shim_units(units, len, two_byte) };
    emit_flat(ud, out, |push| match units {
        Units::Bytes(u) => sql_tokenize_units(u, server, push),
        Units::Wide(u) => sql_tokenize_units(u, server, push),
    });
}

unsafe extern "C" fn cmd_tokenize(
    units: *const c_void,
    len: usize,
    two_byte: c_int,
    ud: *mut c_void,
    out: sys::U32Out,
) {
    // SAFETY: the shim passes a buffer of `len` units of the stated width.
    let units = unsafe { shim_units(units, len, two_byte) };
    emit_flat(ud, out, |push| match units {
        Units::Bytes(u) => cmd_tokenize_units(u, push),
        Units::Wide(u) => cmd_tokenize_units(u, push),
    });
}

/// `n` bytes the shim passed at `p` (empty for a null pointer).
///
/// # Safety
/// `p` must point to `n` readable bytes that stay valid while the slice is used.
unsafe fn shim_bytes<'a>(p: *const c_char, n: usize) -> &'a [u8] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: the caller guarantees `n` readable bytes at `p`.
        unsafe { std::slice::from_raw_parts(p as *const u8, n) }
    }
}

/// Hands `text` to a sink the shim passed.
fn write_sink(out: sys::RaspSink, text: &str) {
    if let Some(write) = out.write {
        // SAFETY: the shim's sink is valid for this call; `text` outlives it.
        unsafe { write(out.ud, text.as_ptr() as *const c_char, text.len()) };
    }
}

/// What a check leaves to the embedder, asked only if a handler reads it.
pub(crate) struct LazySources {
    /// `params.stack`, a JSON array of frames.
    pub stack: Box<dyn Fn() -> String>,
    /// The request's `context` JSON.
    pub context: Box<dyn Fn() -> String>,
}

thread_local! {
    /// Set by [`crate::Engine::check_lazy`] for the duration of the call.
    static SOURCES: std::cell::RefCell<Option<LazySources>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `sources` answering `params.stack` and `context` reads on
/// this thread.
pub(crate) fn with_sources<R>(sources: LazySources, f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            SOURCES.with(|s| s.borrow_mut().take());
        }
    }
    SOURCES.with(|s| *s.borrow_mut() = Some(sources));
    let _reset = Reset;
    f()
}

/// Writes what `pick` gets from this thread's sources, or `fallback`.
fn write_source(
    out: sys::RaspSink,
    fallback: &str,
    pick: impl FnOnce(&LazySources) -> Option<String>,
) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let json = SOURCES.with(|s| match s.try_borrow() {
            Ok(s) => s.as_ref().and_then(pick),
            Err(_) => None,
        });
        write_sink(out, json.as_deref().unwrap_or(fallback));
    }));
}

unsafe extern "C" fn php_stack(out: sys::RaspSink) {
    write_source(out, "[]", |s| Some((s.stack)()));
}

unsafe extern "C" fn request_context(out: sys::RaspSink) {
    write_source(out, "{}", |s| Some((s.context)()));
}

/// Gives `RASP.request_inputs(options)` and `RASP.inputs_in()` this
/// thread's current request values: (options JSON) -> the list the
/// embedder built with those options (the one its gates search), or None to
/// compute it from the context JSON.
pub type InputsSource = Box<dyn Fn(&str) -> Option<Rc<RequestInputs>>>;

thread_local! {
    static INPUTS_SOURCE: RefCell<Option<InputsSource>> = const { RefCell::new(None) };
}

/// Lets the embedder answer `RASP.request_inputs()` on this thread from the
/// request values it already built for its gates, instead of parsing the
/// context JSON once more (most of the first check of a request), and
/// `RASP.inputs_in()` by searching that list natively, so the whole list
/// need not cross to V8 for a handler that only wants the values in one
/// text (without a source the runtime walks `RASP.request_inputs()`).
pub fn set_request_inputs_source(source: Option<InputsSource>) {
    INPUTS_SOURCE.with(|s| *s.borrow_mut() = source);
}

/// The embedder's request values built with `opts`, if it installed a
/// source.
fn inputs_from_source(opts: &str) -> Option<Rc<RequestInputs>> {
    INPUTS_SOURCE.with(|s| match s.try_borrow() {
        Ok(s) => s.as_ref().and_then(|f| f(opts)),
        Err(_) => None,
    })
}

/// Bytes V8 wrote as UTF-8, borrowed. `from_utf8` checks ASCII a word at a
/// time; `from_utf8_lossy` walks byte by byte even when nothing is invalid
/// (an options key and a query cross on every `RASP.inputs_in()`).
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The request values of a context (see `rasp_core::inputs`), as JSON.
fn request_inputs_json(ctx: &[u8], opts: &[u8]) -> String {
    let ctx: serde_json::Value = serde_json::from_slice(ctx).unwrap_or_default();
    let opts: serde_json::Value = serde_json::from_slice(opts).unwrap_or_default();
    let opts = rasp_core::inputs::InputOptions::from_json(&opts);
    RequestInputs::from_context(&ctx, &opts).to_json()
}

unsafe extern "C" fn request_inputs(
    ctx: *const c_char,
    ctx_len: usize,
    opts: *const c_char,
    opts_len: usize,
    out: sys::RaspSink,
) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the shim passes `*_len` readable bytes, valid for this call.
        let (ctx_bytes, opts) = unsafe { (shim_bytes(ctx, ctx_len), shim_bytes(opts, opts_len)) };
        let json = if ctx.is_null() {
            match inputs_from_source(&utf8(opts)) {
                Some(list) => list.to_json(),
                None => return, // undefined: the runtime passes the context
            }
        } else {
            request_inputs_json(ctx_bytes, opts)
        };
        write_sink(out, &json);
    }));
}

unsafe extern "C" fn request_inputs_in(
    opts: *const c_char,
    opts_len: usize,
    text: *const c_char,
    text_len: usize,
    min_length: u32,
    ud: *mut c_void,
    positions: Option<sys::U32Out>,
    rows: sys::RaspSink,
) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the shim passes `*_len` readable bytes, valid for this call.
        let (opts, text) = unsafe { (shim_bytes(opts, opts_len), shim_bytes(text, text_len)) };
        // V8 wrote both as UTF-8: borrowed, not copied.
        let (opts, text) = (utf8(opts), utf8(text));
        let Some(list) = inputs_from_source(&opts) else {
            return; // undefined: the runtime walks the list itself
        };
        let found = list.occurring_in(&text, min_length as usize);
        match positions {
            // Positions in the list the runtime already holds.
            Some(out) => {
                let at: Vec<u32> = found.iter().map(|&i| i as u32).collect();
                // SAFETY: `ud`/`out` come from the shim and stay valid during
                // this call; the slice outlives it.
                unsafe { out(ud, at.as_ptr(), at.len()) };
            }
            None => write_sink(
                rows,
                &RequestInputs::json_of(found.iter().map(|&at| &list.inputs()[at])),
            ),
        }
    }));
}

pub(crate) fn table() -> sys::RaspNatives {
    sys::RaspNatives {
        sql_tokenize,
        cmd_tokenize,
        php_stack,
        request_inputs,
        request_context,
        request_inputs_in,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_code_is_other() {
        assert_eq!(REST & 0xff, TokenKind::Other as u32);
    }

    #[test]
    fn truncation_leaves_an_unterminated_rest() {
        let q = "x ".repeat(200_000) + "' OR 1=1 --";
        let mut flat = Vec::new();
        sql_tokenize_units(q.as_bytes(), "mysql", &mut flat);
        let last = &flat[flat.len() - 3..];
        assert_eq!(last[1] as usize, q.len());
        assert_eq!(last[2], REST);
    }

    #[test]
    fn kind_codes_are_table_indexes() {
        for (i, k) in SQL_KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
        for (i, k) in CMD_KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
    }
}
