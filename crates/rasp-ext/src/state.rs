//! Process-wide settings (fixed at MINIT, replaced on config reload) and the
//! per-thread flags every hook consults first.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
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
    pub whitelist: Option<Arc<WhitelistSource>>,
    /// Why rasp.yml was not applied, if it was not.
    pub config_error: Option<String>,
}

static SETTINGS: RwLock<Option<Arc<Settings>>> = RwLock::new(None);

/// This process's id, without a `getpid` system call per use (a request
/// asked ~5 times): cached, and forgotten in a forked child (php-fpm
/// workers, `pcntl_fork`) by a `pthread_atfork` handler.
pub fn pid() -> u32 {
    static PID: AtomicU32 = AtomicU32::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    extern "C" fn forget_in_child() {
        PID.store(0, Ordering::Relaxed);
    }
    HOOK.call_once(|| {
        // SAFETY: registers a handler that only stores to an atomic, which
        // is async-signal-safe and valid in a freshly forked child.
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
    });
    match PID.load(Ordering::Relaxed) {
        0 => {
            let p = std::process::id();
            PID.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// Bits of [`FLAGS`]: inside a request; running a check (nothing we do may
/// re-enter a hook). One thread-local for both: every hooked call reads
/// them, and each thread-local access in a shared object is a call.
const IN_REQUEST: u8 = 1;
const IN_CHECK: u8 = 2;
/// This request has no value that could name a function (see
/// `check::native_state`): callables need no look.
const CALLABLES_OFF: u8 = 4;

thread_local! {
    static FLAGS: Cell<u8> = const { Cell::new(0) };
}

fn set_flag(bit: u8, on: bool) {
    FLAGS.with(|f| f.set(if on { f.get() | bit } else { f.get() & !bit }));
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

/// Where the whitelist of the running configuration lives.
pub enum WhitelistSource {
    /// Built by this process (standalone mode).
    Owned(rasp_whitelist::Whitelist),
    /// Published by the agent; matched in place in shared memory.
    Shared(Arc<crate::shm::Generation>),
}

pub fn whitelist() -> Option<Arc<WhitelistSource>> {
    settings().and_then(|s| s.whitelist.clone())
}

/// A new configuration from the agent (agent mode): same root dir, new
/// rasp.yml, whitelist in the current generation.
pub fn replace_config(config: RaspConfig) {
    let mut guard = SETTINGS.write().unwrap_or_else(|e| e.into_inner());
    if let Some(old) = guard.as_ref() {
        let generation = crate::runtime::current_generation();
        let whitelist = generation
            .filter(|g| g.whitelist_len > 0 && !config.whitelist.is_empty())
            .map(|g| Arc::new(WhitelistSource::Shared(g)));
        *guard = Some(Arc::new(Settings {
            root_dir: old.root_dir.clone(),
            root_source: old.root_source,
            config: Arc::new(config),
            config_error: None,
            whitelist,
        }));
    }
}

pub fn set_in_request(on: bool) {
    set_flag(IN_REQUEST, on);
}

pub fn in_request() -> bool {
    FLAGS.with(Cell::get) & IN_REQUEST != 0
}

/// Hooks do their work only inside a request, never re-entrantly.
#[inline]
pub fn hooks_active() -> bool {
    ENABLED.load(Ordering::Relaxed) && FLAGS.with(Cell::get) & (IN_REQUEST | IN_CHECK) == IN_REQUEST
}

/// [`hooks_active`], and callables may need a look in this request: the
/// one test the ~5,000 callbacks of a WordPress page pay when not.
#[inline]
pub fn callable_hooks_active() -> bool {
    ENABLED.load(Ordering::Relaxed) && FLAGS.with(Cell::get) == IN_REQUEST
}

/// Set once the request's values are known to name no function.
pub fn set_callables_off(off: bool) {
    set_flag(CALLABLES_OFF, off);
}

/// Marks the current thread as running a check until the guard drops.
pub struct CheckGuard(());

impl CheckGuard {
    pub fn enter() -> CheckGuard {
        set_flag(IN_CHECK, true);
        CheckGuard(())
    }
}

impl Drop for CheckGuard {
    fn drop(&mut self) {
        set_flag(IN_CHECK, false);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pid_is_the_childs_after_fork() {
        let parent = super::pid();
        assert_eq!(parent, std::process::id());
        // SAFETY: the child only reads atomics, calls getpid and _exits; the
        // parent waits for it.
        unsafe {
            match libc::fork() {
                0 => {
                    let ok = super::pid() == std::process::id() && super::pid() != parent;
                    libc::_exit(if ok { 0 } else { 1 });
                }
                child if child > 0 => {
                    let mut status = 0;
                    assert_eq!(libc::waitpid(child, &mut status, 0), child);
                    assert!(
                        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                        "child saw a stale pid"
                    );
                }
                _ => panic!("fork failed"),
            }
        }
        assert_eq!(super::pid(), parent);
    }
}
