//! The request values detection looks for: parameters, JSON body leaves,
//! cookies and chosen headers, each with its URL-, HTML- and JSON-decoded
//! forms.
//!
//! One list for two readers. The official plugin's `*_userinput`
//! algorithms walk it (`RASP.request_inputs()`), and the extension's check
//! gates ([`crate::gate`]) ask it whether any value occurs in a param before
//! entering V8 at all. Because both read the same list, built from the same
//! `context` JSON by the same code, a gate cannot skip an event the plugin
//! would have judged on a request value.
//!
//! Lengths are counted in UTF-16 code units, as JavaScript's `.length`
//! counts them, so `min_length` means the same on both sides.

use std::cell::RefCell;
use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde_json::Value;

use crate::context::RequestValues;

/// Which values count, from the plugin's `algorithmConfig.meta`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InputOptions {
    /// Raw values shorter than this (UTF-16 units) are left out.
    pub min_length: usize,
    /// Request headers (lower-case names) whose values count.
    pub headers: Vec<String>,
    /// Add the decoded forms of each value.
    pub decode: bool,
    /// Values longer than this are not decoded.
    pub max_decode_length: usize,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            min_length: 1,
            headers: Vec::new(),
            decode: true,
            max_decode_length: 16384,
        }
    }
}

impl InputOptions {
    /// The keys [`Self::from_json`] reads: everything else in an options
    /// object leaves the list as it is.
    pub const KEYS: [&'static str; 4] = [
        "min_length",
        "headers",
        "decode_values",
        "max_decode_length",
    ];

    /// Reads `{min_length, headers, decode_values, max_decode_length}`
    /// (the shape of the official plugin's `meta`); missing keys keep
    /// their defaults.
    pub fn from_json(v: &Value) -> InputOptions {
        let d = InputOptions::default();
        let num = |k: &str, dflt: usize| {
            v.get(k)
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map_or(dflt, |n| n.min(usize::MAX as f64) as usize)
        };
        InputOptions {
            min_length: num("min_length", d.min_length),
            headers: v
                .get("headers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default(),
            decode: v
                .get("decode_values")
                .and_then(Value::as_bool)
                .unwrap_or(d.decode),
            max_decode_length: num("max_decode_length", d.max_decode_length),
        }
    }
}

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Parameter,
    Json,
    Cookie,
    Header,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Parameter => "parameter",
            Source::Json => "json",
            Source::Cookie => "cookie",
            Source::Header => "header",
        }
    }
}

/// How a decoded form was obtained from the value before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoding {
    Url,
    Html,
    Json,
}

impl Decoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Decoding::Url => "url",
            Decoding::Html => "html",
            Decoding::Json => "json",
        }
    }
}

/// One request value (or a decoded form of one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub source: Source,
    pub name: String,
    pub value: String,
    pub decoded: Option<Decoding>,
}

/// Values are first searched one by one (building an automaton costs tens
/// of microseconds per request); with more than [`FEW_VALUES`] of them, the
/// automaton is built at the [`AUTOMATON_AFTER`]th search of one matcher.
const FEW_VALUES: usize = 6;
const AUTOMATON_AFTER: u32 = 32;

/// Up to this many values, whether one is new is answered by a scan.
const SCAN_SEEN_UP_TO: usize = 16;

/// Leaves of the JSON body looked at; a huge body is not walked to the end.
const MAX_JSON_LEAVES: usize = 10_000;
const MAX_JSON_DEPTH: usize = 32;
/// A body without a JSON content type is parsed as JSON only below this.
const MAX_SNIFFED_BODY: usize = 1 << 20;

