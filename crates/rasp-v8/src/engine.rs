//! Snapshots, isolates and checks: the safe face of the shim.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rasp_core::gate::{Gate, GatePass, InputFinding};
use rasp_core::{CheckType, CheckTypeSet, Verdict};
use serde::Deserialize;

use crate::natives;
use crate::sys;
use crate::watchdog::Watchdog;

const RUNTIME_JS: &str = include_str!("../js/runtime.js");
const FINISH_JS: &str = "__rasp_finish_load(); globalThis.__rasp_load_logs = __rasp_drain_logs();";

/// A plugin file: its name (shown in errors and logs) and source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginSource {
    pub name: String,
    pub source: String,
}

/// Limits and settings that apply to every check.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Deadline of one check (all plugins together).
    pub timeout: Duration,
    /// V8 heap limit of one isolate.
    pub heap_limit: usize,
    /// `rasp.yml` overrides merged into each plugin's `algorithmConfig`.
    pub algorithm_config: serde_json::Value,
    /// Plugin log lines kept per check; the rest are counted.
    pub max_log_lines: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            timeout: Duration::from_millis(100),
            heap_limit: 128 * 1024 * 1024,
            algorithm_config: serde_json::Value::Object(Default::default()),
            max_log_lines: 100,
        }
    }
}

/// Why the engine could not be started or plugins could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// V8 could not be initialised in this process.
    Init(String),
    /// A plugin failed to compile or threw at load time; names file and line.
    Load(String),
    /// The runtime misbehaved (a bug or resource exhaustion).
    Internal(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Init(m) => write!(f, "cannot start V8: {m}"),
            EngineError::Load(m) => write!(f, "cannot load plugins: {m}"),
            EngineError::Internal(m) => write!(f, "plugin engine error: {m}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// A plugin as loaded: what `new RASP(name)` said, and `plugin.version`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PluginInfo {
    pub name: String,
    #[serde(default)]
    pub version: String,
}

/// What the loaded plugins handle.
#[derive(Clone, Debug, Default)]
pub struct EngineInfo {
    /// Check types some plugin registered a handler for.
    pub types: CheckTypeSet,
    /// Types whose handlers all said when they want to be called (see
    /// `rasp_core::gate`); events of other types always go to the handlers.
    pub gates: Vec<(CheckType, Arc<Gate>)>,
    /// `options.when` values that could not be used (those handlers are
    /// called for every event of their type).
    pub gate_errors: Vec<String>,
    pub plugins: Vec<PluginInfo>,
    /// Plugin log lines written while loading.
    pub load_logs: Vec<String>,
}

/// A plugin handler that threw or returned something unusable.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PluginError {
    pub plugin: String,
    pub message: String,
}

/// A check that did not complete normally. The request goes on regardless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Cut off after the deadline.
    Timeout(Duration),
    /// The heap limit was reached; the engine must be replaced.
    HeapLimit,
    /// The dispatcher itself threw (e.g. malformed params JSON).
    Exception(String),
    /// Too little native stack left on this thread to run JS safely.
    NoStack,
    /// The shim reported a failure.
    Internal(String),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Timeout(d) => write!(
                f,
                "plugin check timed out after {} ms and was stopped",
                d.as_millis()
            ),
            Fault::HeapLimit => {
                f.write_str("plugin check reached the V8 heap limit and was stopped")
            }
            Fault::Exception(m) => write!(f, "plugin runtime threw: {m}"),
            Fault::NoStack => {
                f.write_str("check skipped: too little native stack left to run plugins")
            }
            Fault::Internal(m) => write!(f, "plugin engine error: {m}"),
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, Default)]
pub struct CheckOutcome {
    pub verdicts: Vec<Verdict>,
    pub errors: Vec<PluginError>,
    pub logs: Vec<String>,
    pub fault: Option<Fault>,
    pub elapsed: Duration,
}

#[derive(Deserialize)]
struct RawOutcome {
    #[serde(default)]
    v: Vec<Verdict>,
    #[serde(default)]
    e: Vec<PluginError>,
    #[serde(default)]
    l: Vec<String>,
}

#[derive(Deserialize)]
struct RawInfo {
    types: Vec<String>,
    plugins: Vec<PluginInfo>,
    #[serde(default)]
    gates: serde_json::Map<String, serde_json::Value>,
}

impl EngineInfo {
    /// What `__rasp_info` described, load logs aside.
    fn from_raw(raw: &RawInfo) -> EngineInfo {
        let (gates, gate_errors) = parse_gates(&raw.gates);
        EngineInfo {
            types: raw
                .types
                .iter()
                .filter_map(|t| CheckType::from_name(t))
                .collect(),
            gates,
            gate_errors,
            plugins: raw.plugins.clone(),
            load_logs: Vec::new(),
        }
    }
}

