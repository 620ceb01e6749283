//! From a hooked call to a decision: is the check wanted, build its params,
//! ask the plugins, log what they said, block or let it run.
//!
//! Three flavours share one decision path:
//! - plugin checks before a call ([`run`]): a block stops the request and
//!   the call never runs;
//! - plugin checks after a call (`sql_exception`, `ssrfRedirect`: also
//!   [`run`]): the call already ran, a block stops the request right after;
//! - checks outside any PHP frame (`request` at RINIT, `requestEnd` and
//!   `response` at RSHUTDOWN: [`judge`]) only decide; the caller acts.
//!
//! The `webshell_*` types are judged natively ([`native`]), without V8:
//! they fire on hot paths (`call_user_func`, `array_map`) and need only an
//! exact lookup of an argument among the request's values.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use rasp_core::verdict::decisive;
use rasp_core::webshell::RequestValues;
use rasp_core::{Action, CheckType, CheckTypeSet, Verdict};
use serde_json::Value;

use crate::hooks::Flow;
use crate::{block, logs, request, runtime, state, zend};

/// Cheap test a hook makes before building params: some plugin handles the
/// type and the whitelist does not skip it for this request.
#[inline]
pub fn wanted(t: CheckType) -> bool {
    if !runtime::handles(t) {
        return false;
    }
    !whitelisted(t)
}

fn whitelisted(t: CheckType) -> bool {
    let Some(whitelist) = state::whitelist() else {
        return false;
    };
    let skip = request::skipped_types(|input| crate::whitelist::lookup(&whitelist, input));
    skip.contains(t)
}

/// After a block in a web request the request is over: destructors and
/// shutdown functions still run, but must not trigger a second block page.
/// In the CLI a block is an exception the script may catch and go on.
fn stopped() -> bool {
    request::blocked() && !zend::is_cli()
}

/// What the plugins decided, after alarms were written.
struct Decision {
    verdict: Verdict,
}

/// Asks the plugins about one event and writes the alarm of a log/block.
fn decide(
    t: CheckType,
    fields: Option<&[(&str, &[u8])]>,
    params: impl FnOnce() -> Value,
    stack: bool,
    late: bool,
) -> Option<Decision> {
    let _guard = state::CheckGuard::enter();
    // The handlers said when they want to see an event of this type: when
    // none of their conditions holds, their answer is "ignore" without V8.
    let gate = runtime::gate(t);
    // Which handlers the gate lets the event through to, and what it found
    // on the way (the request values in the text): handed to the runtime
    // so it calls only those and they need not search again.
    let mut pass = None;
    if let (Some(g), Some(fields)) = (&gate, fields) {
        let field = |k: &str| {
            let (_, v) = fields.iter().find(|(n, _)| *n == k)?;
            // Valid UTF-8 (nearly always) is borrowed, not copied.
            Some(match std::str::from_utf8(v) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(v),
            })
        };
        pass = Some(g.passes_noting(field, request::inputs)?);
    }
    let mut params = params();
    if let (Some(g), None) = (&gate, fields) {
        pass = Some(g.passes_noting_params(&params, request::inputs)?);
    }
    let cfg = state::config();
    // to_string would go through fmt::Write a piece at a time (~3 k
    // instructions more for one query).
    let params_json = serde_json::to_string(&params).unwrap_or_else(|_| "{}".into());
    let serial = request::serial();
    // params.stack is built only if a handler reads it (the PHP frames are
    // live for the whole check), and for the alarm below.
    let maxstack = if stack { cfg.plugin.maxstack } else { 0 };
    let frames_json = move || {
        if maxstack == 0 {
            return "[]".to_string();
        }
        serde_json::to_string(&zend::php_stack(maxstack)).unwrap_or_else(|_| "[]".into())
    };
    let outcome = runtime::with_engine(|e| {
        e.check_lazy_noting(t, &params_json, serial, pass.as_ref(), frames_json, || {
            (*request::context_json()).clone()
        })
    })?;
    for line in &outcome.logs {
        logs::plugin(line);
    }
    for err in &outcome.errors {
        logs::plugin(&format!(
            "[{}] error in handler for {t}: {}",
            err.plugin, err.message
        ));
    }
    if let Some(fault) = &outcome.fault {
        let msg = format!("check {t} (request {}): {fault}", request::id());
        logs::plugin(&msg);
        logs::rasp("warning", &msg);
    }
    let verdict = decisive(&outcome.verdicts).cloned()?;
    // Monitor mode, or too late to stop anything: a block becomes a log.
    let verdict = if cfg.plugin.monitor_mode || late {
        verdict.downgraded()
    } else {
        verdict
    };
    if verdict.action == Action::Ignore {
        return None;
    }
    if let Value::Object(m) = &mut params {
        let frames = if stack {
            zend::php_stack(cfg.plugin.maxstack)
        } else {
            Vec::new()
        };
        m.insert("stack".into(), Value::from(frames));
    }
    match verdict.action {
        Action::Ignore => return None,
        Action::Log => logs::alarm(t, &params, &verdict, "log"),
        Action::Block => logs::alarm(t, &params, &verdict, "block"),
    }
    Some(Decision { verdict })
}

