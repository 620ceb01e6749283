//! The extension's side of logging: alarm, policy, plugin and rasp logs
//! under `<root_dir>/logs/`, written directly by `rasp-log` (one `write(2)`
//! per line, O_APPEND, daily files), never through PHP streams.
//!
//! Each process opens its own writer on first use and again after a fork
//! (rate-limit buckets and cached zones must not be shared by workers).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rasp_core::{CheckType, Verdict};
use rasp_log::{Alarm, InterceptState, Level, LogConfig, Logs, RequestInfo, ServerInfo};
use serde_json::{Map, Value};

use crate::{request, state, zend};

struct Open {
    pid: u32,
    root: PathBuf,
    logs: Arc<Logs>,
    /// Owner of `<root>/logs` when this process runs as root: files we
    /// create must stay writable by the workers (see `as_log_owner`).
    owner: Option<(u32, u32)>,
}

/// Runs `f` with the filesystem identity of the owner of `logs/`, when this
/// process is root (a root cron job, `sudo php --ri rasp`). Only the
/// filesystem uid/gid change, so the PHP script itself is unaffected; without
/// this, root-owned log files would lock the php-fpm workers out.
fn as_log_owner<R>(owner: Option<(u32, u32)>, f: impl FnOnce() -> R) -> R {
    let Some((uid, gid)) = owner else { return f() };
    // SAFETY: setfsgid/setfsuid only change the filesystem identity of this
    // thread; we restore root right after.
    unsafe {
        libc::setfsgid(gid);
        libc::setfsuid(uid);
    }
    let r = f();
    // SAFETY: as above.
    unsafe {
        libc::setfsuid(0);
        libc::setfsgid(0);
    }
    r
}

fn logs_owner(root: &Path) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let m = std::fs::metadata(root.join("logs")).ok()?;
    (m.uid() != 0).then_some((m.uid(), m.gid()))
}

static OPEN: Mutex<Option<Open>> = Mutex::new(None);

/// The `log:` section of rasp.yml; problems are reported, file logging stays.
pub fn log_config(cfg: &rasp_core::RaspConfig) -> (LogConfig, Vec<String>) {
    let Some(node) = &cfg.log else {
        return (LogConfig::default(), Vec::new());
    };
    match LogConfig::from_json(node.to_json()) {
        Ok(c) => {
            let problems = c
                .validate()
                .iter()
                .map(|e| format!("rasp.yml: {e}"))
                .collect();
            (c, problems)
        }
        Err(e) => (
            LogConfig::default(),
            vec![format!(
                "rasp.yml: {e}; using the default log settings (file logging stays on)"
            )],
        ),
    }
}

/// The log writer of this process for `root`, and the identity to write as.
fn logs_for(root: &Path) -> (Arc<Logs>, Option<(u32, u32)>) {
    let pid = std::process::id();
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(o) = open.as_ref() {
        if o.pid == pid && o.root == root {
            return (o.logs.clone(), o.owner);
        }
    }
    let (cfg, problems) = log_config(&state::config());
    let owner = logs_owner(root);
    let cli = zend::is_cli();
    let fallback: rasp_log::Fallback = Arc::new(move |msg: &str| {
        // A user running `php --ri rasp` without write access to the logs
        // needs no stderr line about the plugin or rasp log; lost alarms and
        // policy lines are always reported.
        if !(cli && (msg.starts_with("plugin log") || msg.starts_with("rasp log"))) {
            eprintln!("php-rasp: {msg}");
        }
    });
    let logs = as_log_owner(owner, || {
        Arc::new(
            Logs::builder(root)
                .config(&cfg)
                .server(ServerInfo::new(zend_version()))
                .fallback(fallback)
                .build(),
        )
    });
    for p in problems {
        as_log_owner(owner, || logs.rasp(Level::ERROR, "config", &p, &Map::new()));
    }
    *open = Some(Open {
        pid,
        root: root.to_path_buf(),
        logs: logs.clone(),
        owner,
    });
    (logs, owner)
}

fn zend_version() -> String {
    // The agent runs outside any request; PHP_VERSION is a constant either way.
    zend::php_version()
}

/// The pid of a master process (php-fpm, Apache) that runs as root before
/// forking workers: it must not create log files the workers then cannot
/// write, so its lines go to stderr (the php-fpm / Apache error log).
static MASTER_PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub fn set_master() {
    MASTER_PID.store(std::process::id(), std::sync::atomic::Ordering::Relaxed);
}

fn is_master() -> bool {
    MASTER_PID.load(std::sync::atomic::Ordering::Relaxed) == std::process::id()
}