/// A gate's finding as the runtime reads it (runtime.js `noteFinding`):
/// `condition:min_length:` then `P` and the positions in the request's
/// value list (`1,4,15`), or `R` and the rows themselves,
/// `count(,source,decoded,name_len,value_len)*:` then each row's name and
/// value, lengths in UTF-16 units. Rows go with a request's first finding,
/// as `RASP.inputs_in()` answers a request's first text: making them costs
/// more than the positions (JSON.parse of six rows took 1.6 us, this form
/// 0.7 us), while the whole list crossing would cost more still on a
/// request that asks once. Later findings send positions: the runtime
/// takes the list once (or holds it already) and picks the entries. It
/// makes either only if a handler asks.
fn finding_arg(out: &mut String, f: &InputFinding, rows: bool) {
    push_number(out, f.condition);
    out.push(':');
    push_number(out, f.min_length);
    out.push(':');
    if !rows {
        out.push('P');
        for (n, &at) in f.positions.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            push_number(out, at);
        }
        return;
    }
    let units = rasp_core::inputs::js_len;
    out.push('R');
    push_number(out, f.positions.len());
    for i in f.found() {
        out.push(',');
        out.push_str(i.source.as_str());
        out.push(',');
        out.push_str(i.decoded.map_or("", |d| d.as_str()));
        out.push(',');
        push_number(out, units(&i.name));
        out.push(',');
        push_number(out, units(&i.value));
    }
    out.push(':');
    for i in f.found() {
        out.push_str(&i.name);
        out.push_str(&i.value);
    }
}

/// `n` in decimal, without the formatting machinery (`write!` cost ~1,000
/// instructions per finding, a few percent of a cheap check).
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

/// Gates from `__rasp_info`'s `{ type: [{when} | {} | {error}] }`.
fn parse_gates(
    raw: &serde_json::Map<String, serde_json::Value>,
) -> (Vec<(CheckType, Arc<Gate>)>, Vec<String>) {
    let mut gates = Vec::new();
    let mut errors = Vec::new();
    for (name, list) in raw {
        let Some(t) = CheckType::from_name(name) else {
            continue;
        };
        let whens: Vec<Option<Vec<rasp_core::gate::Condition>>> = list
            .as_array()
            .map(|l| l.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|h| {
                if let Some(e) = h.get("error").and_then(|e| e.as_str()) {
                    errors.push(format!("{e} (the handler sees every event)"));
                    return None;
                }
                let w = h.get("when")?;
                match Gate::parse_when(w) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        errors.push(format!(
                            "options.when of a \"{name}\" handler: {e} (the handler sees every event)"
                        ));
                        None
                    }
                }
            })
            .collect();
        if let Some(g) = Gate::from_handlers(&whens) {
            gates.push((t, Arc::new(g)));
        }
    }
    (gates, errors)
}

static INIT: OnceLock<Result<(), String>> = OnceLock::new();

/// Starts V8 in this process (once; later calls return the first result).
///
/// Call it only in a process that will not `fork()` and keep using V8 in
/// both halves: the php-fpm master must never call it.
pub fn initialize() -> Result<(), EngineError> {
    INIT.get_or_init(|| {
        let natives = natives::table();
        // SAFETY: the natives table holds 'static function pointers; the flags
        // pointer is valid for the call; the shim copies what it keeps.
        let rc = unsafe { sys::rasp_v8_initialize(std::ptr::null(), 0, &natives) };
        if rc == sys::RASP_V8_OK {
            Ok(())
        } else {
            Err(format!("rasp_v8_initialize returned {rc}"))
        }
    })
    .clone()
    .map_err(EngineError::Init)
}

/// The linked V8's version, e.g. `10.2.154.26-node.37`.
pub fn v8_version() -> &'static str {
    // SAFETY: V8::GetVersion returns a static NUL-terminated string and needs
    // no initialisation.
    unsafe { CStr::from_ptr(sys::rasp_v8_version()) }
        .to_str()
        .unwrap_or("unknown")
}

/// The scripts every context runs: setup values, runtime, plugins, finish.
struct Scripts {
    owned: Vec<(String, String)>,
}

impl Scripts {
    fn new(plugins: &[PluginSource], opts: &EngineOptions) -> Scripts {
        let setup = serde_json::json!({
            "checkTypes": CheckType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "sqlKinds": natives::sql_kind_names(),
            "cmdKinds": natives::cmd_kind_names(),
            "algorithmConfig": opts.algorithm_config,
            "maxLogLines": opts.max_log_lines,
            "inputOptionKeys": rasp_core::inputs::InputOptions::KEYS,
        });
        let mut owned = vec![
            (
                "rasp:setup".to_string(),
                format!("globalThis.__rasp_setup = {setup};"),
            ),
            ("rasp:runtime.js".to_string(), RUNTIME_JS.to_string()),
        ];
        // Each plugin runs in its own function scope: plugins written to the
        // usual convention all declare `const plugin = new RASP(...)` at top
        // level, which in one shared scope would reject every plugin but the
        // first. The wrapper opens on line 1, so error lines stay right.
        owned.extend(plugins.iter().map(|p| {
            (
                p.name.clone(),
                format!("(function () {{{}\n}})();", p.source),
            )
        }));
        owned.push(("rasp:finish".to_string(), FINISH_JS.to_string()));
        Scripts { owned }
    }

    fn raw(&self) -> Vec<sys::RaspScript> {
        self.owned
            .iter()
            .map(|(n, s)| sys::RaspScript {
                name: n.as_ptr() as *const c_char,
                name_len: n.len(),
                source: s.as_ptr() as *const c_char,
                source_len: s.len(),
            })
            .collect()
    }
}

