//! The URL-prefix whitelist of php-rasp: which check types to skip for a
//! request.
//!
//! Operators list URL prefixes in `rasp.yml`, each with the check types that
//! must not run for requests under it:
//!
//! ```yaml
//! whitelist:
//!   "example.com/admin/": [sql, command]
//!   "api.example.com/health": all
//!   "/static/": [readFile]          # a pattern starting with "/" is a path on any host
//!   "*": [xss_echo]                 # every request
//! ```
//!
//! Once per request, a PHP worker asks for the union of the sets of every
//! pattern that is a prefix of the request, and gets one [`CheckTypeSet`] word
//! that each hook then tests with a single `and`.
//!
//! This crate is built around the process model of php-rasp: one agent process
//! builds the matcher whenever `rasp.yml` changes and publishes it as bytes in
//! shared memory; every PHP worker maps those bytes and matches against them,
//! in place.
//!
//! # Example
//!
//! ```
//! use rasp_core::{CheckType, CheckTypeSet};
//! use rasp_whitelist::{Whitelist, WhitelistView};
//!
//! let types = |names: &[&str]| CheckTypeSet::from_names(names.iter().copied()).unwrap();
//!
//! // In the agent, once per rasp.yml change.
//! let whitelist = Whitelist::build([
//!     ("example.com/admin/", types(&["sql", "command"])),
//!     ("api.example.com/health", CheckTypeSet::all()),
//!     ("/static/", types(&["readFile"])),
//!     ("*", types(&["xss_echo"])),
//! ])?;
//! let published: Vec<u8> = whitelist.to_bytes(); // goes to shared memory
//!
//! // In each worker, once per published generation: validate, keep the view.
//! let view = WhitelistView::new(&published)?;
//!
//! // Per request: host as in the Host header, path as received.
//! let skip = view.lookup("Example.com", "/admin/users.php?id=7");
//! assert!(skip.contains(CheckType::Sql));
//! assert!(skip.contains(CheckType::XssEcho));
//! assert!(!skip.contains(CheckType::ReadFile));
//!
//! // `example.com` is not a prefix of `example.company.com`: hosts end at `/`.
//! assert_eq!(view.lookup("example.company.com", "/admin/"), types(&["xss_echo"]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A worker whose `REQUEST_URI` is not known to be UTF-8 uses
//! [`WhitelistView::lookup_bytes`]. In the agent, [`WhitelistBuilder::add`]
//! reports each bad pattern on its own
//! (so all of them can be shown with their `rasp.yml` lines), and
//! [`canonical_pattern`] checks one without building anything.
//!
//! # What a pattern matches
//!
//! A request's *key* is its `host[:port]`, normalized, followed by its raw
//! path. A pattern matches when its own key is a **byte prefix** of the
//! request's key. The sets of all matching patterns are OR-ed.
//!
//! | pattern | means |
//! | --- | --- |
//! | `*` | every request |
//! | `/static/` | that path prefix, on any host (also when the Host header is missing or unusable) |
//! | `example.com` | every path of that host: it is read as `example.com/`, so it does **not** match `example.company.com` |
//! | `example.com/admin/` | that host, paths under `/admin/` |
//! | `example.com/api` | byte prefix: `/api`, `/api/...` **and** `/apix`; end with `/` to mean a directory |
//! | `example.com:8080/x` | only on port 8080 |
//!
//! The rules that make two spellings the same key are applied to patterns when
//! the whitelist is built and to requests by [`RequestKey`]:
//!
//! * **Hosts are ASCII-case-insensitive; paths are case-sensitive.**
//!   `Example.COM/Admin/` is stored as `example.com/Admin/`.
//! * **Default ports are no port.** `example.com:80`, `example.com:443` and
//!   `example.com` are one host, in patterns and in requests alike (leading
//!   zeros in a port are ignored). Any other port must be written:
//!   `example.com` does not match a request to `example.com:8080`. The scheme
//!   is not part of the key, so `:443` over plain http is treated like `:80`.
//! * **A trailing dot in the host is ignored** (`example.com.` is the fully
//!   qualified `example.com`).
//! * **An empty path is `/`**, and a path that does not start with `/` gets one.
//! * **Paths are matched raw, as received.** No percent-decoding, in either
//!   direction: the pattern `/a%2Fb/` matches `/a%2Fb/x` but not `/a%2fb/x` nor
//!   `/a/b/x`. Raw matching can only make a whitelist match *less*, never
//!   more, so an attacker cannot use an encoding to widen it; list both
//!   spellings if clients use both.
//! * **The query string is not part of the key**: requests are cut at the
//!   first `?`. Patterns with `?` or `#` are refused (clients never send a
//!   fragment; a `#` in a received path is raw data and stays in the key).
//! * **Dot segments cannot escape a prefix.** A web server resolves
//!   `/static/../upload.php` to `/upload.php` before it runs a script, so a raw
//!   prefix match would hand `/static/`'s whitelist to `upload.php`. A request
//!   path with a `..` segment (also spelled `%2e%2e`, or with `\` or `%2f` as
//!   separator) is therefore matched as if it were `/`: only `*`, host-only
//!   patterns and the path `/` apply. Patterns with `..` are refused.
//! * **A Host header that is not a plausible host is ignored** (it contains
//!   `/`, `@`, whitespace, non-ASCII, a non-numeric port, ...): only `*` and
//!   path patterns apply, so a client cannot write `Host: example.com/admin` to
//!   borrow `example.com/admin/`'s whitelist for another path.
//! * **Duplicates are merged.** Patterns that normalize to the same key get
//!   the OR of their sets; order does not matter. An empty set is allowed and
//!   has no effect.
//! * **There are no small limits.** Patterns are unlimited in number and
//!   length (tested with 100,000 prefixes and with a 200 KB pattern). The only
//!   bounds are 2^32 trie nodes and 2^24 distinct combinations of sets.
//!
//! Refused patterns, each with an error that names the pattern and says what
//! to write instead (see [`ErrorKind`]): the empty pattern (write `*`), a
//! scheme (`https://example.com/` → write `example.com/`), a leading `//`, `?`
//! or `#`, `*` anywhere but alone (`/api/*` → write `/api/`), spaces and
//! control characters (write `%20`), `..` segments, user info (`user@`), a
//! non-ASCII host (write punycode), empty host labels, malformed IPv6 and
//! ports outside 1–65535.
//!
//! A word of caution that no matcher can lift: host patterns trust the Host
//! header, which the client chooses. If the application also answers as the
//! server's default virtual host, any client can send `Host: api.example.com`.
//! Prefer path patterns, or make sure the web server only routes known hosts
//! to PHP.
//!
//! # Design: a zero-copy double-array trie, measured against daachorse
//!
//! The mission names [daachorse](https://crates.io/crates/daachorse), a
//! double-array Aho-Corasick automaton, and it does answer the question: build
//! it over the pattern keys, step it over the request key, and OR the values of
//! matches that start at offset 0, stopping once the automaton's depth falls
//! behind the bytes consumed. But its automaton can only be matched from its
//! own owned arrays: `deserialize` is safe and checked, and it copies. That
//! leaves two designs for the workers:
//!
//! * **(a)** every worker `deserialize`s the published daachorse bytes once per
//!   generation into private memory, and matches with the daachorse stepper;
//! * **(b)** the agent publishes a compact double-array *prefix* trie, and
//!   workers walk it directly in the shared bytes, in safe Rust with
//!   bounds-checked reads (this crate).
//!
//! Measured with `benches/whitelist.rs` on the project's 2-core machine
//! (realistic patterns: 60% host + path, 20% host only, 20% path only; lookups
//! half hits, half misses; criterion's median estimate of one full run). The
//! machine was shared with other builds (load 4 to 8 on 2 cores): absolute
//! times varied up to 2× between runs, the ratios between (a) and (b) held.
//! Run it yourself with
//! `cargo bench -p rasp-whitelist --bench whitelist`; the table of sizes and
//! memory is printed first.
//!
//! | prefixes | (b) bytes, shared | (b) private per worker | (a) private per worker | (b) open | (a) deserialize | (b) lookup | (a) lookup |
//! | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
//! | 10 | 2.5 KiB | 0 | 73 KiB | 0.2 µs | 110 µs | 208 ns | 289 ns |
//! | 1,000 | 139 KiB | 0 | 336 KiB | 15 µs | 388 µs | 277 ns | 298 ns |
//! | 100,000 | 13.1 MiB | 0 | 25.6 MiB | 1.9 ms | 58 ms | 682 ns | 3,980 ns |
//!
//! "Private" is daachorse's `heap_bytes()` for (a); a fresh process that opens
//! the bytes and runs 4,096 lookups grows its resident set by 26 MiB for (a) at
//! 100k and by no more than the code it touches (under 128 KiB) for (b).
//! Building takes 17 µs, 1.5 ms and 190 ms. About 150–230 ns of every lookup
//! is [`RequestKey`] normalization, common to both.
//!
//! The choice is (b):
//!
//! * **Memory.** (a) costs the automaton once per worker: 25.6 MiB × 32 FPM
//!   workers is 820 MiB for 100k prefixes, against 13 MiB shared once for (b).
//!   Even at 1,000 prefixes, (a) is 10 MiB over 32 workers.
//! * **Reload.** Each worker pays (a)'s deserialize on its next request after a
//!   change: 58 ms at 100k, 0.4 ms at 1k, against a checksum pass for (b)
//!   (1.9 ms at 100k).
//! * **Lookups** are no slower, and faster on large sets: a prefix search needs
//!   no failure links, so a node is 8 bytes (base and label + value index), and
//!   each node stores the union of the sets of all patterns on its path, so a
//!   lookup walks as far as the key allows and reads one value.
//! * **Robustness.** daachorse documents that `deserialize` of malformed data
//!   may loop forever; (b)'s walk is bounded by the key length and every read is
//!   checked, so damaged bytes that somehow pass the checksum give a wrong set,
//!   never a hang or a panic.
//!
//! daachorse stays where it is strong: as the independent oracle. The property
//! tests and the 100k-prefix test compare every lookup against a daachorse
//! automaton (and against a naive scan), and the benchmark keeps (a) measured.
//! It is a dev-dependency only; nothing of it is linked into the extension.
//!
//! # The bytes
//!
//! [`Whitelist::to_bytes`] writes a self-describing little-endian format: a
//! magic ([`MAGIC`]), a version ([`FORMAT_VERSION`]), the header length, flags,
//! the node, value and pattern counts, the total length, then the nodes, the
//! distinct check-type sets (`u64` each, so the format has room for 64 check
//! types), and a trailing 64-bit checksum of everything before it.
//! [`WhitelistView::new`] checks all of it and refuses truncated, unknown-version
//! or corrupted bytes with a [`FormatError`]; any single
//! corrupted byte is always detected. Bytes after the total length are
//! ignored, so a mapping rounded up to pages can be passed as is.
//!
//! Every read in a lookup is bounds-checked and every walk is bounded by the
//! key length, so a view over adversarial bytes (with a valid checksum) can
//! return a wrong set but cannot panic or hang. The crate has no `unsafe`.
//!
//! The publisher must not modify bytes a worker is reading: publish a new
//! generation elsewhere and switch, rather than rewrite in place. If it did,
//! lookups here would still not panic, but could answer from a mix of two
//! whitelists.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod build;
mod format;
mod key;
mod pattern;

pub use build::{Whitelist, WhitelistBuilder};
pub use format::{FormatError, WhitelistView, FORMAT_VERSION, MAGIC};
pub use key::RequestKey;
pub use pattern::{canonical_pattern, ErrorKind, WhitelistError};

#[doc(no_inline)]
pub use rasp_core::CheckTypeSet;

/// Builds the whitelist of a parsed `rasp.yml`, reporting every bad
/// pattern with its line, in the config's own error type.
pub fn from_config(
    entries: &[rasp_core::config::WhitelistEntry],
) -> Result<Whitelist, rasp_core::config::ConfigErrors> {
    use rasp_core::config::{ConfigError, ConfigErrors};
    let mut builder = WhitelistBuilder::new();
    let mut errors = Vec::new();
    for e in entries {
        if let Err(err) = builder.add(&e.prefix, e.types) {
            errors.push(ConfigError {
                line: e.line,
                key: format!("whitelist.\"{}\"", e.prefix),
                message: err.to_string(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    builder.build().map_err(|err| {
        ConfigErrors(vec![ConfigError {
            line: 0,
            key: "whitelist".into(),
            message: err.to_string(),
        }])
    })
}
