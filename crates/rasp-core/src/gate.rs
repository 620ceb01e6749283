//! Check gates: when a plugin handler wants to be called at all.
//!
//! A WordPress page makes hundreds of `include`, `readFile` and `sql`
//! events, and entering V8 costs microseconds each even when the handler
//! finds nothing. Most handlers can only fire when a request value occurs
//! in the path or query, or when the text holds one of a few words. A
//! handler registered with `{ when: ... }` states that condition as data;
//! the extension evaluates it natively and skips V8 when no handler's
//! condition holds, which is the same answer the handlers would have given.
//!
//! ```js
//! plugin.register('include', check, { when: () => [
//!   { param: 'path', input: algorithmConfig.meta, min_length: 2 },
//!   { param: 'path', contains: [':'] },
//! ] })
//! ```
//!
//! A condition holds when
//! - `input`: a request value (the list of [`crate::inputs`] built with the
//!   given options, the list `RASP.request_inputs(options)` returns) at
//!   least `min_length` long occurs in `params[param]`;
//! - `contains`: `params[param]` contains one of the strings, ASCII case
//!   ignored (and the Kelvin sign, which JavaScript lower-cases to `k`,
//!   counts as a match for every word with a `k`).
//!
//! When the param is missing or not a string the condition holds: the
//! handler decides what to make of it. A handler without `when` is always
//! called, and so is every handler of a type where one of them has none.

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde_json::Value;

use crate::inputs::{InputOptions, RequestInputs};

/// One condition of a `when` list.
#[derive(Clone)]
pub enum Condition {
    Input {
        param: String,
        /// Shared so that callers can cache request values by address.
        options: Arc<InputOptions>,
        min_length: usize,
    },
    Contains {
        param: String,
        words: Vec<String>,
        matcher: Option<ContainsMatcher>,
    },
}

/// The searcher of a `contains` condition, and what it needs of the text.
#[derive(Clone)]
pub struct ContainsMatcher {
    words: AhoCorasick,
    /// Some word has an ASCII letter: an upper-case text is lower-cased
    /// first (WordPress paths and queries mostly have none to fold).
    fold_case: bool,
    /// Some word has a "k": the Kelvin sign in the text counts as a match.
    kelvin: bool,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Input {
                param, min_length, ..
            } => write!(f, "input in {param} (min {min_length})"),
            Condition::Contains { param, words, .. } => write!(f, "{param} contains {words:?}"),
        }
    }
}

/// The conditions of every handler of one check type: the handlers are
/// called when any of them holds.
#[derive(Debug, Default)]
pub struct Gate {
    conditions: Vec<Condition>,
    /// The handler (its index among the type's handlers) of each condition.
    handler_of: Vec<usize>,
    handlers: usize,
}

/// Handlers a [`GatePass`] names one by one; those from this index on are
/// always called (the runtime tests the mask with 32-bit operations).
pub const NAMED_HANDLERS: usize = 31;

/// What the gate decided about an event it lets through.
#[derive(Debug, Clone)]
pub struct GatePass {
    /// Bit `i` set: a condition of handler `i` holds, so the runtime calls
    /// it; a handler none of whose conditions holds is skipped, as its
    /// `when` says (handlers from [`NAMED_HANDLERS`] on are always called).
    pub handlers: u32,
    /// What an `input` condition found on the way: the one that held, or
    /// else one that searched and found nothing.
    pub finding: Option<InputFinding>,
}

/// What the gate learnt from an `input` condition it evaluated: the
/// request values (of the list built with that condition's options) at
/// least `min_length` long that occur in `params[param]`. That is the
/// answer to the handler's own `RASP.inputs_in(params[param], options,
/// min_length)`; handed over with the event (`Engine::check_lazy_noting`),
/// it spares the handler a second search and a crossing out of V8.
#[derive(Debug, Clone)]
pub struct InputFinding {
    /// Index of the condition in [`Gate::conditions`].
    pub condition: usize,
    pub min_length: usize,
    /// The list searched: the request values built with the condition's
    /// options.
    pub inputs: Rc<RequestInputs>,
    /// Where in `inputs.inputs()` the values found are, in list order.
    pub positions: Vec<usize>,
}

impl InputFinding {
    /// The entries found.
    pub fn found(&self) -> impl Iterator<Item = &crate::inputs::Input> {
        self.positions.iter().map(|&at| &self.inputs.inputs()[at])
    }
}

