//! Built-in web-shell checks on callables, `assert` and `putenv`.
//!
//! `webshell_callable`: the name of a dangerous function (command or code
//! execution, file writes: `rasp_core::webshell::DANGEROUS_CALLABLES`, or
//! `plugin.algorithm_config.webshell_callable.functions`) taken verbatim
//! from the request and handed to a function that calls it
//! (`call_user_func($_GET[f], ...)`, `array_map($_POST[f], ...)`,
//! `new ReflectionFunction($_GET[f])`), or a class name taken from the
//! request for a static call. Other function names from the request
//! (`array_map($_GET['sort'], ...)`) and method names on an object the
//! application chose (`[$this, $_GET[a]]`, controller dispatch) are not
//! web shells and are not reported.
//!
//! `webshell_ld_preload`: `putenv()` of LD_PRELOAD, LD_AUDIT or GCONV_PATH,
//! the way to load a shared object into the next program PHP runs.
//!
//! `assert()` with a string is also reported as `eval` (PHP 8 no longer
//! evaluates it, but PHP 7 did, and web shells still use it).

use ext_php_rs::types::Zval;
use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, lossy, Call};

/// What picks the code a callable runs, when a string does: a function
/// name (`"system"`), or the class of a static call (`"Class::method"`,
/// `["Class", "method"]`). None for closures and `[$object, "method"]`.
enum Target<'a> {
    Function(&'a [u8]),
    Class(&'a [u8]),
}

fn target(z: &Zval) -> Option<Target<'_>> {
    if let Some(s) = zend::str_bytes(z) {
        let mut from = 0;
        while let Some(i) = s[from..].iter().position(|&b| b == b':') {
            let at = from + i;
            if s.get(at + 1) == Some(&b':') {
                return Some(Target::Class(&s[..at]));
            }
            from = at + 1;
        }
        return Some(Target::Function(s));
    }
    if !zend::is_array(z) {
        return None;
    }
    // [class-string, method]: exactly two strings; [$object, method] and
    // anything longer are not a class chosen by a string.
    let mut parts: [Option<&[u8]>; 3] = [None; 3];
    let mut n = 0;
    zend::for_each(z, |_, v| {
        parts[n] = zend::str_bytes(v);
        n += 1;
        n < 3 && parts[n - 1].is_some()
    });
    match (n, parts) {
        (2, [Some(class), Some(_), _]) => Some(Target::Class(class)),
        _ => None,
    }
}

/// The built-in check of one callable handed to the function `caller`
/// names (computed only when something is found).
pub fn callable(z: &Zval, caller: impl FnOnce() -> String) -> Flow {
    // Off, or no request value could name a function or class.
    if !crate::state::callable_hooks_active() || !check::native_wanted(CheckType::WebshellCallable)
    {
        return Flow::Continue;
    }
    // Callback names written in the source are interned: judged once per
    // request (WordPress passes the same few hundred thousands of times).
    let interned = zend::interned_str(z);
    if interned.is_some_and(check::known_quiet) {
        return Flow::Continue;
    }
    // Closures and objects cost one type test.
    let Some(t) = target(z) else {
        return Flow::Continue;
    };
    let hit = match t {
        Target::Function(f) => {
            check::from_request(f) && {
                let cfg = crate::state::config();
                let list: Option<Vec<String>> = cfg.plugin.algorithm_config["webshell_callable"]
                    ["functions"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    });
                rasp_core::webshell::dangerous_callable(f, list.as_deref())
            }
        }
        Target::Class(c) => check::from_request(c),
    };
    if !hit {
        if let Some(key) = interned {
            check::remember_quiet(key);
        }
        return Flow::Continue;
    }
    let name = match t {
        Target::Function(f) | Target::Class(f) => lossy(f),
    };
    let caller = caller();
    check::native(
        CheckType::WebshellCallable,
        "function name taken verbatim from the request (web shell)",
        || json!({ "function": name, "caller": caller }),
    )
}

fn callable_at(call: &Call, n: usize) -> Flow {
    match call.arg(n) {
        Some(z) => callable(z, || call.function_name().into_owned()),
        None => Flow::Continue,
    }
}

/// Callable as the first argument: call_user_func(_array), array_map,
/// register_shutdown_function, forward_static_call(_array),
/// register_tick_function, ob_start, ReflectionFunction::__construct.
pub fn callable_first(call: &Call) -> Flow {
    callable_at(call, 1)
}

/// Callable as the second argument: array_filter, array_walk(_recursive),
/// usort, uasort, uksort, array_reduce, iterator_apply, preg_replace_callback.
pub fn callable_second(call: &Call) -> Flow {
    callable_at(call, 2)
}

/// Code run by eval-like sinks: the `eval` plugin check and the built-in
/// `webshell_eval` when the code is a request value.
pub fn eval_code(code: &[u8], function: &str) -> Flow {
    if check::native_wanted(CheckType::WebshellEval) && check::from_request(code) {
        let flow = check::native(
            CheckType::WebshellEval,
            "code taken verbatim from the request is evaluated (web shell)",
            || json!({ "code": lossy(code), "function": function }),
        );
        if flow == Flow::Skip {
            return flow;
        }
    }
    if !check::wanted(CheckType::Eval) {
        return Flow::Continue;
    }
    check::run(
        CheckType::Eval,
        || json!({ "code": lossy(code), "function": function }),
    )
}

/// `assert($assertion)` with a string assertion.
pub fn assert(call: &Call) -> Flow {
    match call.arg_str(1) {
        Some(code) => eval_code(code, "assert"),
        None => Flow::Continue,
    }
}

/// `putenv("LD_PRELOAD=...")`.
pub fn putenv(call: &Call) -> Flow {
    let Some(setting) = call.arg_str(1) else {
        return Flow::Continue;
    };
    let Some(name) = rasp_core::webshell::loader_var(setting) else {
        return Flow::Continue;
    };
    check::native(
        CheckType::WebshellLdPreload,
        "putenv() of a dynamic loader variable (disable_functions bypass)",
        || json!({ "env": lossy(setting), "name": name }),
    )
}

/// `create_function($args, $code)` (PHP < 8.0 only; not installed where the
/// function does not exist).
pub fn create_function(call: &Call) -> Flow {
    match call.arg_str(2) {
        Some(code) => eval_code(code, "create_function"),
        None => Flow::Continue,
    }
}