/// Runs a check of type `t` from inside a hooked call; `params` builds the
/// params object (without `stack`, which is added here) only if the check
/// is wanted. A block answers the request and returns [`Flow::Skip`].
pub fn run(t: CheckType, params: impl FnOnce() -> Value) -> Flow {
    run_inner(t, None, params)
}

/// [`run`] for the hot types (include, file access, SQL): a gate reads the
/// cheap params from `fields` (name, raw bytes as the params will hold them
/// after lossy UTF-8 conversion), so an event no gate lets through costs
/// neither the params object nor what `params` computes (realpath: a
/// readlink per path component). A gate condition on a field not listed
/// holds, so the plugin still sees the event.
pub fn run_gated(t: CheckType, fields: &[(&str, &[u8])], params: impl FnOnce() -> Value) -> Flow {
    run_inner(t, Some(fields), params)
}

fn run_inner(
    t: CheckType,
    fields: Option<&[(&str, &[u8])]>,
    params: impl FnOnce() -> Value,
) -> Flow {
    if !wanted(t) || stopped() {
        return Flow::Continue;
    }
    match decide(t, fields, params, true, false) {
        Some(d) if d.verdict.action == Action::Block => {
            request::mark_blocked();
            // After a failed call (sql_exception) its error is pending; the
            // block replaces it.
            zend::discard_exception();
            block::respond(&state::config(), &d.verdict);
            Flow::Skip
        }
        _ => Flow::Continue,
    }
}

/// Runs a check where no PHP frame executes (RINIT, RSHUTDOWN) and returns
/// a block verdict for the caller to act on; log/ignore are handled here.
pub fn judge(t: CheckType, params: impl FnOnce() -> Value) -> Option<Verdict> {
    if !wanted(t) || request::blocked() {
        return None;
    }
    decide(t, None, params, false, false)
        .map(|d| d.verdict)
        .filter(|v| v.action == Action::Block)
}

/// Runs a check after the response was sent (RSHUTDOWN): nothing can be
/// stopped any more, so a block verdict is written as a log alarm.
pub fn judge_late(t: CheckType, params: impl FnOnce() -> Value) -> Option<Verdict> {
    if !wanted(t) || request::blocked() {
        return None;
    }
    decide(t, None, params, false, true).map(|d| d.verdict)
}

/// Answers the request with the block response for a verdict reached
/// earlier (see [`judge`]); must run inside a PHP frame.
pub fn respond_later(verdict: &Verdict) {
    request::mark_blocked();
    block::respond(&state::config(), verdict);
}

// --- Built-in (native) checks -------------------------------------------

/// Per-request cache: the request's values and which native types are on.
struct NativeState {
    /// `enabled` was computed for this request (reset at RINIT).
    ready: bool,
    enabled: CheckTypeSet,
    values: Option<Rc<RequestValues>>,
    /// Interned strings (by address) a native check found nothing in
    /// during this request: WordPress hands the same few hundred callback
    /// names to call_user_func thousands of times per page.
    quiet: [usize; QUIET_SLOTS],
    quiet_used: bool,
}

const QUIET_SLOTS: usize = 1024;

impl NativeState {
    /// The request's values, copied out of PHP on first use.
    fn values(&mut self) -> Rc<RequestValues> {
        self.values
            .get_or_insert_with(|| Rc::new(RequestValues::new(&request::input())))
            .clone()
    }

    const FRESH: NativeState = NativeState {
        ready: false,
        enabled: CheckTypeSet::EMPTY,
        values: None,
        quiet: [0; QUIET_SLOTS],
        quiet_used: false,
    };
}

/// RINIT and RSHUTDOWN: forget the previous request's values and memo.
pub fn reset_native() {
    NATIVE.with(|n| {
        let mut n = n.borrow_mut();
        n.ready = false;
        n.enabled = CheckTypeSet::EMPTY;
        n.values = None;
        // Twice per request: clear the memo only if it was written.
        if n.quiet_used {
            n.quiet.fill(0);
            n.quiet_used = false;
        }
    });
    state::set_callables_off(false);
}

thread_local! {
    static NATIVE: RefCell<NativeState> = const {
        RefCell::new(NativeState::FRESH)
    };
}

fn quiet_slot(key: usize) -> usize {
    // zend_strings are 8-byte aligned; mix the bits above that.
    (key >> 3 ^ key >> 11) % QUIET_SLOTS
}