/// A params object's string fields, as the conditions read them.
fn string_field<'a>(params: &'a Value) -> impl Fn(&str) -> Option<Cow<'a, str>> {
    move |k: &str| params.get(k).and_then(Value::as_str).map(Cow::Borrowed)
}

/// Why a `when` value is not a list of conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateError(pub String);

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Condition {
    /// Parses one condition object (see the module docs).
    pub fn from_json(v: &Value) -> Result<Condition, GateError> {
        let Some(obj) = v.as_object() else {
            return Err(GateError(format!("a condition must be an object, not {v}")));
        };
        let param = obj
            .get("param")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                GateError("a condition needs \"param\": the params field it looks at".into())
            })?
            .to_string();
        for k in obj.keys() {
            if !matches!(k.as_str(), "param" | "input" | "min_length" | "contains") {
                return Err(GateError(format!(
                    "unknown key \"{k}\" in a condition (known: param, input, min_length, contains)"
                )));
            }
        }
        match (obj.get("input"), obj.get("contains")) {
            (Some(input), None) => {
                if !input.is_object() && input != &Value::Bool(true) {
                    return Err(GateError(
                        "\"input\" must be the input options object (like algorithmConfig.meta) or true".into(),
                    ));
                }
                let options = InputOptions::from_json(input);
                let min_length = obj
                    .get("min_length")
                    .and_then(Value::as_f64)
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .map_or(0, |n| n.min(1e9) as usize)
                    .max(options.min_length)
                    .max(1);
                Ok(Condition::Input {
                    param,
                    options: Arc::new(options),
                    min_length,
                })
            }
            (None, Some(Value::Array(list))) => {
                let mut words = Vec::with_capacity(list.len());
                for w in list {
                    match w.as_str() {
                        Some(s) => words.push(s.to_string()),
                        None => {
                            return Err(GateError(format!(
                                "\"contains\" must list strings, found {w}"
                            )))
                        }
                    }
                }
                if words.iter().any(String::is_empty) {
                    // "" occurs everywhere: the condition always holds.
                    return Ok(Condition::Contains {
                        param,
                        words,
                        matcher: None,
                    });
                }
                // Case is ignored by lower-casing both sides: the automaton's
                // own case-insensitive mode turns off its SIMD prefilter
                // (3,700 vs 1,260 instructions for a 200-byte query against
                // sql_policy's 26 words, lower-casing included). Leftmost-
                // first enables that prefilter and answers "is there a
                // match" like any semantics; the NFA builds 4x faster than
                // a DFA, which matters at every isolate restore.
                let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
                let automaton = AhoCorasickBuilder::new()
                    .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&lower)
                    .map_err(|e| GateError(format!("\"contains\" cannot be searched for: {e}")))?;
                let matcher = ContainsMatcher {
                    fold_case: lower
                        .iter()
                        .any(|w| w.bytes().any(|b| b.is_ascii_alphabetic())),
                    kelvin: lower.iter().any(|w| w.contains('k')),
                    words: automaton,
                };
                Ok(Condition::Contains {
                    param,
                    words,
                    matcher: Some(matcher),
                })
            }
            (None, Some(other)) => Err(GateError(format!(
                "\"contains\" must be an array of strings, not {other}"
            ))),
            _ => Err(GateError(
                "a condition has exactly one of \"input\" and \"contains\"".into(),
            )),
        }
    }

    fn param(&self) -> &str {
        match self {
            Condition::Input { param, .. } | Condition::Contains { param, .. } => param,
        }
    }

    fn holds<'a>(
        &self,
        field: &impl Fn(&str) -> Option<Cow<'a, str>>,
        inputs: &mut dyn FnMut(&Arc<InputOptions>) -> Rc<RequestInputs>,
    ) -> bool {
        let Some(text) = field(self.param()) else {
            return true;
        };
        match self {
            Condition::Input {
                options,
                min_length,
                ..
            } => inputs(options).occurs_in(&text, *min_length),
            // JavaScript's toLowerCase() turns the Kelvin sign into "k", so
            // a handler comparing lower-cased words could see one here.
            Condition::Contains { matcher, .. } => match matcher {
                Some(m) => {
                    let lower;
                    let hay = if m.fold_case && text.bytes().any(|b| b.is_ascii_uppercase()) {
                        lower = text.to_ascii_lowercase();
                        lower.as_str()
                    } else {
                        text.as_ref()
                    };
                    // The Kelvin sign is E2 84 AA: look for its lead byte first.
                    m.words.is_match(hay)
                        || (m.kelvin
                            && memchr::memchr(0xE2, text.as_bytes()).is_some()
                            && text.contains('\u{212A}'))
                }
                None => true,
            },
        }
    }
}