/// The logs of this process and, when running as root, the owner of logs/
/// (uid, gid) to write as.
type CurrentLogs = (Arc<Logs>, Option<(u32, u32)>);

fn current() -> Option<CurrentLogs> {
    if is_master() {
        return None;
    }
    state::settings().map(|s| logs_for(&s.root_dir))
}

/// Forgets the open writer (config reload: sinks or limits may have changed).
pub fn reopen() {
    *OPEN.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// A plugin log line as the runtime produced it (`[plugin] text`).
pub fn plugin(line: &str) {
    if let Some((l, owner)) = current() {
        as_log_owner(owner, || {
            l.plugin(&format!("pid {}", std::process::id()), line)
        });
    }
}

pub fn plugin_at(root: &Path, line: &str) {
    let (l, owner) = logs_for(root);
    as_log_owner(owner, || {
        l.plugin(&format!("pid {}", std::process::id()), line)
    });
}

fn level(name: &str) -> Level {
    match name {
        "error" => Level::ERROR,
        "warning" => Level::WARN,
        "debug" => Level::DEBUG,
        _ => Level::INFO,
    }
}

pub fn rasp(lvl: &str, message: &str) {
    if let Some((l, owner)) = current() {
        as_log_owner(owner, || l.rasp(level(lvl), "rasp", message, &Map::new()));
    } else if is_master() && lvl != "info" && lvl != "debug" {
        eprintln!("php-rasp: {message}");
    }
}

pub fn rasp_at(root: &Path, lvl: &str, message: &str) {
    let (l, owner) = logs_for(root);
    as_log_owner(owner, || l.rasp(level(lvl), "agent", message, &Map::new()));
}

/// End of request: lets the writer report suppressed lines and failures.
pub fn tick() {
    if let Ok(open) = OPEN.lock() {
        if let Some(o) = open.as_ref().filter(|o| o.pid == crate::state::pid()) {
            as_log_owner(o.owner, || o.logs.tick());
        }
    }
}

/// Rows for `php --ri rasp`.
pub fn status_rows() -> Vec<(String, String)> {
    let Some((l, _)) = current() else {
        return Vec::new();
    };
    l.status()
        .iter()
        .map(|s| {
            let mut v = format!(
                "{} ({} lines written, {} suppressed, {} failed in this process)",
                s.dir.display(),
                s.lines_written,
                s.lines_suppressed,
                s.lines_failed
            );
            if let Some(e) = &s.last_error {
                v.push_str(&format!("; last error: {e}"));
            }
            (format!("{} log", s.kind), v)
        })
        .collect()
}

fn request_info() -> RequestInfo {
    let input = request::input();
    let cfg = state::config();
    // The context's parts, not the context: the same values, no JSON tree.
    let values = request::values();
    let header = values.header.iter().cloned().collect();
    RequestInfo {
        request_id: input.request_id.clone(),
        request_method: input.method.to_ascii_lowercase(),
        url: input.url(),
        path: String::from_utf8_lossy(input.path()).into_owned(),
        target: input.hostname(),
        server_ip: input.server_addr.clone(),
        attack_source: input.remote_addr.clone(),
        client_ip: input.client_ip(&cfg.context.clientip_header),
        header,
        parameter: values.parameter_object(),
        body: values.body.clone(),
    }
}

/// A policy line (baseline findings, database policy, slow queries); with
/// the request when there is one.
pub fn policy(policy_id: &str, message: &str, params: Map<String, Value>) {
    let Some((l, owner)) = current() else { return };
    let p = rasp_log::Policy {
        policy_id: policy_id.to_string(),
        message: message.to_string(),
        policy_params: params,
    };
    let info = crate::state::in_request().then(request_info);
    as_log_owner(owner, || l.policy(&p, info.as_ref()));
}

/// An alarm for check `t` with the plugin's verdict.
pub fn alarm(t: CheckType, params: &Value, verdict: &Verdict, intercept: &str) {
    let Some((l, owner)) = current() else { return };
    let mut attack_params: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    let stack = match attack_params.remove("stack") {
        Some(Value::Array(frames)) => frames
            .into_iter()
            .filter_map(|f| f.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let mut a = Alarm::for_check(t);
    a.attack_params = attack_params;
    a.stack = stack;
    a.intercept_state = if intercept == "block" {
        InterceptState::Block
    } else {
        InterceptState::Log
    };
    a.plugin_name = verdict.plugin.clone();
    a.plugin_message = verdict.message.clone();
    a.plugin_confidence = verdict.confidence;
    a.plugin_algorithm = verdict.algorithm.clone();
    let info = request_info();
    as_log_owner(owner, || l.alarm(&a, Some(&info)));
}
