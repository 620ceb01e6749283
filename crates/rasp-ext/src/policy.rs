//! Security policy findings: the start-up baseline (PHP settings that make
//! attacks easier) and database connection policy, written to the policy
//! log once per PHP master (deduplicated through shared memory), or once
//! per process without an agent.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use ext_php_rs::ffi;
use rasp_core::RaspConfig;
use serde_json::{json, Map, Value};

use crate::{agent, logs, zend};

static SEEN: Mutex<Option<HashSet<u64>>> = Mutex::new(None);

/// Reports a finding unless this master (or, without an agent, this
/// process) reported the same one already. Returns whether it was written.
pub fn report(policy_id: &str, message: &str, params: Map<String, Value>) -> bool {
    let mut h = DefaultHasher::new();
    policy_id.hash(&mut h);
    serde_json::to_string(&params)
        .unwrap_or_default()
        .hash(&mut h);
    let key = h.finish();
    {
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.get_or_insert_with(HashSet::new).insert(key) {
            return false;
        }
    }
    if let Some(seg) = agent::segment() {
        if !seg.claim_once(key) {
            return false;
        }
    }
    logs::policy(policy_id, message, params);
    true
}

fn on(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "on" | "yes" | "true"
    )
}

/// A finding: policy id, message, the setting and its value.
pub type Finding = (&'static str, String, String, String);

/// The baseline findings for the running PHP settings.
pub fn baseline_findings(
    cfg: &RaspConfig,
    ini: &dyn Fn(&str) -> Option<String>,
    function_exists: &dyn Fn(&str) -> bool,
    server_sapi: bool,
) -> Vec<Finding> {
    let b = &cfg.security.baseline;
    let mut out = Vec::new();
    let val = |k: &str| ini(k).unwrap_or_default();
    if b.allow_url_include && on(&val("allow_url_include")) {
        out.push((
            "3001",
            "allow_url_include is on: include/require can load code from URLs".into(),
            "allow_url_include".into(),
            val("allow_url_include"),
        ));
    }
    if b.expose_php && on(&val("expose_php")) {
        out.push((
            "3002",
            "expose_php is on: responses reveal the PHP version (X-Powered-By)".into(),
            "expose_php".into(),
            val("expose_php"),
        ));
    }
    let display = val("display_errors").to_ascii_lowercase();
    if b.display_errors && server_sapi && (on(&display) || display == "stdout") {
        out.push(("3003", "display_errors is on in a web SAPI: error messages with paths and queries reach visitors".into(), "display_errors".into(), val("display_errors")));
    }
    if b.open_basedir && val("open_basedir").trim().is_empty() {
        out.push((
            "3004",
            "open_basedir is not set: PHP code may open any file the worker user can read".into(),
            "open_basedir".into(),
            String::new(),
        ));
    }
    if b.session_cookie
        && !on(&val("session.cookie_httponly"))
        && ini("session.cookie_httponly").is_some()
    {
        out.push((
            "3005",
            "session.cookie_httponly is off: scripts in the page can read the session cookie"
                .into(),
            "session.cookie_httponly".into(),
            val("session.cookie_httponly"),
        ));
    }
    if b.session_cookie
        && !on(&val("session.cookie_secure"))
        && ini("session.cookie_secure").is_some()
    {
        out.push((
            "3006",
            "session.cookie_secure is off: the session cookie is also sent over plain HTTP".into(),
            "session.cookie_secure".into(),
            val("session.cookie_secure"),
        ));
    }
    for f in &b.disable_functions {
        if function_exists(f) {
            out.push(("3007", format!("{f}() is enabled although rasp.yml lists it under security.baseline.disable_functions; add it to disable_functions in php.ini"), "disable_functions".into(), f.clone()));
        }
    }
    out
}

/// First request of a process: check and report the baseline.
pub fn check_baseline(cfg: &RaspConfig) {
    if zend::is_cli() {
        return; // the CLI is not exposed to visitors, and runs too often to report each time
    }
    let findings = baseline_findings(cfg, &zend::ini_string, &function_exists, true);
    for (id, message, setting, value) in findings {
        let mut params = Map::new();
        params.insert("setting".into(), json!(setting));
        params.insert("value".into(), json!(value));
        params.insert("sapi".into(), json!(zend::sapi_name()));
        report(id, &message, params);
    }
}

/// Whether an internal function of that name is registered (disabled
/// functions are removed from the table at start-up).
fn function_exists(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // SAFETY: CG(function_table) is a live hash table for the process;
    // zend_hash_str_find reads `len` bytes of the key.
    unsafe {
        let table = (*ffi::ext_php_rs_compiler_globals()).function_table;
        !table.is_null()
            && !ffi::zend_hash_str_find(table, lower.as_ptr() as *const _, lower.len()).is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ini_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn findings_follow_settings_and_switches() {
        let mut cfg = RaspConfig::default();
        cfg.security.baseline.disable_functions = vec!["system".into(), "pcntl_exec".into()];
        let bad = [
            ("allow_url_include", "1"),
            ("expose_php", "On"),
            ("display_errors", "stdout"),
            ("open_basedir", ""),
            ("session.cookie_httponly", "0"),
            ("session.cookie_secure", ""),
        ];
        let exists = |f: &str| f == "system";
        let ids: Vec<_> = baseline_findings(&cfg, &ini_of(&bad), &exists, true)
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            ids,
            ["3001", "3002", "3003", "3004", "3005", "3006", "3007"]
        );
        // The CLI-like case: display_errors is fine there.
        let ids: Vec<_> = baseline_findings(&cfg, &ini_of(&bad), &exists, false)
            .iter()
            .map(|f| f.0)
            .collect();
        assert!(!ids.contains(&"3003"));
        let good = [
            ("allow_url_include", "0"),
            ("expose_php", "Off"),
            ("display_errors", "stderr"),
            ("open_basedir", "/srv/app"),
            ("session.cookie_httponly", "1"),
            ("session.cookie_secure", "1"),
        ];
        assert!(baseline_findings(&cfg, &ini_of(&good), &|_| false, true).is_empty());
        cfg.security.baseline.expose_php = false;
        let ids: Vec<_> = baseline_findings(&cfg, &ini_of(&bad), &exists, true)
            .iter()
            .map(|f| f.0)
            .collect();
        assert!(!ids.contains(&"3002"));
    }
}