/// Deadline of the runtime calls that set an engine up (not checks).
const SETUP_TIMEOUT: Duration = Duration::from_secs(5);

/// A plugin left out of a lenient build because it failed to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedPlugin {
    pub name: String,
    /// The load error (`name:line: SyntaxError ...`).
    pub error: String,
}

/// Runs `load` over `plugins`, leaving out each plugin its load error is
/// about (errors start with `name:`) and trying again with the rest, so one
/// broken file does not take the other plugins' protection with it. An
/// error that names no plugin (the runtime itself, V8) is returned as is.
fn load_leniently<T>(
    plugins: &[PluginSource],
    mut load: impl FnMut(&[PluginSource]) -> Result<T, EngineError>,
) -> Result<(T, Vec<SkippedPlugin>), EngineError> {
    let mut left: Vec<PluginSource> = plugins.to_vec();
    let mut skipped = Vec::new();
    loop {
        match load(&left) {
            Ok(t) => return Ok((t, skipped)),
            Err(EngineError::Load(msg)) => {
                // The longest name wins: "a.js" must not claim "a.js.bak:1:".
                let culprit = left
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        msg.strip_prefix(p.name.as_str())
                            .is_some_and(|r| r.starts_with(':'))
                    })
                    .max_by_key(|(_, p)| p.name.len())
                    .map(|(i, _)| i);
                let Some(i) = culprit else {
                    return Err(EngineError::Load(msg));
                };
                let p = left.remove(i);
                skipped.push(SkippedPlugin {
                    name: p.name,
                    error: msg,
                });
            }
            Err(e) => return Err(e),
        }
    }
}

/// A V8 startup snapshot of the runtime with all plugins loaded.
#[derive(Clone)]
pub struct Snapshot {
    /// Shared with every engine restored from it: V8 may read the blob
    /// after the isolate exists, so it lives as long as they do. The V8 blob
    /// is followed by the runtime's description of the plugins (see
    /// [`INFO_MAGIC`]), so a process restoring it never asks the isolate.
    bytes: Arc<[u8]>,
    /// Length of the V8 blob at the start of `bytes`.
    blob_len: usize,
    info: EngineInfo,
    /// Whether `info` came with the bytes (false: ask each restored isolate).
    info_known: bool,
}

/// Ends a snapshot's bytes: `[V8 blob][info JSON][info length, u64 LE][magic]`.
/// Describing the plugins (`__rasp_info`: the first call into a fresh
/// isolate, the gates' `when` functions, JSON both ways) was a third of
/// restoring an isolate; the answer is the same for every isolate restored
/// from one blob, so the builder asks once and ships it along.
const INFO_MAGIC: &[u8; 8] = b"RASPINF1";

/// Splits `bytes` into the V8 blob and the info JSON, if it carries one.
fn split_info(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let tail = bytes.len().checked_sub(16)?;
    if &bytes[tail + 8..] != INFO_MAGIC {
        return None;
    }
    let len = u64::from_le_bytes(bytes[tail..tail + 8].try_into().ok()?);
    let blob_len = tail.checked_sub(usize::try_from(len).ok()?)?;
    (blob_len > 0).then(|| (blob_len, &bytes[blob_len..tail]))
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("bytes", &self.bytes.len())
            .field("info", &self.info)
            .finish()
    }
}

impl Snapshot {
    /// Loads every plugin once and serialises the heap. The snapshot is then
    /// restored once to prove it works and to read what the plugins registered.
    pub fn build(plugins: &[PluginSource], opts: &EngineOptions) -> Result<Snapshot, EngineError> {
        initialize()?;
        let scripts = Scripts::new(plugins, opts);
        let raw = scripts.raw();
        let mut blob = Vec::new();
        let mut err = Vec::new();
        // SAFETY: `raw` points into `scripts`, alive across the call; the sinks
        // point to local Vecs that outlive it.
        let rc = unsafe {
            sys::rasp_v8_build_snapshot(
                raw.as_ptr(),
                raw.len(),
                sys::vec_sink(&mut blob),
                sys::vec_sink(&mut err),
            )
        };
        if rc != sys::RASP_V8_OK {
            return Err(EngineError::Load(
                String::from_utf8_lossy(&err).into_owned(),
            ));
        }
        let blob_len = blob.len();
        let bytes: Arc<[u8]> = blob.into();
        let (engine, raw_info) = Engine::create(Some(bytes.clone()), blob_len, &[], opts, true)?;
        let mut with_info = Vec::with_capacity(blob_len + raw_info.len() + 16);
        with_info.extend_from_slice(&bytes);
        with_info.extend_from_slice(&raw_info);
        with_info.extend_from_slice(&(raw_info.len() as u64).to_le_bytes());
        with_info.extend_from_slice(INFO_MAGIC);
        Ok(Snapshot {
            bytes: with_info.into(),
            blob_len,
            info: engine.info.clone(),
            info_known: true,
        })
    }

    /// Like [`Snapshot::build`], but a plugin that fails to load (a syntax
    /// error, an exception at top level) is left out and returned with its
    /// error instead of failing the whole build.
    pub fn build_lenient(
        plugins: &[PluginSource],
        opts: &EngineOptions,
    ) -> Result<(Snapshot, Vec<SkippedPlugin>), EngineError> {
        load_leniently(plugins, |ps| Snapshot::build(ps, opts))
    }