/// Whether a native check already found nothing in the interned string at
/// `key` during this request (see `zend::interned_str`).
pub fn known_quiet(key: usize) -> bool {
    native_state(|n| n.quiet[quiet_slot(key)] == key)
}

/// Remembers that a native check found nothing in the interned string at
/// `key` (the answer cannot change within the request: the string is
/// immutable and so are the request's values).
pub fn remember_quiet(key: usize) {
    native_state(|n| {
        n.quiet[quiet_slot(key)] = key;
        n.quiet_used = true;
    })
}

const NATIVE_TYPES: [CheckType; 5] = [
    CheckType::WebshellEval,
    CheckType::WebshellCommand,
    CheckType::WebshellCallable,
    CheckType::WebshellFilePutContents,
    CheckType::WebshellLdPreload,
];

/// The action configured for a native type:
/// `plugin.algorithm_config.<type>.action` in rasp.yml (block by default).
fn native_action(cfg: &rasp_core::RaspConfig, t: CheckType) -> Action {
    match cfg.plugin.algorithm_config[t.as_str()]["action"].as_str() {
        Some("ignore") => Action::Ignore,
        Some("log") => Action::Log,
        _ => Action::Block,
    }
}

fn native_state<R>(f: impl FnOnce(&mut NativeState) -> R) -> R {
    NATIVE.with(|n| {
        let mut n = n.borrow_mut();
        if !n.ready {
            let cfg = state::config();
            let mut enabled = CheckTypeSet::EMPTY;
            for t in NATIVE_TYPES {
                if native_action(&cfg, t) != Action::Ignore && !whitelisted(t) {
                    enabled.insert(t);
                }
            }
            // A callable runs code by a name; when no request value could be
            // one, the thousands of callbacks a page passes around need no
            // look at all.
            if enabled.contains(CheckType::WebshellCallable) && !n.values().may_name_code() {
                enabled.remove(CheckType::WebshellCallable);
            }
            n.enabled = enabled;
            n.ready = true;
            state::set_callables_off(!enabled.contains(CheckType::WebshellCallable));
        }
        f(&mut n)
    })
}

/// Whether a native check of type `t` is on for this request.
#[inline]
pub fn native_wanted(t: CheckType) -> bool {
    native_state(|n| n.enabled.contains(t)) && !stopped()
}

/// Whether `b` is exactly one of the current request's values (GET, POST,
/// cookies, headers, php://input, JSON body leaves).
pub fn from_request(b: &[u8]) -> bool {
    if b.len() < rasp_core::webshell::MIN_LEN {
        return false;
    }
    native_state(|n| n.values().contains(b))
}

/// Reports a native finding: writes the alarm and blocks unless configured
/// to log (monitor mode turns a block into a log).
pub fn native(t: CheckType, message: &str, params: impl FnOnce() -> Value) -> Flow {
    if !native_wanted(t) {
        return Flow::Continue;
    }
    let _guard = state::CheckGuard::enter();
    let cfg = state::config();
    let verdict = Verdict {
        action: native_action(&cfg, t),
        message: message.to_string(),
        confidence: 90.0,
        algorithm: t.as_str().to_string(),
        plugin: "builtin".into(),
    };
    act_builtin(t, &cfg, params(), verdict)
}

/// Acts on a built-in verdict: the stack into the params, monitor mode
/// turning a block into a log, the alarm, and the block response.
fn act_builtin(
    t: CheckType,
    cfg: &rasp_core::RaspConfig,
    mut params: Value,
    verdict: Verdict,
) -> Flow {
    if let Value::Object(m) = &mut params {
        m.insert(
            "stack".into(),
            Value::from(zend::php_stack(cfg.plugin.maxstack)),
        );
    }
    let verdict = if cfg.plugin.monitor_mode {
        verdict.downgraded()
    } else {
        verdict
    };
    match verdict.action {
        Action::Ignore => Flow::Continue,
        Action::Log => {
            logs::alarm(t, &params, &verdict, "log");
            Flow::Continue
        }
        Action::Block => {
            logs::alarm(t, &params, &verdict, "block");
            request::mark_blocked();
            block::respond(cfg, &verdict);
            Flow::Skip
        }
    }
}

/// Refuses a call that breaks a policy under `security.enforce_policy`
/// (e.g. a database connection as `root`): a block alarm from the built-in
/// `algorithm`, then the block response. Monitor mode only logs.
pub fn refuse(t: CheckType, algorithm: &str, message: &str, params: Value) -> Flow {
    if stopped() {
        return Flow::Continue;
    }
    let _guard = state::CheckGuard::enter();
    let cfg = state::config();
    let verdict = Verdict {
        action: Action::Block,
        message: message.to_string(),
        confidence: 100.0,
        algorithm: algorithm.to_string(),
        plugin: "builtin".into(),
    };
    act_builtin(t, &cfg, params, verdict)
}