/// The values of one request, with an automaton per minimum length for
/// "does any value occur in this text" (built on first use).
#[derive(Debug)]
enum Matcher {
    /// Searched once, one-shot: searchers are built on the next search.
    Later,
    /// No value is that long.
    Nothing,
    /// One substring searcher per value.
    Few(Vec<memchr::memmem::Finder<'static>>),
    /// One-byte values (`paged=2`, `cat=7`: common) looked for with memchr;
    /// the longer ones with an automaton. With one-byte patterns among them
    /// the automaton's prefilter is off and it walks every byte: 465 ns
    /// instead of 55 ns for a 430-byte query against 25 values.
    Values {
        bytes: Vec<u8>,
        longer: Option<AhoCorasick>,
    },
    /// The automaton could not be built: every text may hold a value.
    Anything,
}

#[derive(Debug)]
pub struct RequestInputs {
    inputs: Vec<Input>,
    /// One matcher per minimum length asked for (gates ask for one or two).
    matchers: RefCell<Vec<(usize, u32, Matcher)>>,
    /// A substring searcher per value, made on the second
    /// [`RequestInputs::occurring_in`]: a request's later checks search
    /// with them again.
    finders: RefCell<Option<Vec<memchr::memmem::Finder<'static>>>>,
    /// Whether `occurring_in` ran before.
    searched: std::cell::Cell<bool>,
    /// The last text `occurring_in` searched, its minimum length and
    /// answer: a page repeats queries, and the gate and the plugin ask
    /// about the same text.
    last_search: RefCell<Option<(String, usize, Vec<usize>)>>,
}

/// Whether `value` is long enough (`min` >= 1 UTF-16 units) and short
/// enough to occur in `text`. UTF-16 length <= UTF-8 length, so only a
/// value whose bytes pass needs counting, and only when `min` > 1.
fn may_occur(value: &str, text: &str, min: usize) -> bool {
    value.len() <= text.len() && value.len() >= min && (min == 1 || js_len(value) >= min)
}

/// Whether one of `bytes` occurs in `text`: memchr3 passes, three bytes
/// at a time.
fn any_byte_in(bytes: &[u8], text: &[u8]) -> bool {
    bytes.chunks(3).any(|c| match *c {
        [a] => memchr::memchr(a, text).is_some(),
        [a, b] => memchr::memchr2(a, b, text).is_some(),
        [a, b, c] => memchr::memchr3(a, b, c, text).is_some(),
        _ => false,
    })
}

/// `s` as a JSON string, escaped as serde_json escapes (quote, backslash,
/// control characters); most values need nothing escaped.
fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }
}

/// Length in UTF-16 code units (JavaScript's `.length`).
pub fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len(); // one unit per byte; checked a word at a time
    }
    s.chars().map(char::len_utf16).sum()
}

impl RequestInputs {
    /// The values of the request described by `context` (the JSON the
    /// plugins receive).
    pub fn from_context(context: &Value, opts: &InputOptions) -> RequestInputs {
        let mut b = Builder::new(opts);
        if let Some(params) = context.get("parameter").and_then(Value::as_object) {
            for (name, vals) in params {
                match vals {
                    Value::Array(a) => {
                        for v in a {
                            if let Value::String(s) = v {
                                b.add(Source::Parameter, name, s);
                            }
                        }
                    }
                    Value::String(s) => b.add(Source::Parameter, name, s),
                    _ => {}
                }
            }
        }
        b.json_body(
            context.get("json"),
            context.get("body").and_then(Value::as_str),
        );
        if let Some(cookies) = context.get("cookie").and_then(Value::as_object) {
            for (name, v) in cookies {
                if let Value::String(s) = v {
                    b.add(Source::Cookie, name, s);
                }
            }
        }
        if let Some(headers) = context.get("header").and_then(Value::as_object) {
            for want in &opts.headers {
                if let Some(Value::String(s)) = headers.get(want.as_str()) {
                    b.add(Source::Header, want, s);
                }
            }
        }
        b.finish()
    }