    /// A snapshot received as bytes (e.g. from shared memory), built by
    /// [`Snapshot::build`] in a process running the same V8 and this crate.
    /// Verify its integrity first: V8 aborts the process on a corrupt blob.
    /// The plugins' description travels with the bytes; a blob without one
    /// (or with one this version cannot read) still restores, and each
    /// engine then asks its isolate.
    pub fn from_bytes(bytes: Vec<u8>) -> Snapshot {
        Snapshot::from_shared(bytes.into())
    }

    /// [`Snapshot::from_bytes`] without a copy of bytes already shared.
    pub fn from_shared(bytes: Arc<[u8]>) -> Snapshot {
        // Ends like ours but does not add up: V8 must not see it (it aborts
        // the process on a blob it cannot read); restoring it fails instead.
        let damaged = (0, &[][..]);
        let (blob_len, json) = split_info(&bytes).unwrap_or(if bytes.ends_with(INFO_MAGIC) {
            damaged
        } else {
            (bytes.len(), &[])
        });
        let (info, info_known) = match serde_json::from_slice::<RawInfo>(json) {
            Ok(raw) => (EngineInfo::from_raw(&raw), true),
            Err(_) => (EngineInfo::default(), false),
        };
        Snapshot {
            bytes,
            blob_len,
            info,
            info_known,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// What the plugins registered (known after [`Snapshot::build`]).
    pub fn info(&self) -> &EngineInfo {
        &self.info
    }
}

/// One V8 isolate with the plugins loaded, owned by one thread.
pub struct Engine {
    iso: NonNull<sys::RaspIsolate>,
    info: EngineInfo,
    timeout: Duration,
    /// Serial of the request whose context the isolate holds.
    context_serial: Option<u64>,
    /// Serial of the request whose first gate finding went with its rows;
    /// later ones send positions in the list (see [`finding_arg`]).
    finding_serial: Option<u64>,
    poisoned: bool,
    _blob: Option<Arc<[u8]>>,
    _not_send: PhantomData<*mut ()>,
}

impl Engine {
    /// Restores an isolate from a snapshot (about 2 ms with the official plugin).
    pub fn from_snapshot(snapshot: &Snapshot, opts: &EngineOptions) -> Result<Engine, EngineError> {
        initialize()?;
        if snapshot.blob_len == 0 {
            return Err(EngineError::Internal(
                "empty or damaged snapshot (rebuild it)".into(),
            ));
        }
        if snapshot.info_known {
            return Engine::restore(snapshot, opts);
        }
        // The snapshot still holds the load logs; the builder reported them.
        Engine::create(
            Some(snapshot.bytes.clone()),
            snapshot.blob_len,
            &[],
            opts,
            false,
        )
        .map(|(e, _)| e)
    }

    /// Loads plugins into a fresh isolate without a snapshot (one-off uses:
    /// the CLI, tests). Load-time plugin logs are in `info().load_logs`.
    pub fn from_sources(
        plugins: &[PluginSource],
        opts: &EngineOptions,
    ) -> Result<Engine, EngineError> {
        initialize()?;
        let scripts = Scripts::new(plugins, opts);
        Engine::create(None, 0, &scripts.raw(), opts, true).map(|(e, _)| e)
    }

    /// Like [`Engine::from_sources`], leaving out plugins that fail to load
    /// (see [`Snapshot::build_lenient`]).
    pub fn from_sources_lenient(
        plugins: &[PluginSource],
        opts: &EngineOptions,
    ) -> Result<(Engine, Vec<SkippedPlugin>), EngineError> {
        load_leniently(plugins, |ps| Engine::from_sources(ps, opts))
    }

    /// An isolate from `blob[..blob_len]` (or a fresh one running
    /// `scripts`), not yet described.
    fn isolate(
        blob: Option<Arc<[u8]>>,
        blob_len: usize,
        scripts: &[sys::RaspScript],
        opts: &EngineOptions,
    ) -> Result<Engine, EngineError> {
        let mut err = Vec::new();
        let bytes: &[u8] = blob.as_deref().map_or(&[], |b| &b[..blob_len.min(b.len())]);
        // SAFETY: the blob outlives the isolate (the Engine keeps it) and the
        // scripts are valid for the call.
        let iso = unsafe {
            sys::rasp_v8_isolate_new(
                bytes.as_ptr(),
                bytes.len(),
                scripts.as_ptr(),
                scripts.len(),
                opts.heap_limit,
                sys::vec_sink(&mut err),
            )
        };
        let Some(iso) = NonNull::new(iso) else {
            let msg = String::from_utf8_lossy(&err).into_owned();
            return Err(if bytes.is_empty() {
                EngineError::Load(msg)
            } else {
                EngineError::Internal(msg)
            });
        };
        Ok(Engine {
            iso,
            info: EngineInfo::default(),
            timeout: opts.timeout,
            context_serial: None,
            finding_serial: None,
            poisoned: false,
            _blob: blob,
            _not_send: PhantomData,
        })
    }

    /// Restores an isolate whose description came with the snapshot.
    fn restore(snapshot: &Snapshot, opts: &EngineOptions) -> Result<Engine, EngineError> {
        let mut engine =
            Engine::isolate(Some(snapshot.bytes.clone()), snapshot.blob_len, &[], opts)?;
        engine.info = snapshot.info.clone();
        engine.info.load_logs.clear(); // the builder reported them
        Ok(engine)
    }

    /// An isolate, described by its runtime: the engine and the raw
    /// description (`__rasp_info`'s JSON).
    fn create(
        blob: Option<Arc<[u8]>>,
        blob_len: usize,
        scripts: &[sys::RaspScript],
        opts: &EngineOptions,
        keep_load_logs: bool,
    ) -> Result<(Engine, Vec<u8>), EngineError> {
        let mut engine = Engine::isolate(blob, blob_len, scripts, opts)?;
        // Describing the plugins is part of creating the engine, not a check:
        // a busy machine must not cut it off at the check deadline.
        engine.timeout = opts.timeout.max(SETUP_TIMEOUT);
        let (rc, out, fired) = engine.call(c"__rasp_info", &[]);
        let info: RawInfo = match serde_json::from_slice(&out) {
            Ok(info) if rc == sys::RASP_V8_OK => info,
            _ => {
                let why = match rc {
                    sys::RASP_V8_TERMINATED if fired => {
                        format!("cut off after {:?}", engine.timeout)
                    }
                    sys::RASP_V8_TERMINATED => "the V8 heap limit was reached".to_string(),
                    sys::RASP_V8_OK => {
                        format!("unreadable answer: {:?}", String::from_utf8_lossy(&out))
                    }
                    _ => String::from_utf8_lossy(&out).into_owned(),
                };
                return Err(EngineError::Internal(format!(
                    "the runtime did not describe the loaded plugins ({why})"
                )));
            }
        };
        engine.info = EngineInfo::from_raw(&info);
        let logs: Option<RawOutcome> = engine.call_json(c"__rasp_take_load_logs", &[]);
        if keep_load_logs {
            engine.info.load_logs = logs.map(|l| l.l).unwrap_or_default();
            engine.info.load_logs.extend(
                engine
                    .info
                    .gate_errors
                    .iter()
                    .map(|e| format!("[rasp] {e}")),
            );
        }
        engine.timeout = opts.timeout;
        Ok((engine, out))
    }

    /// Calls a runtime function that returns JSON, with the check deadline.
    fn call_json<T: for<'de> Deserialize<'de>>(
        &mut self,
        func: &CStr,
        args: &[Option<&str>],
    ) -> Option<T> {
        let (rc, out, _) = self.call(func, args);
        if rc != sys::RASP_V8_OK || out.is_empty() {
            return None;
        }
        serde_json::from_slice(&out).ok()
    }

    /// Runs a global function under the watchdog; returns (code, output, fired).
    /// Allocates nothing unless the function returns a string.
    fn call(&mut self, func: &CStr, args: &[Option<&str>]) -> (i32, Vec<u8>, bool) {
        const MAX_ARGS: usize = 8;
        let n = args.len().min(MAX_ARGS);
        let mut ptrs = [std::ptr::null::<c_char>(); MAX_ARGS];
        let mut lens = [0usize; MAX_ARGS];
        for (i, a) in args.iter().take(n).enumerate() {
            if let Some(a) = a {
                ptrs[i] = a.as_ptr() as *const c_char;
                lens[i] = a.len();
            }
        }
        let mut out = Vec::new();
        let armed = Watchdog::get().arm(self.iso.as_ptr(), self.timeout);
        // SAFETY: the isolate is alive and owned by this thread; every pointer
        // refers to data that outlives the call.
        let rc = unsafe {
            sys::rasp_v8_call(
                self.iso.as_ptr(),
                func.as_ptr(),
                ptrs.as_ptr(),
                lens.as_ptr(),
                n,
                sys::vec_sink(&mut out),
            )
        };
        let fired = armed.disarm();
        if fired && rc != sys::RASP_V8_TERMINATED {
            // The deadline hit just after JS finished: clear the pending stop so
            // it cannot cut off the next check.
            // SAFETY: isolate alive, owned by this thread.
            unsafe { sys::rasp_v8_cancel_terminate(self.iso.as_ptr()) };
        }
        // SAFETY: isolate alive.
        if unsafe { sys::rasp_v8_heap_exhausted(self.iso.as_ptr()) } != 0 {
            self.poisoned = true;
        }
        (rc, out, fired)
    }

    /// Whether any loaded plugin handles this check type. Hooks ask this
    /// first, so unhandled types never enter V8.
    pub fn handles(&self, t: CheckType) -> bool {
        self.info.types.contains(t)
    }

    pub fn info(&self) -> &EngineInfo {
        &self.info
    }

    /// The gate of a check type, if all its handlers declared one: events
    /// it does not pass need not enter V8 (their outcome is "ignore").
    pub fn gate(&self, t: CheckType) -> Option<&Arc<Gate>> {
        self.info
            .gates
            .iter()
            .find(|(gt, _)| *gt == t)
            .map(|(_, g)| g)
    }

    /// True once the heap limit was hit: replace the engine.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// V8 heap in use and its limit, in bytes.
    pub fn heap_stats(&self) -> (usize, usize) {
        let (mut used, mut limit) = (0usize, 0usize);
        // SAFETY: isolate alive; out-pointers are valid locals.
        unsafe { sys::rasp_v8_heap_stats(self.iso.as_ptr(), &mut used, &mut limit) };
        (used, limit)
    }

    /// Judges one check event. `params_json` is the params object; the
    /// request context is built (by `context_json`) only when the isolate
    /// does not already hold the context of request `serial`.
    pub fn check(
        &mut self,
        t: CheckType,
        params_json: &str,
        serial: u64,
        context_json: impl FnOnce() -> String,
    ) -> CheckOutcome {
        self.check_inner(t, params_json, None, serial, Some(context_json), None)
    }

    /// [`Engine::check`] with the PHP stack passed apart from the params:
    /// `stack_json` (a JSON array of `"file@function:line"` frames) becomes
    /// `params.stack`, parsed only if a handler reads it. Most handlers never
    /// do, and parsing the frames was half the cost of a check that finds
    /// nothing (see docs/benchmarks.md).
    pub fn check_with_stack(
        &mut self,
        t: CheckType,
        params_json: &str,
        stack_json: &str,
        serial: u64,
        context_json: impl FnOnce() -> String,
    ) -> CheckOutcome {
        self.check_inner(
            t,
            params_json,
            Some(stack_json),
            serial,
            Some(context_json),
            None,
        )
    }

    /// [`Engine::check`] with what most checks never read left to the
    /// embedder: `params.stack` (a JSON array of frames) is built by `stack`
    /// only if a handler reads it during this check, and the request
    /// `context` by `context` only if a handler reads it during any check of
    /// request `serial` (both on this thread, while the check runs).
    /// Serialising and parsing them was most of the cost of a check that
    /// finds nothing, and most of the first check of a request; the official
    /// plugin reads neither on its hot paths. Use one kind of call per
    /// request: a context left to the embedder is fetched from the source
    /// of the check that first reads it.
    pub fn check_lazy(
        &mut self,
        t: CheckType,
        params_json: &str,
        serial: u64,
        stack: impl Fn() -> String + 'static,
        context: impl Fn() -> String + 'static,
    ) -> CheckOutcome {
        self.check_lazy_noting(t, params_json, serial, None, stack, context)
    }

    /// [`Engine::check_lazy`] with what the type's gate decided when it let
    /// the event through ([`Gate::passes_noting`]): only the handlers it
    /// names are called, and a handler's `RASP.inputs_in()` for the text
    /// and options of its finding is answered from it, without searching
    /// again or leaving V8. `pass` must come from this engine's gate for
    /// `t`, for these params, with the request values
    /// `RASP.request_inputs()` answers from during this check.
    pub fn check_lazy_noting(
        &mut self,
        t: CheckType,
        params_json: &str,
        serial: u64,
        pass: Option<&GatePass>,
        stack: impl Fn() -> String + 'static,
        context: impl Fn() -> String + 'static,
    ) -> CheckOutcome {
        let sources = natives::LazySources {
            stack: Box::new(stack),
            context: Box::new(context),
        };
        // "handlers" or "handlers:finding" (runtime.js __rasp_check).
        let gate = pass.map(|p| {
            let mut arg = String::with_capacity(64);
            push_number(&mut arg, p.handlers as usize);
            if let Some(f) = &p.finding {
                let rows = self.finding_serial != Some(serial);
                self.finding_serial = Some(serial);
                arg.push(':');
                finding_arg(&mut arg, f, rows);
            }
            arg
        });
        natives::with_sources(sources, || {
            self.check_inner(
                t,
                params_json,
                Some(""),
                serial,
                None::<fn() -> String>,
                gate.as_deref(),
            )
        })
    }

    /// `context_json`: None leaves the context to the embedder's source.
    fn check_inner(
        &mut self,
        t: CheckType,
        params_json: &str,
        stack_json: Option<&str>,
        serial: u64,
        context_json: Option<impl FnOnce() -> String>,
        gate: Option<&str>,
    ) -> CheckOutcome {
        let start = Instant::now();
        let mut outcome = CheckOutcome::default();
        if self.poisoned {
            outcome.fault = Some(Fault::HeapLimit);
            return outcome;
        }
        let ctx;
        // A new request: its context as JSON, or "" (read from the source).
        let ctx_arg = if self.context_serial != Some(serial) {
            ctx = context_json.map_or_else(String::new, |f| f());
            Some(ctx.as_str())
        } else {
            None
        };
        let (rc, out, fired) = self.call(
            c"__rasp_check",
            &[
                Some(t.as_str()),
                Some(params_json),
                ctx_arg,
                stack_json,
                gate,
            ],
        );
        outcome.elapsed = start.elapsed();
        match rc {
            sys::RASP_V8_OK => {
                self.context_serial = Some(serial);
                if !out.is_empty() {
                    match serde_json::from_slice::<RawOutcome>(&out) {
                        Ok(raw) => {
                            outcome.verdicts = raw.v;
                            outcome.errors = raw.e;
                            outcome.logs = raw.l;
                        }
                        Err(e) => {
                            outcome.fault =
                                Some(Fault::Internal(format!("unreadable check result: {e}")))
                        }
                    }
                }
            }
            sys::RASP_V8_TERMINATED => {
                // The context may be half-set; send it again next time.
                self.context_serial = None;
                outcome.fault = Some(if self.poisoned {
                    Fault::HeapLimit
                } else if fired {
                    Fault::Timeout(self.timeout)
                } else {
                    Fault::Internal("execution terminated".into())
                });
            }
            sys::RASP_V8_EXCEPTION => {
                self.context_serial = None;
                outcome.fault = Some(Fault::Exception(String::from_utf8_lossy(&out).into_owned()));
            }
            sys::RASP_V8_NO_STACK => outcome.fault = Some(Fault::NoStack),
            _ => outcome.fault = Some(Fault::Internal(String::from_utf8_lossy(&out).into_owned())),
        }
        outcome
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("info", &self.info)
            .field("poisoned", &self.poisoned)
            .finish()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: we own the isolate; no Armed guard outlives a call, so the
        // watchdog holds no reference to it.
        unsafe { sys::rasp_v8_isolate_free(self.iso.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(source: &str) -> Engine {
        let plugins = [PluginSource {
            name: "t.js".into(),
            source: source.into(),
        }];
        Engine::from_sources(&plugins, &EngineOptions::default()).expect("loads")
    }

    fn message(out: &CheckOutcome) -> String {
        assert!(out.fault.is_none() && out.errors.is_empty(), "{out:?}");
        out.verdicts[0].message.clone()
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 1234567890, usize::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn flat_tokenizers_match_the_token_objects() {
        let mut e = engine(
            r#"
            const p = new RASP('t');
            function same(objs, flat, types) {
                if (!(flat instanceof Uint32Array)) return 'not a Uint32Array';
                if (flat.length !== objs.length * 3) return 'length ' + flat.length + ' vs ' + objs.length;
                for (let i = 0; i < objs.length; i++) {
                    const o = objs[i], k = flat[3 * i + 2];
                    if (o.start !== flat[3 * i] || o.stop !== flat[3 * i + 1] || o.type !== types[k & 0xff] ||
                        !!o.unterminated !== !!(k & RASP.TOKEN_UNTERMINATED)) return 'token ' + i;
                }
                return 'same';
            }
            p.register('sql', function (params) {
                const q = params.query;
                // Each call's array is its own: an earlier one is not overwritten.
                const kept = RASP.sql_tokenize_flat('a', 'mysql');
                RASP.sql_tokenize_flat('x y z', 'mysql');
                if (kept.length !== 3 || kept[1] !== 1) return { action: 'log', message: 'overwritten' };
                return { action: 'log', message: same(RASP.sql_tokenize(q, 'mysql'), RASP.sql_tokenize_flat(q, 'mysql'), RASP.SQL_TOKEN_TYPES) +
                  ' ' + same(RASP.cmd_tokenize(q), RASP.cmd_tokenize_flat(q), RASP.CMD_TOKEN_TYPES) };
            });
            "#,
        );
        for q in [
            "SELECT * FROM u WHERE id = 1 or 1=1 -- x",
            "x' OR 'a",
            "ls -la; id",
            "",
            "é ' \"unterminated",
        ] {
            let params = serde_json::json!({ "query": q }).to_string();
            let out = e.check(CheckType::Sql, &params, 1, || "{}".into());
            assert_eq!(message(&out), "same same", "{q}");
        }
    }

    #[test]
    fn lazy_stack_is_built_only_when_read() {
        let src = r#"
            const p = new RASP('lazy');
            p.register('sql', function (params) {
                if (params.query === 'read') return { action: 'log', message: JSON.stringify(params.stack) + JSON.stringify(params.stack) };
                if (params.query === 'dump') return { action: 'log', message: JSON.stringify(params) };
                if (params.query === 'array') {
                    const s = params.stack;
                    return { action: 'log', message: [Array.isArray(s), s instanceof Array, s.length, s.map(f => f.length).join(), [...s].join('|')].join(' ') };
                }
                return { action: 'ignore' };
            });
        "#;
        let mut e = engine(src);
        thread_local! { static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) }; }
        let source = || {
            N.with(|n| n.set(n.get() + 1));
            r#"["a.php@f:1"]"#.to_string()
        };
        let ctx = || "{}".to_string();
        let out = e.check_lazy(CheckType::Sql, r#"{"query":"skip"}"#, 1, source, ctx);
        assert!(out.verdicts.is_empty());
        assert_eq!(N.with(|n| n.get()), 0, "not read, not built");
        let out = e.check_lazy(CheckType::Sql, r#"{"query":"read"}"#, 1, source, ctx);
        assert_eq!(message(&out), r#"["a.php@f:1"]["a.php@f:1"]"#);
        assert_eq!(N.with(|n| n.get()), 1, "built once per check");
        let out = e.check_lazy(
            CheckType::Sql,
            r#"{"query":"dump"}"#,
            1,
            || "not json".into(),
            ctx,
        );
        assert_eq!(message(&out), r#"{"query":"dump","stack":[]}"#);
        // An array in every way a handler can tell.
        let out = e.check_lazy(
            CheckType::Sql,
            r#"{"query":"array"}"#,
            1,
            || r#"["a.php@f:1","bb.php@g:2"]"#.into(),
            ctx,
        );
        assert_eq!(message(&out), "true true 2 9,10 a.php@f:1|bb.php@g:2");
        // Outside a lazy check the native answers an empty stack.
        let out = e.check_with_stack(CheckType::Sql, r#"{"query":"read"}"#, "", 1, || "{}".into());
        assert_eq!(message(&out), "[][]");
    }

    #[test]
    fn lazy_context_is_fetched_once_per_request_and_only_when_read() {
        let src = r#"
            const p = new RASP('ctx');
            let kept = null;
            p.register('sql', function (params, context) {
                switch (params.query) {
                case 'skip': return null;
                case 'keys': return { action: 'log', message: Object.keys(context).join(',') };
                case 'read': kept = context;
                    return { action: 'log', message: context.parameter.id[0] + ' ' + JSON.stringify(context.get_all_parameter()) };
                case 'dump': return { action: 'log', message: JSON.stringify(context) };
                case 'set': context.method = 'x'; context.extra = 1;
                    return { action: 'log', message: context.method + context.extra + context.url };
                case 'keep': kept = context; return null;
                case 'kept': return { action: 'log', message: JSON.stringify(kept) + ' ' + (kept === context) };
                case 'inputs': return { action: 'log', message: RASP.request_inputs().map(i => i.value).join(',') };
                }
            });
        "#;
        let mut e = engine(src);
        thread_local! { static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) }; }
        let count = || N.with(|n| n.get());
        let ctx = |id: &'static str| {
            move || {
                N.with(|n| n.set(n.get() + 1));
                format!(
                    r#"{{"method":"get","url":"/u","parameter":{{"id":["{id}"]}},"json":{{}}}}"#
                )
            }
        };
        let stack = || "[]".to_string();
        let q = |q: &str| format!(r#"{{"query":"{q}"}}"#);
        let out = e.check_lazy(CheckType::Sql, &q("skip"), 1, stack, ctx("1"));
        assert!(out.verdicts.is_empty() && out.fault.is_none(), "{out:?}");
        assert_eq!(count(), 0, "no handler read the context");
        let out = e.check_lazy(CheckType::Sql, &q("read"), 1, stack, ctx("1"));
        assert_eq!(message(&out), r#"1 {"id":["1"]}"#);
        let out = e.check_lazy(CheckType::Sql, &q("dump"), 1, stack, ctx("1"));
        assert!(
            message(&out).contains(r#""parameter":{"id":["1"]}"#),
            "{out:?}"
        );
        assert_eq!(count(), 1, "fetched once for the request");
        let out = e.check_lazy(CheckType::Sql, &q("set"), 1, stack, ctx("1"));
        assert_eq!(message(&out), "x1/u");

        // A new request: the same handler sees the new context, an object
        // kept from the last request reads as empty, not as this one.
        let out = e.check_lazy(CheckType::Sql, &q("kept"), 2, stack, ctx("2"));
        assert_eq!(
            message(&out),
            r#"{"method":"x","url":"/u","parameter":{"id":["1"]},"json":{},"extra":1} false"#
        );
        let out = e.check_lazy(CheckType::Sql, &q("keys"), 2, stack, ctx("2"));
        assert_eq!(message(&out), "method,url,parameter,json");
        let out = e.check_lazy(CheckType::Sql, &q("read"), 3, stack, ctx("3"));
        assert_eq!(message(&out), r#"3 {"id":["3"]}"#);
        // Kept unread in its own request.
        e.check_lazy(CheckType::Sql, &q("keep"), 4, stack, ctx("4"));
        let out = e.check_lazy(CheckType::Sql, &q("kept"), 5, stack, ctx("5"));
        assert_eq!(message(&out), "{} false", "{out:?}");
        assert_eq!(count(), 3);
        // Without the embedder's value list, request_inputs() reads the
        // fetched context.
        let out = e.check_lazy(CheckType::Sql, &q("inputs"), 6, stack, ctx("five"));
        assert_eq!(message(&out), "five");
    }

    #[test]
    fn stack_passed_apart_reads_like_params_stack() {
        let mut e = engine(
            r#"
            const p = new RASP('t');
            p.register('sql', function (params) {
                return { action: 'log', message: JSON.stringify(params.stack) + ' ' + Object.keys(params).join(',') };
            });
            "#,
        );
        let stack = r#"["a.php@f:1","b.php@g:2"]"#;
        let out = e.check_with_stack(CheckType::Sql, r#"{"query":"q"}"#, stack, 1, || "{}".into());
        assert_eq!(message(&out), r#"["a.php@f:1","b.php@g:2"] query,stack"#);
        let out = e.check(
            CheckType::Sql,
            r#"{"query":"q","stack":["c.php@h:3"]}"#,
            1,
            || "{}".into(),
        );
        assert_eq!(message(&out), r#"["c.php@h:3"] query,stack"#);
        // Garbage in the stack never breaks the check.
        let out = e.check_with_stack(CheckType::Sql, r#"{"query":"q"}"#, "not json", 1, || {
            "{}".into()
        });
        assert_eq!(message(&out), "[] query,stack");
    }
}