impl Gate {
    /// A gate from the `when` lists of a type's handlers; `None` if one of
    /// them has none (then every event goes to the handlers).
    pub fn from_handlers(whens: &[Option<Vec<Condition>>]) -> Option<Gate> {
        let mut conditions = Vec::new();
        let mut handler_of = Vec::new();
        for (h, w) in whens.iter().enumerate() {
            let w = w.as_ref()?;
            conditions.extend(w.iter().cloned());
            handler_of.extend(std::iter::repeat(h).take(w.len()));
        }
        Some(Gate {
            conditions,
            handler_of,
            handlers: whens.len(),
        })
    }

    /// Parses a `when` list (an array of condition objects, or one object).
    pub fn parse_when(v: &Value) -> Result<Vec<Condition>, GateError> {
        match v {
            Value::Array(list) => list.iter().map(Condition::from_json).collect(),
            Value::Object(_) => Ok(vec![Condition::from_json(v)?]),
            other => Err(GateError(format!(
                "\"when\" must be a condition object or an array of them, not {other}"
            ))),
        }
    }

    /// How many handlers the gate stands for.
    pub fn handler_count(&self) -> usize {
        self.handlers
    }

    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Whether the handlers must see this event. `inputs` returns the
    /// request values built with the given options (the caller caches them
    /// per request).
    pub fn passes(
        &self,
        params: &Value,
        inputs: impl FnMut(&Arc<InputOptions>) -> Rc<RequestInputs>,
    ) -> bool {
        self.passes_with(string_field(params), inputs)
    }

    /// [`Gate::passes_noting`] reading a params object.
    pub fn passes_noting_params(
        &self,
        params: &Value,
        inputs: impl FnMut(&Arc<InputOptions>) -> Rc<RequestInputs>,
    ) -> Option<GatePass> {
        self.passes_noting(string_field(params), inputs)
    }

    /// [`Gate::passes`] reading the params through `field` (the params
    /// object need not exist yet: the hook builds it only for events that
    /// pass). A field `field` does not know counts as missing.
    pub fn passes_with<'a>(
        &self,
        field: impl Fn(&str) -> Option<Cow<'a, str>>,
        mut inputs: impl FnMut(&Arc<InputOptions>) -> Rc<RequestInputs>,
    ) -> bool {
        self.conditions.iter().any(|c| c.holds(&field, &mut inputs))
    }

    /// [`Gate::passes_with`], and for an event that passes, which handlers
    /// want it and what an `input` condition found (see [`GatePass`]).
    /// `None` when no handler wants it. An event no handler wants costs
    /// what it costs in `passes_with`; one that passes on an `input`
    /// condition pays for a search of all values, which its handler would
    /// otherwise make through `RASP.inputs_in()`, and each handler's
    /// conditions are tried until one holds.
    pub fn passes_noting<'a>(
        &self,
        field: impl Fn(&str) -> Option<Cow<'a, str>>,
        mut inputs: impl FnMut(&Arc<InputOptions>) -> Rc<RequestInputs>,
    ) -> Option<GatePass> {
        let mut handlers = 0u32;
        let mut unnamed = false;
        let mut found: Option<InputFinding> = None;
        let mut missed = None;
        for (at, c) in self.conditions.iter().enumerate() {
            let h = self.handler_of[at];
            if h < NAMED_HANDLERS && handlers & (1 << h) != 0 {
                continue; // that handler is called already
            }
            let holds = match c {
                Condition::Input {
                    param,
                    options,
                    min_length,
                } => match field(param) {
                    None => true, // holds without a text to search
                    Some(text) => {
                        let list = inputs(options);
                        let holds = list.occurs_in(&text, *min_length);
                        let finding = InputFinding {
                            condition: at,
                            min_length: *min_length,
                            positions: if holds {
                                list.occurring_in(&text, *min_length)
                            } else {
                                Vec::new()
                            },
                            inputs: list,
                        };
                        if !holds {
                            missed = Some(finding);
                        } else if found.is_none() {
                            found = Some(finding);
                        }
                        holds
                    }
                },
                Condition::Contains { .. } => c.holds(&field, &mut inputs),
            };
            if holds {
                if h < NAMED_HANDLERS {
                    handlers |= 1 << h;
                } else {
                    unnamed = true;
                }
            }
        }
        (handlers != 0 || unnamed).then(|| GatePass {
            handlers,
            finding: found.or(missed),
        })
    }
}