    /// The same list as [`RequestInputs::from_context`] of the context made
    /// from `values`, without making it (see [`RequestValues`]).
    pub fn from_values(values: &RequestValues, opts: &InputOptions) -> RequestInputs {
        let mut b = Builder::new(opts);
        for (name, vals) in &values.parameter {
            for v in vals {
                b.add(Source::Parameter, name, v);
            }
        }
        b.json_body(Some(&values.json), Some(&values.body));
        for (name, v) in &values.cookie {
            b.add(Source::Cookie, name, v);
        }
        for want in &opts.headers {
            if let Some((_, v)) = values.header.iter().find(|(k, _)| k == want) {
                b.add(Source::Header, want, v);
            }
        }
        b.finish()
    }

    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Whether a value at least `min_length` long (UTF-16 units) occurs in
    /// `text`. Linear in the text once the automaton exists.
    pub fn occurs_in(&self, text: &str, min_length: usize) -> bool {
        if self.inputs.is_empty() || text.is_empty() {
            return false;
        }
        let mut matchers = self.matchers.borrow_mut();
        let Some(at) = matchers.iter().position(|m| m.0 == min_length) else {
            // The first search at this length (a request's only one, often)
            // is one-shot: building a searcher per value costs more.
            matchers.push((min_length, 1, Matcher::Later));
            let min = min_length.max(1);
            return self
                .inputs
                .iter()
                .any(|i| may_occur(&i.value, text, min) && text.contains(i.value.as_str()));
        };
        let (_, searches, m) = &mut matchers[at];
        *searches += 1;
        if let Matcher::Later = m {
            *m = self.finders(min_length);
        }
        // Many values and many searches: now the automaton pays for itself.
        if *searches == AUTOMATON_AFTER {
            if let Matcher::Few(f) = m {
                if f.len() > FEW_VALUES {
                    *m = self.automaton(min_length);
                }
            }
        }
        match m {
            Matcher::Later | Matcher::Nothing => false,
            Matcher::Few(finders) => finders.iter().any(|f| f.find(text.as_bytes()).is_some()),
            Matcher::Values { bytes, longer } => {
                any_byte_in(bytes, text.as_bytes())
                    || longer.as_ref().is_some_and(|ac| ac.is_match(text))
            }
            Matcher::Anything => true,
        }
    }

    fn patterns(&self, min_length: usize) -> Vec<&str> {
        self.inputs
            .iter()
            .map(|i| i.value.as_str())
            .filter(|v| js_len(v) >= min_length.max(1))
            .collect()
    }

    /// One substring searcher per value: nearly free to build.
    fn finders(&self, min_length: usize) -> Matcher {
        let pats = self.patterns(min_length);
        if pats.is_empty() {
            return Matcher::Nothing;
        }
        Matcher::Few(
            pats.iter()
                .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
                .collect(),
        )
    }

    fn automaton(&self, min_length: usize) -> Matcher {
        let (short, pats): (Vec<&str>, Vec<&str>) = self
            .patterns(min_length)
            .into_iter()
            .partition(|p| p.len() == 1);
        let mut bytes: Vec<u8> = short.iter().map(|p| p.as_bytes()[0]).collect();
        bytes.sort_unstable();
        bytes.dedup();
        if pats.is_empty() {
            return Matcher::Values {
                bytes,
                longer: None,
            };
        }
        // The NFA builds in a fraction of the DFA's time (25 values: 360,000
        // vs 1.9 million instructions) and searches as fast, because the
        // search is the prefilter's. Leftmost-first semantics enable the SIMD
        // (Teddy) prefilter: a 200-byte query against 25 values costs ~440
        // instructions instead of ~7,200, and "is there a match" is the same
        // question under any semantics.
        AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostFirst)
            .build(&pats)
            .map_or(Matcher::Anything, |ac| Matcher::Values {
                bytes,
                longer: Some(ac),
            })
    }

    /// Where in [`Self::inputs`] the values at least `min_length` long
    /// (UTF-16 units, at least 1) that occur in `text` are, in list order:
    /// what a plugin walking the list with `text.indexOf(value)` finds,
    /// without the list crossing to it.
    pub fn occurring_in(&self, text: &str, min_length: usize) -> Vec<usize> {
        let min = min_length.max(1);
        if let Some((t, m, found)) = &*self.last_search.borrow() {
            if *m == min && t == text {
                return found.clone();
            }
        }
        let found = self.search_all(text, min);
        *self.last_search.borrow_mut() = Some((text.to_string(), min, found.clone()));
        found
    }

    fn search_all(&self, text: &str, min: usize) -> Vec<usize> {
        // A request's first text (often its only one) is searched one-shot:
        // building a searcher per value costs more than one search. Later
        // texts search with searchers built once.
        let mut finders = self.finders.borrow_mut();
        if self.searched.replace(true) && finders.is_none() {
            *finders = Some(
                self.inputs
                    .iter()
                    .map(|i| memchr::memmem::Finder::new(i.value.as_bytes()).into_owned())
                    .collect(),
            );
        }
        let finders = finders.as_deref();
        self.inputs
            .iter()
            .enumerate()
            .filter(|&(at, i)| {
                may_occur(&i.value, text, min)
                    && match finders {
                        Some(f) => f[at].find(text.as_bytes()).is_some(),
                        None => text.contains(i.value.as_str()),
                    }
            })
            .map(|(at, _)| at)
            .collect()
    }

    /// The list as JSON, for `RASP.request_inputs()`: `[{source, name,
    /// value, decoded?}]`.
    pub fn to_json(&self) -> String {
        Self::json_of(self.inputs.iter())
    }

    /// Some of the list's entries as JSON, in the shape of [`Self::to_json`].
    /// Written by hand into one buffer: serde's writer grew its String a
    /// few bytes at a time and escaped byte by byte (~370 ns for the five
    /// values of a WordPress search query, a gate finding's rows).
    pub fn json_of<'a>(inputs: impl Iterator<Item = &'a Input>) -> String {
        let mut out = String::with_capacity(256);
        out.push('[');
        for (n, i) in inputs.enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str("{\"source\":\"");
            out.push_str(i.source.as_str());
            out.push_str("\",\"name\":");
            push_json_str(&mut out, &i.name);
            out.push_str(",\"value\":");
            push_json_str(&mut out, &i.value);
            if let Some(d) = i.decoded {
                out.push_str(",\"decoded\":\"");
                out.push_str(d.as_str());
                out.push('"');
            }
            out.push('}');
        }
        out.push(']');
        out
    }
}

