//! Process-wide settings (fixed at MINIT, replaced on config reload) and the
//! per-thread flags every hook consults first.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use rasp_core::RaspConfig;

/// `rasp.enabled` and a usable root dir: protection is on in this process.
static ENABLED: AtomicBool = AtomicBool::new(false);

pub struct Settings {
    pub root_dir: PathBuf,
    /// Where root_dir came from: php.ini, php-fpm pool config, default.
    pub root_source: &'static str,
    pub config: Arc<RaspConfig>,
    /// Built from `config.whitelist`; None when it has no entries.
    pub whitelist: Option<Arc<rasp_whitelist::Whitelist>>,
    /// Why rasp.yml was not applied, if it was not.
    pub config_error: Option<String>,
}

static SETTINGS: RwLock<Option<Arc<Settings>>> = RwLock::new(None);

thread_local! {
    static IN_REQUEST: Cell<bool> = const { Cell::new(false) };
    /// Set while a check runs: nothing we do may re-enter a hook.
    static IN_CHECK: Cell<bool> = const { Cell::new(false) };
}

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Release);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Acquire)
}

pub fn install(settings: Settings) {
    *SETTINGS.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(settings));
}

pub fn clear() {
    *SETTINGS.write().unwrap_or_else(|e| e.into_inner()) = None;
}

pub fn settings() -> Option<Arc<Settings>> {
    SETTINGS.read().unwrap_or_else(|e| e.into_inner()).clone()
}

pub fn config() -> Arc<RaspConfig> {
    settings()
        .map(|s| s.config.clone())
        .unwrap_or_else(|| Arc::new(RaspConfig::default()))
}

pub fn whitelist() -> Option<Arc<rasp_whitelist::Whitelist>> {
    settings().and_then(|s| s.whitelist.clone())
}

pub fn set_in_request(on: bool) {
    IN_REQUEST.with(|c| c.set(on));
}

/// Hooks do their work only inside a request, never re-entrantly.
#[inline]
pub fn hooks_active() -> bool {
    ENABLED.load(Ordering::Relaxed) && IN_REQUEST.with(Cell::get) && !IN_CHECK.with(Cell::get)
}

/// Marks the current thread as running a check until the guard drops.
pub struct CheckGuard(());

impl CheckGuard {
    pub fn enter() -> CheckGuard {
        IN_CHECK.with(|c| c.set(true));
        CheckGuard(())
    }
}

impl Drop for CheckGuard {
    fn drop(&mut self) {
        IN_CHECK.with(|c| c.set(false));
    }
}
