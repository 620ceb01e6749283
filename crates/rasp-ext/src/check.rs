//! From a hooked call to a decision: is the check wanted, build its params,
//! ask the plugins, log what they said, block or let it run.

use rasp_core::verdict::decisive;
use rasp_core::{Action, CheckType, Verdict};
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
    let Some(whitelist) = state::whitelist() else {
        return true;
    };
    let skip = request::skipped_types(|input| crate::whitelist::lookup(&whitelist, input));
    !skip.contains(t)
}

/// Runs a check of type `t`; `params` builds the params object (without
/// `stack`, which is added here) only if the check is wanted.
pub fn run(t: CheckType, params: impl FnOnce() -> Value) -> Flow {
    if !wanted(t) || request::blocked() {
        return Flow::Continue;
    }
    let _guard = state::CheckGuard::enter();
    let cfg = state::config();
    let mut params = params();
    if let Value::Object(m) = &mut params {
        m.insert(
            "stack".into(),
            Value::from(zend::php_stack(cfg.plugin.maxstack)),
        );
    }
    let params_json = params.to_string();
    let serial = request::serial();
    let Some(outcome) = runtime::with_engine(|e| {
        e.check(t, &params_json, serial, || {
            (*request::context_json()).clone()
        })
    }) else {
        return Flow::Continue;
    };
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
    let Some(verdict) = decisive(&outcome.verdicts).cloned() else {
        return Flow::Continue;
    };
    let verdict: Verdict = if cfg.plugin.monitor_mode {
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
            block::respond(&cfg, &verdict);
            Flow::Skip
        }
    }
}