struct Builder<'a> {
    out: Vec<Input>,
    seen: HashSet<String>,
    opts: &'a InputOptions,
}

impl<'a> Builder<'a> {
    fn new(opts: &'a InputOptions) -> Self {
        Builder {
            out: Vec::new(),
            seen: HashSet::new(),
            opts,
        }
    }

    fn finish(self) -> RequestInputs {
        RequestInputs {
            inputs: self.out,
            matchers: RefCell::new(Vec::new()),
            finders: RefCell::new(None),
            searched: std::cell::Cell::new(false),
            last_search: RefCell::new(None),
        }
    }

    /// The leaves of the JSON body: the parsed `json`, or when it is
    /// missing or an empty object, a `body` that parses as JSON (a JSON
    /// body sent with another content type is still JSON to the
    /// application).
    fn json_body(&mut self, json: Option<&Value>, body: Option<&str>) {
        let empty = match json {
            None | Some(Value::Null) => true,
            Some(Value::Object(m)) => m.is_empty(),
            _ => false,
        };
        let sniffed;
        let json = match (empty, body) {
            (true, Some(body)) if body.len() < MAX_SNIFFED_BODY => {
                let t = body.trim_start();
                if t.starts_with('{') || t.starts_with('[') {
                    sniffed = serde_json::from_str::<Value>(body).ok();
                    sniffed.as_ref()
                } else {
                    json
                }
            }
            _ => json,
        };
        if let Some(json) = json {
            let mut budget = MAX_JSON_LEAVES;
            self.walk(json, &mut String::new(), 0, &mut budget);
        }
    }

    /// The set of the list's values once the list is long (a request may
    /// carry thousands of values), made the first time it is; None while
    /// a scan of the list is cheaper.
    fn seen_set(&mut self) -> Option<&mut HashSet<String>> {
        if self.out.len() < SCAN_SEEN_UP_TO {
            return None;
        }
        if self.seen.is_empty() {
            self.seen = self.out.iter().map(|i| i.value.clone()).collect();
        }
        Some(&mut self.seen)
    }

    /// Whether `value` is in the list already.
    fn seen(&mut self, value: &str) -> bool {
        match self.seen_set() {
            Some(set) => set.contains(value),
            None => self.out.iter().any(|i| i.value == value),
        }
    }

    fn push(&mut self, source: Source, name: &str, value: String, decoded: Option<Decoding>) {
        if let Some(set) = self.seen_set() {
            set.insert(value.clone());
        }
        self.out.push(Input {
            source,
            name: name.to_string(),
            value,
            decoded,
        });
    }

