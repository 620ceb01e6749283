//! php-rasp, the PHP extension: runtime self-protection loaded with one
//! `extension=rasp.so` line.
//!
//! At MINIT it reads `rasp.enabled` / `rasp.root_dir` and
//! `<root_dir>/conf/rasp.yml`, and wraps the handlers of sensitive internal
//! functions (`hooks`). A wrapped call becomes a check event (`check`),
//! judged by JavaScript plugins in a per-thread V8 isolate (`runtime`,
//! crate rasp-v8) against the current request (`request`). A `block`
//! verdict stops the request (`block`), `log` writes an alarm (`logs`).
//!
//! Every entry point from PHP runs its body under [`guard`]: a bug on our
//! side fails open with a log line, it never takes the PHP process down.
#![cfg_attr(windows, feature(abi_vectorcall))]

mod agent;
mod block;
mod check;
mod fpm_pool;
mod hooks;
mod logs;
mod policy;
mod request;
mod response;
mod runtime;
mod shm;
mod state;
mod whitelist;
mod zend;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use ext_php_rs::ffi;
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ce, IniEntryDef, IniEntryDefs, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};
use rasp_core::RaspConfig;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Thrown (CLI) when a call is blocked.
#[php_class]
#[php(name = "RaspBlockedException")]
#[php(extends(ce = ce::exception, stub = "Exception"))]
#[derive(Default)]
pub struct RaspBlockedException;

/// The id of the current request, as in alarms, logs and the block page.
/// Applications can add it to their own logs to correlate them with alarms.
#[php_function]
pub fn rasp_request_id() -> String {
    if state::enabled() {
        request::id()
    } else {
        String::new()
    }
}

static INI: IniEntryDefs<3> = IniEntryDefs::new([
    IniEntryDef::new(c"rasp.enabled", c"1", IniEntryPermission::System),
    IniEntryDef::new(
        c"rasp.root_dir",
        c"/var/lib/php-rasp",
        IniEntryPermission::System,
    ),
    IniEntryDef::end(),
]);

/// Runs `f`, turning a panic into a log line and `None`.
pub(crate) fn guard<R>(what: &str, f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let line = format!("internal error in {what}: {msg}; the call continues unprotected");
            eprintln!("php-rasp: {line}");
            logs::rasp("error", &line);
            None
        }
    }
}

