//! The plugin engine of this thread, and where it comes from.
//!
//! *Agent mode* (php-fpm and Apache with the extension in php.ini): the agent
//! publishes generations in shared memory; at RINIT a worker compares the
//! published number (one atomic load) and, when it moved, takes the new
//! config and drops its isolate; the next check restores one from the new
//! snapshot (about 2 ms, the snapshot carrying the plugins' description and
//! their compiled bytecode).
//!
//! *Standalone mode* (CLI, `php -S`, php-fpm pools that load the extension
//! themselves, or no agent answering): the process reads the root dir
//! itself, and at most once a second a RINIT compares a fingerprint of the
//! plugin files and rasp.yml to notice changes.
//!
//! Nothing here runs in the php-fpm master: V8 starts in each worker on its
//! first check, after the fork.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rasp_core::{bundle, CheckType, CheckTypeSet, RaspConfig};
use rasp_v8::{Engine, EngineOptions, PluginSource, Snapshot};

use crate::{agent, logs, shm, state};

enum Slot {
    /// Not tried yet (or dropped for a new generation).
    Empty,
    Ready(Engine),
    /// Loading failed; logged once. Checks are skipped until something changes.
    Failed(String),
}

thread_local! {
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Empty) };
    /// Types some plugin handles; all bits set until the engine is loaded,
    /// so the first check loads it.
    static HANDLED: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// The generation this process uses (agent mode), shared by its threads.
static CURRENT: Mutex<Option<Arc<shm::Generation>>> = Mutex::new(None);
/// A bundle fingerprint and the snapshot built from it (or why it failed).
type LocalSnapshot = (u64, Result<Arc<Snapshot>, String>);
/// Standalone mode: the process's snapshot and the fingerprint it came from.
static LOCAL: Mutex<Option<LocalSnapshot>> = Mutex::new(None);
static LAST_POLL: Mutex<Option<Instant>> = Mutex::new(None);
/// A published generation this process refused (checksum, descriptor).
static REFUSED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Plugins that failed to load and were left out: an error in the plugin
/// and rasp logs, the other plugins keep protecting.
fn report_skipped(skipped: &[rasp_v8::SkippedPlugin]) {
    for s in skipped {
        let msg = format!("plugin {} not loaded, the others are: {}", s.name, s.error);
        logs::plugin(&msg);
        logs::rasp("error", &msg);
    }
}

pub fn engine_options(cfg: &RaspConfig) -> EngineOptions {
    EngineOptions {
        timeout: Duration::from_millis(cfg.plugin.timeout_millis),
        heap_limit: (cfg.plugin.heap_mb as usize) << 20,
        algorithm_config: cfg.plugin.algorithm_config.clone(),
        max_log_lines: 100,
    }
}

fn plugins_of(b: &bundle::Bundle) -> Vec<PluginSource> {
    b.plugins
        .iter()
        .map(|p| PluginSource {
            name: p.name.clone(),
            source: p.source.clone(),
        })
        .collect()
}

/// The generation in use, if the agent published one.
pub fn current_generation() -> Option<Arc<shm::Generation>> {
    CURRENT.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn drop_engines() {
    SLOT.with(|s| *s.borrow_mut() = Slot::Empty);
    HANDLED.with(|h| h.set(u64::MAX));
}

/// RINIT: pick up a new generation (agent mode) or notice changed files
/// (standalone mode, at most once a second).
pub fn on_request_start() {
    if let Some(seg) = agent::segment() {
        let published = seg.generation();
        let have = current_generation().map_or(0, |g| g.generation);
        if published != 0
            && published != have
            && published != REFUSED.load(std::sync::atomic::Ordering::Relaxed)
        {
            if switch_generation(seg) {
                drop_engines();
            }
        } else if have != 0 {
            // Another thread may have switched the process already.
            let mine = SLOT_GEN.with(Cell::get);
            if mine != have && mine != 0 {
                drop_engines();
            }
        }
        return;
    }
    let settings = match state::settings() {
        Some(s) => s,
        None => return,
    };
    {
        let mut last = LAST_POLL.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return;
        }
        *last = Some(Instant::now());
    }
    let fp = bundle::fingerprint(&settings.root_dir);
    let known = LOCAL
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|(f, _)| *f);
    if known.is_some_and(|k| k != fp) {
        logs::rasp("info", "plugins or rasp.yml changed; reloading");
        *LOCAL.lock().unwrap_or_else(|e| e.into_inner()) = None;
        crate::reload_settings();
        drop_engines();
    }
}

thread_local! {
    /// Generation the thread's engine came from.
    static SLOT_GEN: Cell<u64> = const { Cell::new(0) };
}

/// Takes the published generation as this process's current one; true if
/// it changed (the caller then drops its engines).
fn switch_generation(seg: &shm::Segment) -> bool {
    let published = seg.generation();
    match seg.read() {
        Ok(Some(g)) => {
            match RaspConfig::parse(&g.config) {
                Ok(cfg) => state::replace_config(cfg),
                Err(e) => logs::rasp(
                    "error",
                    &format!(
                        "generation {} carries a config this worker rejects: {e}",
                        g.generation
                    ),
                ),
            }
            let lag = shm::now_ms().saturating_sub(g.published_ms);
            logs::rasp(
                "info",
                &format!(
                    "worker {} now at generation {} ({lag} ms after publication)",
                    std::process::id(),
                    g.generation
                ),
            );
            *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(g));
            true
        }
        Ok(None) => false,
        Err(e) => {
            // A generation that failed validation stays refused until the
            // agent publishes another; a torn read is tried again.
            if !e.contains("kept changing") {
                REFUSED.store(published, std::sync::atomic::Ordering::Relaxed);
            }
            logs::rasp("error", &e);
            false
        }
    }
}