    fn add(&mut self, source: Source, name: &str, value: &str) {
        // UTF-16 length <= UTF-8 length: most values need no count.
        let min = self.opts.min_length;
        if (value.len() < min || (min > 1 && js_len(value) < min)) || self.seen(value) {
            return;
        }
        self.push(source, name, value.to_string(), None);
        let max = self.opts.max_decode_length;
        if self.opts.decode && (value.len() <= max || js_len(value) <= max) {
            for (form, how) in decoded_forms(value) {
                if !self.seen(&form) {
                    self.push(source, name, form, Some(how));
                }
            }
        }
    }

    fn walk(&mut self, v: &Value, path: &mut String, depth: usize, budget: &mut usize) {
        if depth > MAX_JSON_DEPTH || *budget == 0 {
            return;
        }
        let mut child = |b: &mut Self, key: &str, v: &Value, path: &mut String| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            b.walk(v, path, depth + 1, budget);
            path.truncate(len);
        };
        match v {
            Value::Null => {}
            Value::Object(m) => {
                for (k, v) in m {
                    child(self, k, v, path);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    child(self, &i.to_string(), v, path);
                }
            }
            leaf => {
                *budget -= 1;
                let text = match leaf {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let name = if path.is_empty() { "(json)" } else { path };
                let name = name.to_string();
                self.add(Source::Json, &name, &text);
            }
        }
    }
}

/// The distinct decoded forms of a value (URL once and twice, HTML
/// entities, JSON/JS escapes), in that order, without the value itself.
pub fn decoded_forms(value: &str) -> Vec<(String, Decoding)> {
    let mut out: Vec<(String, Decoding)> = Vec::new();
    let mut add = |v: String, how: Decoding| {
        if !v.is_empty() && v != value && !out.iter().any(|(o, _)| *o == v) {
            out.push((v, how));
        }
    };
    if value.contains('%') {
        let once = url_decode(value);
        if once.contains('%') {
            let twice = url_decode(&once);
            add(once, Decoding::Url);
            add(twice, Decoding::Url);
        } else {
            add(once, Decoding::Url);
        }
    }
    if value.contains('&') {
        add(html_decode(value), Decoding::Html);
    }
    if value.contains('\\') {
        add(json_unescape(value), Decoding::Json);
    }
    out
}

/// The value of the `n` hex digits at `b[from..]`, if they are all there.
fn hex_digits(b: &[u8], from: usize, n: usize) -> Option<u32> {
    b.get(from..from + n)?.iter().try_fold(0u32, |acc, &d| {
        (d as char).to_digit(16).map(|d| acc * 16 + d)
    })
}

/// Appends and empties buffered UTF-16 code units, pairing surrogates; a
/// lone one becomes U+FFFD.
fn flush_units(out: &mut String, units: &mut Vec<u16>) {
    out.extend(char::decode_utf16(units.drain(..)).map(|r| r.unwrap_or('\u{fffd}')));
}

/// `%XX` and `%uXXXX` decoding that never fails; `+` stays `+` (PHP already
/// made it a space). A run of `%XX` bytes is read as UTF-8 where it is valid,
/// other bytes one by one as Latin-1.
pub fn url_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut units: Vec<u16> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(v) = hex_digits(b, i + 1, 2) {
                flush_units(&mut out, &mut units);
                bytes.push(v as u8);
                i += 3;
                continue;
            }
            if matches!(b.get(i + 1), Some(b'u' | b'U')) {
                if let Some(v) = hex_digits(b, i + 2, 4) {
                    flush_bytes(&mut out, &mut bytes);
                    units.push(v as u16);
                    i += 6;
                    continue;
                }
            }
        }
        flush_bytes(&mut out, &mut bytes);
        flush_units(&mut out, &mut units);
        // Copy the whole character starting here.
        let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    flush_bytes(&mut out, &mut bytes);
    flush_units(&mut out, &mut units);
    out
}

/// Decoded bytes: valid UTF-8 sequences as characters, other bytes as
/// Latin-1 characters.
fn flush_bytes(out: &mut String, bytes: &mut Vec<u8>) {
    let mut rest: &[u8] = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or(""));
                out.push(rest[good] as char);
                rest = &rest[good + 1..];
            }
        }
    }
    bytes.clear();
}

