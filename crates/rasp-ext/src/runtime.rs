//! The plugin engine of this thread: created on the first check, replaced
//! when it breaks (heap limit) and, with the agent, when plugins change.
//!
//! php-fpm forks workers after MINIT, so nothing here runs in the master:
//! V8 starts in each worker on its first check. Under the CLI the plugins
//! are compiled straight into an isolate; in server SAPIs the process builds
//! one startup snapshot and each thread restores its isolate from it.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rasp_core::{CheckType, CheckTypeSet, RaspConfig};
use rasp_v8::{Engine, EngineError, EngineOptions, PluginSource, Snapshot};

use crate::logs;
use crate::state;

enum Slot {
    /// Not tried yet in this thread.
    Empty,
    Ready(Engine),
    /// Loading failed; the message was logged. Checks are skipped.
    Failed(String),
}

thread_local! {
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Empty) };
    /// Types some plugin handles; all bits set until the engine is loaded,
    /// so the first check loads it.
    static HANDLED: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// The process's snapshot, built once from the plugin directory.
static SNAPSHOT: Mutex<Option<Result<Arc<Snapshot>, String>>> = Mutex::new(None);

pub fn engine_options(cfg: &RaspConfig) -> EngineOptions {
    EngineOptions {
        timeout: Duration::from_millis(cfg.plugin.timeout_millis),
        heap_limit: (cfg.plugin.heap_mb as usize) << 20,
        algorithm_config: cfg.plugin.algorithm_config.clone(),
        max_log_lines: 100,
    }
}

/// Reads `<root>/plugins/*.js`, sorted by name.
pub fn read_plugins(root: &std::path::Path) -> Result<Vec<PluginSource>, String> {
    let dir = root.join("plugins");
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read plugin directory {}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js") && p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for p in files {
        let source = std::fs::read_to_string(&p)
            .map_err(|e| format!("cannot read plugin {}: {e}", p.display()))?;
        out.push(PluginSource {
            name: p.display().to_string(),
            source,
        });
    }
    Ok(out)
}

fn load() -> Result<Engine, String> {
    let settings = state::settings().ok_or("php-rasp is not configured")?;
    let cfg = &settings.config;
    let opts = engine_options(cfg);
    if crate::zend::is_cli() {
        let plugins = read_plugins(&settings.root_dir)?;
        let engine = Engine::from_sources(&plugins, &opts).map_err(|e| e.to_string())?;
        for line in &engine.info().load_logs {
            logs::plugin(line);
        }
        return Ok(engine);
    }
    let snap = {
        let mut guard = SNAPSHOT.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let built = read_plugins(&settings.root_dir)
                .and_then(|p| Snapshot::build(&p, &opts).map_err(|e: EngineError| e.to_string()));
            if let Ok(s) = &built {
                for line in &s.info().load_logs {
                    logs::plugin(line);
                }
            }
            *guard = Some(built.map(Arc::new));
        }
        guard.clone().unwrap_or_else(|| Err("no snapshot".into()))?
    };
    Engine::from_snapshot(&snap, &opts).map_err(|e| e.to_string())
}

/// Whether a check of type `t` would reach a plugin (cheap; loads the
/// engine on first use).
#[inline]
pub fn handles(t: CheckType) -> bool {
    HANDLED.with(|h| h.get() & t.bit() != 0)
}

/// Runs `f` with this thread's engine, loading it if needed.
pub fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if matches!(*slot, Slot::Empty) {
            *slot = match load() {
                Ok(e) => {
                    HANDLED.with(|h| h.set(e.info().types.0));
                    Slot::Ready(e)
                }
                Err(msg) => {
                    logs::rasp(
                        "error",
                        &format!("plugins not loaded, checks are off in this process: {msg}"),
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
}

pub fn status() -> EngineStatus {
    let _ = with_engine(|_| ());
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
        },
        Slot::Failed(m) => EngineStatus {
            plugins: vec![],
            types: CheckTypeSet::EMPTY,
            error: Some(m.clone()),
        },
        Slot::Empty => EngineStatus {
            plugins: vec![],
            types: CheckTypeSet::EMPTY,
            error: Some("not loaded".into()),
        },
    })
}