/// Loads rasp.yml; a missing file means defaults, a broken one means
/// defaults plus an error that `php --ri rasp` and the rasp log show.
fn load_config(root: &std::path::Path) -> (RaspConfig, Option<String>) {
    let path = root.join("conf").join("rasp.yml");
    match std::fs::read_to_string(&path) {
        Ok(text) => match RaspConfig::parse(&text)
            .and_then(|c| rasp_whitelist::from_config(&c.whitelist).map(|_| c))
        {
            Ok(c) => (c, None),
            Err(e) => (
                RaspConfig::default(),
                Some(format!("{} rejected, using defaults:\n{e}", path.display())),
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (RaspConfig::default(), None),
        Err(e) => (
            RaspConfig::default(),
            Some(format!(
                "cannot read {}: {e}; using defaults",
                path.display()
            )),
        ),
    }
}

static PREV_POST_STARTUP: AtomicUsize = AtomicUsize::new(0);

/// After every extension started (and before php-fpm forks): hook the
/// classes of extensions that started after us.
unsafe extern "C" fn post_startup() -> ffi::zend_result {
    guard("post-startup", || {
        if HOOKED.load(Ordering::Relaxed) != 0 {
            hooks::install();
        }
    });
    let prev = PREV_POST_STARTUP.load(Ordering::Relaxed);
    if prev != 0 {
        // SAFETY: the saved value is the callback that was installed before ours.
        let prev: unsafe extern "C" fn() -> ffi::zend_result = unsafe { std::mem::transmute(prev) };
        // SAFETY: calling the previous callback as PHP would have.
        return unsafe { prev() };
    }
    0
}

const DEFAULT_ROOT: &str = "/var/lib/php-rasp";

/// rasp.root_dir and where it came from. php-fpm pools that load the
/// extension themselves set pool values only after (or instead of) MINIT,
/// so this is asked again at the first request.
fn resolve_root() -> (PathBuf, &'static str) {
    let ini = zend::ini_string("rasp.root_dir").unwrap_or_default();
    if !ini.is_empty() && ini != DEFAULT_ROOT {
        return (PathBuf::from(ini), "php.ini");
    }
    if zend::sapi_name() == "fpm-fcgi" {
        if let Some(v) = fpm_pool::pool_rasp_settings().get("rasp.root_dir") {
            return (PathBuf::from(v), "php-fpm pool config");
        }
    }
    (PathBuf::from(DEFAULT_ROOT), "default")
}

static SETTINGS_REPORTED: AtomicUsize = AtomicUsize::new(0);

/// Reads root_dir and rasp.yml and turns protection on; false (with one
/// message per process when `report`) if the root dir is unusable.
fn load_settings(report: bool) -> bool {
    let (root, source) = resolve_root();
    if !root.is_dir() {
        if report
            && SETTINGS_REPORTED.swap(std::process::id() as usize, Ordering::Relaxed)
                != std::process::id() as usize
        {
            eprintln!(
                "php-rasp: rasp.root_dir {} ({source}) is not a directory; protection is off. \
                 Create it with conf/ and plugins/ inside, or set rasp.root_dir in php.ini.",
                root.display()
            );
        }
        return false;
    }
    let (config, config_error) = load_config(&root);
    let whitelist = rasp_whitelist::from_config(&config.whitelist)
        .ok()
        .filter(|w| !w.is_empty())
        .map(|w| std::sync::Arc::new(state::WhitelistSource::Owned(w)));
    state::install(state::Settings {
        root_dir: root,
        root_source: source,
        whitelist,
        config: std::sync::Arc::new(config),
        config_error: config_error.clone(),
    });
    logs::reopen();
    if let Some(e) = config_error {
        eprintln!("php-rasp: {e}");
        logs::rasp("error", &e);
    }
    state::set_enabled(true);
    true
}

/// Standalone mode noticed changed files: read rasp.yml again.
pub(crate) fn reload_settings() {
    if !load_settings(true) {
        state::set_enabled(false);
    }
}

/// SAPIs whose master process forks the workers after MINIT: only there an
/// agent shared by all workers makes sense.
fn wants_agent() -> bool {
    let forking = matches!(zend::sapi_name(), "fpm-fcgi" | "apache2handler");
    forking && !fpm_pool::loaded_in_worker() && std::env::var_os("RASP_NO_AGENT").is_none()
}

fn minit() {
    if !zend::ini_bool("rasp.enabled") {
        return;
    }
    HOOKED.store(1, Ordering::Relaxed);
    hooks::install();
    // SAFETY: MINIT runs single-threaded before any request; we chain the
    // previous post-startup callback.
    unsafe {
        let prev = ffi::zend_post_startup_cb;
        PREV_POST_STARTUP.store(prev.map_or(0, |f| f as usize), Ordering::Relaxed);
        ffi::zend_post_startup_cb = Some(post_startup);
    }
    if wants_agent() {
        logs::set_master();
    }
    if load_settings(false) && wants_agent() {
        if let Some(s) = state::settings() {
            agent::start(&s.root_dir);
        }
    }
}

/// The process that last checked the security baseline (once per process).
static BASELINE_PID: AtomicUsize = AtomicUsize::new(0);

/// Hooks are installed (rasp.enabled was on at MINIT).
static HOOKED: AtomicUsize = AtomicUsize::new(0);

fn startup(_ty: i32, module_number: i32) -> i32 {
    IniEntryDef::register(INI.as_slice(), module_number);
    guard("MINIT", minit);
    0
}

unsafe extern "C" fn mshutdown(_ty: i32, _module: i32) -> i32 {
    guard("MSHUTDOWN", || {
        if HOOKED.swap(0, Ordering::Relaxed) != 0 {
            hooks::uninstall();
        }
        state::set_enabled(false);
        state::clear();
    });
    0
}

thread_local! {
    /// RINIT began a request that RSHUTDOWN has to end.
    static RINIT_RAN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

unsafe extern "C" fn rinit(_ty: i32, _module: i32) -> i32 {
    guard("RINIT", || {
        // Loaded from a php-fpm pool's php_admin_value[extension], PHP calls
        // RINIT right after MINIT in the worker, before any request exists
        // (no superglobals, no symbol table): nothing to begin yet.
        if !zend::request_starting() {
            return;
        }
        RINIT_RAN.with(|r| r.set(true));
        if HOOKED.load(Ordering::Relaxed) != 0 && !state::enabled() {
            load_settings(true);
        }
        if state::enabled() {
            request::begin();
            state::set_in_request(true);
            runtime::on_request_start();
            let cfg = state::config();
            response::on_request_start(&cfg);
            let pid = state::pid() as usize;
            if BASELINE_PID.swap(pid, Ordering::Relaxed) != pid {
                policy::check_baseline(&cfg);
            }
            hooks::on_request_start();
        }
    });
    0
}

unsafe extern "C" fn rshutdown(_ty: i32, _module: i32) -> i32 {
    guard("RSHUTDOWN", || {
        if !RINIT_RAN.with(|r| r.replace(false)) {
            return; // pairs with a RINIT outside a request (see rinit)
        }
        if state::enabled() {
            hooks::on_request_end();
        }
        state::set_in_request(false);
        request::end();
        logs::tick();
    });
    0
}

unsafe extern "C" fn minfo(_module: *mut ModuleEntry) {
    guard("MINFO", || {
        info_table_start!();
        info_table_row!("php-rasp", "enabled");
        info_table_row!("version", VERSION);
        let settings = state::settings();
        let active = state::enabled();
        info_table_row!("protection", if active { "active" } else { "inactive" });
        info_table_row!("engine", format!("v8 {}", rasp_v8::v8_version()));
        info_table_row!("sapi", zend::sapi_name());
        match &settings {
            Some(s) => {
                info_table_row!(
                    "root_dir",
                    format!("{} ({})", s.root_dir.display(), s.root_source)
                );
                info_table_row!(
                    "config",
                    s.config_error.clone().unwrap_or_else(|| "ok".into())
                );
            }
            None => {
                info_table_row!(
                    "root_dir",
                    zend::ini_string("rasp.root_dir").unwrap_or_default()
                );
            }
        }
        for (k, v) in hooks::info_rows() {
            info_table_row!(k, v);
        }
        match agent::segment() {
            Some(seg) => {
                info_table_row!(
                    "agent",
                    format!(
                        "pid {} (supervisor {}), heartbeat {} ms ago, {} restart(s)",
                        seg.agent_pid(),
                        agent::supervisor_pid(),
                        seg.heartbeat_age_ms(),
                        seg.restarts()
                    )
                );
                info_table_row!("published generation", seg.generation().to_string());
                if let Some(e) = seg.last_error() {
                    info_table_row!("last rejected change", e);
                }
            }
            None => {
                info_table_row!(
                    "agent",
                    "none (this process loads plugins itself and polls for changes)"
                );
            }
        }
        let hooked = hooks::installed();
        info_table_row!(
            "hooked functions",
            format!("{}: {}", hooked.len(), hooked.join(", "))
        );
        if active {
            let st = runtime::status();
            let plugins: Vec<String> = st
                .plugins
                .iter()
                .map(|(n, v)| {
                    if v.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} {v}")
                    }
                })
                .collect();
            info_table_row!(
                "plugins",
                if plugins.is_empty() {
                    "none".to_string()
                } else {
                    plugins.join(", ")
                }
            );
            info_table_row!(
                "checks",
                st.types
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if st.generation != 0 {
                info_table_row!("generation in use", st.generation.to_string());
            }
            if let Some(e) = st.error {
                info_table_row!("plugin error", e);
            }
            for (k, v) in logs::status_rows() {
                info_table_row!(k, v);
            }
        }
        info_table_end!();
    });
}

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .name("rasp")
        .version(VERSION)
        .class::<RaspBlockedException>()
        .function(wrap_function!(rasp_request_id))
        .shutdown_function(mshutdown)
        .request_startup_function(rinit)
        .request_shutdown_function(rshutdown)
        .info_function(minfo)
}