/// Named entities decoded besides numeric ones.
const HTML_NAMED: [(&str, char); 28] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("num", '#'),
    ("lpar", '('),
    ("rpar", ')'),
    ("semi", ';'),
    ("comma", ','),
    ("period", '.'),
    ("colon", ':'),
    ("equals", '='),
    ("grave", '`'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("excl", '!'),
    ("ast", '*'),
    ("plus", '+'),
    ("minus", '-'),
    ("lowbar", '_'),
    ("vert", '|'),
    ("newline", '\n'),
    ("tab", '\t'),
    ("hyphen", '-'),
];

/// HTML character references: `&#NN;`, `&#xHH;` and the names above, the
/// `;` optional (browsers and many decoders accept it missing).
pub fn html_decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'&' {
            i += 1;
            continue;
        }
        let (end, decoded) = html_reference(b, i + 1);
        if end == 0 {
            i += 1;
            continue;
        }
        out.push_str(&s[last..i]);
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&s[i..end]),
        }
        last = end;
        i = end;
    }
    out.push_str(&s[last..]);
    out
}

/// The reference after `&` at `at`: (end of the match incl. an optional
/// `;`, or 0 when nothing matches; the character, if it decodes).
fn html_reference(b: &[u8], at: usize) -> (usize, Option<char>) {
    let run = |from: usize, max: usize, ok: fn(u8) -> bool| {
        let mut e = from;
        while e < b.len() && e - from < max && ok(b[e]) {
            e += 1;
        }
        e
    };
    let semi = |e: usize| if b.get(e) == Some(&b';') { e + 1 } else { e };
    let numeric = |digits: &[u8], radix: u32, end: usize| {
        let n = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, radix).ok());
        let c = n
            .filter(|&n| n > 0 && n <= 0x10ffff)
            .map(|n| char::from_u32(n).unwrap_or('\u{fffd}'));
        (semi(end), c)
    };
    if b.get(at) == Some(&b'#') {
        if matches!(b.get(at + 1), Some(b'x' | b'X')) {
            let e = run(at + 2, 6, |c| c.is_ascii_hexdigit());
            if e > at + 2 {
                return numeric(&b[at + 2..e], 16, e);
            }
        }
        let e = run(at + 1, 7, |c| c.is_ascii_digit());
        if e > at + 1 {
            return numeric(&b[at + 1..e], 10, e);
        }
        return (0, None);
    }
    let e = run(at, 8, |c| c.is_ascii_alphabetic());
    if e - at < 2 {
        return (0, None);
    }
    let name = std::str::from_utf8(&b[at..e])
        .unwrap_or("")
        .to_ascii_lowercase();
    let c = HTML_NAMED.iter().find(|(n, _)| *n == name).map(|&(_, c)| c);
    (semi(e), c)
}

/// JSON and JavaScript string escapes: `\uXXXX` (surrogate pairs joined),
/// `\xHH`, `\b \f \n \r \t`, and `\"`, `\\`, `\/`, `\'` as the character.
pub fn json_unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut units: Vec<u16> = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            i += 1;
            continue;
        }
        let (unit, len): (Option<u16>, usize) = match b[i + 1] {
            b'u' => match hex_digits(b, i + 2, 4) {
                Some(v) => (Some(v as u16), 6),
                None => (None, 0),
            },
            b'x' => match hex_digits(b, i + 2, 2) {
                Some(v) => (Some(v as u16), 4),
                None => (None, 0),
            },
            b'b' => (Some(8), 2),
            b'f' => (Some(12), 2),
            b'n' => (Some(10), 2),
            b'r' => (Some(13), 2),
            b't' => (Some(9), 2),
            c @ (b'"' | b'\\' | b'/' | b'\'') => (Some(c as u16), 2),
            _ => (None, 0),
        };
        let Some(unit) = unit else {
            i += 1;
            continue;
        };
        if i > last {
            flush_units(&mut out, &mut units);
            out.push_str(&s[last..i]);
        }
        units.push(unit);
        i += len;
        last = i;
    }
    flush_units(&mut out, &mut units);
    out.push_str(&s[last..]);
    out
}