/// Waits briefly for the agent's first generation (a worker may start
/// before the agent finished its first build). Only once per process, and
/// not at all once the agent reported that it cannot build: a broken root
/// dir must not add seconds to every request.
fn await_first_generation(seg: &shm::Segment) -> Option<Arc<shm::Generation>> {
    static WAITED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let pid = crate::state::pid();
    let waited = WAITED.swap(pid, std::sync::atomic::Ordering::Relaxed) == pid;
    let deadline = Instant::now() + Duration::from_secs(if waited { 0 } else { 3 });
    loop {
        if seg.generation() != 0 {
            switch_generation(seg);
            return current_generation();
        }
        if Instant::now() >= deadline || seg.last_error().is_some() {
            break; // the agent gave up on this root dir: do the work ourselves
        }
        if seg.agent_pid() != 0 && seg.heartbeat_age_ms() > 5_000 {
            break; // the agent is not alive: do the work ourselves
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn load_standalone(settings: &state::Settings) -> Result<Engine, String> {
    let opts = engine_options(&settings.config);
    let b = bundle::read_bundle(&settings.root_dir)?;
    if crate::zend::is_cli() {
        let (engine, skipped) =
            Engine::from_sources_lenient(&plugins_of(&b), &opts).map_err(|e| e.to_string())?;
        for line in &engine.info().load_logs {
            logs::plugin(line);
        }
        report_skipped(&skipped);
        return Ok(engine);
    }
    let snap = {
        let mut local = LOCAL.lock().unwrap_or_else(|e| e.into_inner());
        if local.is_none() {
            let fp = bundle::fingerprint(&settings.root_dir);
            let built = Snapshot::build_lenient(&plugins_of(&b), &opts)
                .map(|(snap, skipped)| {
                    report_skipped(&skipped);
                    snap
                })
                .map_err(|e| e.to_string());
            if let Ok(s) = &built {
                for line in &s.info().load_logs {
                    logs::plugin(line);
                }
            }
            *local = Some((fp, built.map(Arc::new)));
        }
        local
            .as_ref()
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| Err("no snapshot".into()))?
    };
    Engine::from_snapshot(&snap, &opts).map_err(|e| e.to_string())
}

fn load() -> Result<(Engine, u64), String> {
    let settings = state::settings().ok_or("php-rasp is not configured")?;
    if let Some(seg) = agent::segment() {
        let g = current_generation().or_else(|| await_first_generation(seg));
        if let Some(g) = g {
            let opts = engine_options(&state::config());
            let snap = Snapshot::from_shared(g.snapshot.clone());
            let engine = Engine::from_snapshot(&snap, &opts).map_err(|e| e.to_string())?;
            return Ok((engine, g.generation));
        }
        logs::rasp(
            "warning",
            "no generation from the agent; this worker loads the plugins itself",
        );
    }
    load_standalone(&settings).map(|e| (e, 0))
}

/// Whether a check of type `t` would reach a plugin (cheap; loads the
/// engine on first use).
#[inline]
pub fn handles(t: CheckType) -> bool {
    HANDLED.with(|h| h.get() & t.bit() != 0)
}

/// The gate of check type `t` in this thread's engine (see
/// `rasp_core::gate`), if its handlers declared one.
pub fn gate(t: CheckType) -> Option<Arc<rasp_core::gate::Gate>> {
    with_engine(|e| e.gate(t).cloned()).flatten()
}

/// Runs `f` with this thread's engine, loading it if needed.
pub fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if matches!(*slot, Slot::Empty) {
            *slot = match load() {
                Ok((e, g)) => {
                    // The plugins' RASP.request_inputs() and inputs_in() read
                    // the values the gates built, not a second parse of the
                    // context.
                    rasp_v8::set_request_inputs_source(Some(Box::new(
                        crate::request::plugin_inputs,
                    )));
                    HANDLED.with(|h| h.set(e.info().types.0));
                    SLOT_GEN.with(|c| c.set(g));
                    Slot::Ready(e)
                }
                Err(msg) => {
                    logs::rasp(
                        "error",
                        &format!("plugins not loaded, checks are off until they change: {msg}"),
                    );
                    HANDLED.with(|h| h.set(0));
                    Slot::Failed(msg)
                }
            };
        }
        match &mut *slot {
            Slot::Ready(engine) => {
                let r = f(engine);
                if engine.is_poisoned() {
                    logs::rasp(
                        "warning",
                        "plugin engine reached its heap limit; restoring a fresh isolate",
                    );
                    *slot = Slot::Empty;
                    HANDLED.with(|h| h.set(u64::MAX));
                }
                Some(r)
            }
            _ => None,
        }
    })
}

/// What `php --ri rasp` shows about the engine.
pub struct EngineStatus {
    pub plugins: Vec<(String, String)>,
    pub types: CheckTypeSet,
    pub error: Option<String>,
    pub generation: u64,
}

pub fn status() -> EngineStatus {
    let _ = with_engine(|_| ());
    let generation = SLOT_GEN.with(Cell::get);
    SLOT.with(|slot| match &*slot.borrow() {
        Slot::Ready(e) => EngineStatus {
            plugins: e
                .info()
                .plugins
                .iter()
                .map(|p| (p.name.clone(), p.version.clone()))
                .collect(),
            types: e.info().types,
            error: None,
            generation,
        },
        Slot::Failed(m) => EngineStatus {
            plugins: vec![],
            types: CheckTypeSet::EMPTY,
            error: Some(m.clone()),
            generation,
        },
        Slot::Empty => EngineStatus {
            plugins: vec![],
            types: CheckTypeSet::EMPTY,
            error: Some("not loaded".into()),
            generation,
        },
    })
}
