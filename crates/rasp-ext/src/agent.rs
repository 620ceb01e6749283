//! The agent: one process per PHP master that builds what workers run.
//!
//! MINIT (php-fpm master, Apache parent) maps the shared segment, opens a
//! *lifeline* pipe and forks a small supervisor, which forks the agent and
//! forks it again whenever it dies. The agent watches `<root>/plugins` and
//! `<root>/conf`, builds a V8 snapshot of the plugins, the whitelist and the
//! validated rasp.yml, and publishes them as a new generation (`shm.rs`).
//!
//! Why a lifeline and not only a parent-death signal: php-fpm daemonises
//! *after* MINIT, so the process that forked us exits at once. The master
//! and every worker inherit the pipe's write end (close-on-exec, so commands
//! PHP runs do not keep it); when the last of them is gone, a read on the
//! other end returns EOF and supervisor and agent exit. The agent also has
//! PR_SET_PDEATHSIG towards the supervisor.
//!
//! The children never return into PHP: they reset the signal handlers they
//! inherited (php-fpm's would write into the master's signal pipe), close
//! inherited descriptors, and leave with `_exit`.

use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rasp_core::bundle::{self, Bundle};
use rasp_core::{CheckTypeSet, RaspConfig};

use crate::logs;
use crate::shm::{Publication, Segment};

static SEGMENT: OnceLock<Segment> = OnceLock::new();
static SUPERVISOR_PID: AtomicI32 = AtomicI32::new(0);

/// The shared segment, when this process (or its parent) runs an agent.
pub fn segment() -> Option<&'static Segment> {
    let seg = SEGMENT.get()?;
    if seg.valid() {
        return Some(seg);
    }
    // Mapped but its header is damaged: say so once per process, then work
    // without the agent (standalone mode).
    static REPORTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    if REPORTED.swap(std::process::id(), Ordering::Relaxed) != std::process::id() {
        logs::rasp("error", "the shared memory segment header is damaged; this process loads plugins itself and no longer follows the agent");
    }
    None
}

pub fn supervisor_pid() -> i32 {
    SUPERVISOR_PID.load(Ordering::Relaxed)
}

/// What one build produced, ready to publish (or to use in-process).
pub struct Build {
    pub snapshot: rasp_v8::Snapshot,
    pub config_text: String,
    pub whitelist: Vec<u8>,
    pub types: CheckTypeSet,
    pub info_json: String,
    /// Plugins left out because they failed to load, one message each.
    pub skipped: Vec<String>,
}

/// Validates the config and builds snapshot and whitelist from a bundle.
pub fn build(bundle: &Bundle) -> Result<Build, String> {
    let text = bundle.config.clone().unwrap_or_default();
    let config = RaspConfig::parse(&text).map_err(|e| format!("conf/rasp.yml rejected:\n{e}"))?;
    let whitelist = rasp_whitelist::from_config(&config.whitelist)
        .map_err(|e| format!("conf/rasp.yml rejected:\n{e}"))?;
    let plugins: Vec<rasp_v8::PluginSource> = bundle
        .plugins
        .iter()
        .map(|p| rasp_v8::PluginSource {
            name: p.name.clone(),
            source: p.source.clone(),
        })
        .collect();
    let (snapshot, skipped) =
        rasp_v8::Snapshot::build_lenient(&plugins, &crate::runtime::engine_options(&config))
            .map_err(|e| e.to_string())?;
    let info = snapshot.info();
    let info_json = serde_json::json!({
        "plugins": info.plugins.iter().map(|p| serde_json::json!({"name": p.name, "version": p.version})).collect::<Vec<_>>(),
    })
    .to_string();
    Ok(Build {
        skipped: skipped
            .into_iter()
            .map(|s| format!("plugin {} not loaded, the others are: {}", s.name, s.error))
            .collect(),
        types: info.types,
        snapshot,
        config_text: text,
        whitelist: whitelist.to_bytes(),
        info_json,
    })
}

fn set_process_name(name: &str) {
    let mut buf = [0u8; 16];
    let n = name.len().min(15);
    buf[..n].copy_from_slice(&name.as_bytes()[..n]);
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, buf.as_ptr() as libc::c_ulong, 0, 0, 0) };
}

/// In a freshly forked child: default signal handlers, nothing blocked,
/// stdin from /dev/null, every inherited descriptor closed but `keep`.
fn child_setup(keep: &[RawFd]) {
    // SAFETY: plain libc calls in a single-threaded child right after fork.
    unsafe {
        for sig in 1..32 {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if devnull >= 0 {
            libc::dup2(devnull, 0);
            if devnull > 2 {
                libc::close(devnull);
            }
        }
    }
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        let fds: Vec<RawFd> = dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        for fd in fds {
            if fd > 2 && !keep.contains(&fd) {
                // SAFETY: closing a descriptor inherited from PHP that we never use.
                unsafe { libc::close(fd) };
            }
        }
    }
}

/// True once every holder of the lifeline's write end is gone.
fn lifeline_closed(fd: RawFd, wait_ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: polling one valid descriptor with a stack pollfd.
    let n = unsafe { libc::poll(&mut p, 1, wait_ms) };
    if n <= 0 {
        return false;
    }
    if p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return true;
    }
    let mut b = [0u8; 64];
    // SAFETY: reading into a stack buffer; 0 means EOF.
    unsafe { libc::read(fd, b.as_mut_ptr() as *mut _, b.len()) == 0 }
}

/// A supervisor or agent started as root takes the identity of the owner of
/// `<root>/logs`: the files it creates must stay writable by the workers,
/// and a long-lived helper has no business keeping root.
fn drop_privileges(root: &Path) {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    let Ok(meta) = std::fs::metadata(root.join("logs")) else {
        return;
    };
    let (uid, gid) = (meta.uid(), meta.gid());
    if uid == 0 {
        return;
    }
    // SAFETY: dropping supplementary groups, then gid, then uid, in the
    // order that keeps each step permitted.
    let ok = unsafe {
        libc::setgroups(0, std::ptr::null()) == 0
            && libc::setgid(gid) == 0
            && libc::setuid(uid) == 0
    };
    if !ok {
        eprintln!(
            "php-rasp: agent could not switch to uid {uid}/gid {gid}; it keeps running as root"
        );
    }
}

fn exit_now(code: i32) -> ! {
    // SAFETY: _exit skips atexit handlers and PHP's shutdown, which belong to
    // the process we were forked from.
    unsafe { libc::_exit(code) }
}

/// MINIT: create the segment and start the supervisor. Returns false when
/// this SAPI or environment should run without an agent.
pub fn start(root: &Path) -> bool {
    if SEGMENT.get().is_some() {
        return true; // php-fpm reload in the same process: the segment survives
    }
    let seg = match Segment::create() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("php-rasp: cannot map shared memory ({e}); running without an agent");
            return false;
        }
    };
    let _ = SEGMENT.set(seg);
    let Some(seg) = segment() else { return false };
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 fills two descriptors; close-on-exec so commands run by
    // PHP never hold the lifeline.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        eprintln!("php-rasp: cannot create the agent lifeline pipe; running without an agent");
        return false;
    }
    let (read_end, write_end) = (fds[0], fds[1]);
    // SAFETY: MINIT runs single-threaded; the child only runs Rust code below.
    match unsafe { libc::fork() } {
        0 => {
            // SAFETY: closing our copy of the write end (the parent keeps one).
            unsafe { libc::close(write_end) };
            child_setup(&[read_end]);
            drop_privileges(root);
            set_process_name("rasp-supervisor");
            supervise(seg, root.to_path_buf(), read_end)
        }
        -1 => {
            eprintln!("php-rasp: cannot fork the agent supervisor; running without an agent");
            false
        }
        pid => {
            SUPERVISOR_PID.store(pid, Ordering::Relaxed);
            // The master keeps the write end for its lifetime; workers inherit it.
            // SAFETY: the read end is only needed by the supervisor.
            unsafe { libc::close(read_end) };
            true
        }
    }
}

fn supervise(seg: &'static Segment, root: PathBuf, lifeline: RawFd) -> ! {
    let mut backoff = Duration::from_millis(200);
    loop {
        let started = Instant::now();
        // SAFETY: the supervisor is single-threaded; the child runs agent_main.
        let agent = unsafe { libc::fork() };
        if agent == 0 {
            // No parent-death signal: the agent follows PHP through the
            // lifeline, and if only the supervisor dies (killed), reload and
            // shipping go on; agent_main reports the loss of its restarter.
            set_process_name("rasp-agent");
            agent_main(seg, &root, lifeline);
        }
        if agent < 0 {
            std::thread::sleep(backoff);
            continue;
        }
        seg.set_agent_pid(agent as u32);
        loop {
            if lifeline_closed(lifeline, 500) {
                // SAFETY: signalling and reaping our own child.
                unsafe {
                    libc::kill(agent, libc::SIGTERM);
                    libc::waitpid(agent, std::ptr::null_mut(), 0);
                }
                exit_now(0);
            }
            let mut status = 0;
            // SAFETY: non-blocking reap of our own child.
            if unsafe { libc::waitpid(agent, &mut status, libc::WNOHANG) } == agent {
                let how = if libc::WIFSIGNALED(status) {
                    format!("killed by signal {}", libc::WTERMSIG(status))
                } else {
                    format!("exit status {}", libc::WEXITSTATUS(status))
                };
                // An agent that lived a while restarts at once; a crashing one backs off.
                backoff = if started.elapsed() > Duration::from_secs(30) {
                    Duration::from_millis(200)
                } else {
                    (backoff * 2).min(Duration::from_secs(30))
                };
                logs::rasp_at(
                    &root,
                    "error",
                    &format!(
                        "agent (pid {agent}) stopped ({how}); restarting in {} ms",
                        backoff.as_millis()
                    ),
                );
                seg.note_restart();
                break;
            }
        }
        std::thread::sleep(backoff);
    }
}

/// How often the agent looks for work when nothing happens.
const TICK: Duration = Duration::from_millis(250);
/// Quiet time after the last file event before a rebuild.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The log settings the shipping thread works with, and a change counter.
type ShipConfig = std::sync::Arc<std::sync::Mutex<(u64, rasp_log::LogConfig)>>;

/// Ships alarm and policy lines to the configured collectors and prunes old
/// files, off the request path. The files are the spool: a collector that is
/// down only delays delivery (see rasp-log's Shipper).
fn ship_loop(root: PathBuf, config: ShipConfig) {
    let mut version = u64::MAX;
    let mut shippers: Vec<rasp_log::Shipper> = Vec::new();
    let mut last_prune: Option<Instant> = None;
    let mut down_reported = std::collections::HashSet::new();
    loop {
        let (v, cfg) = {
            let g = config.lock().unwrap_or_else(|e| e.into_inner());
            (g.0, g.1.clone())
        };
        if v != version {
            version = v;
            shippers.clear();
            for sink in cfg.usable_sinks() {
                match rasp_log::Shipper::new(&root, sink) {
                    Ok(s) => shippers.push(s),
                    Err(errs) => {
                        for e in errs {
                            logs::rasp_at(&root, "error", &format!("log sink not started: {e}"));
                        }
                    }
                }
            }
        }
        let mut more = false;
        for (i, s) in shippers.iter_mut().enumerate() {
            let r = s.poll_once();
            more |= r.more;
            if let Some(e) = &r.error {
                if down_reported.insert(i) {
                    logs::rasp_at(
                        &root,
                        "warning",
                        &format!("log sink {i}: {e}; lines stay in the spool until it is back"),
                    );
                }
            } else if r.connected && down_reported.remove(&i) {
                logs::rasp_at(&root, "info", &format!("log sink {i} is reachable again"));
            }
        }
        if last_prune.map_or(true, |t| t.elapsed() > Duration::from_secs(3600)) {
            last_prune = Some(Instant::now());
            let r = rasp_log::prune(&root, &cfg);
            for e in r.errors {
                logs::rasp_at(&root, "warning", &format!("log retention: {e}"));
            }
        }
        if !more {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn agent_main(seg: &'static Segment, root: &Path, lifeline: RawFd) -> ! {
    let mut generation = seg.generation();
    let mut built_hash: Option<u64> = None;
    logs::rasp_at(
        root,
        "info",
        &format!(
            "agent started (pid {}), watching {}",
            std::process::id(),
            root.display()
        ),
    );
    let ship_config: ShipConfig = std::sync::Arc::new(std::sync::Mutex::new((
        0,
        logs::log_config(&crate::state::config()).0,
    )));
    let (ship_root, ship_cfg) = (root.to_path_buf(), ship_config.clone());
    if std::thread::Builder::new()
        .name("rasp-ship".into())
        .spawn(move || ship_loop(ship_root, ship_cfg))
        .is_err()
    {
        logs::rasp_at(
            root,
            "error",
            "cannot start the log shipping thread; alarms stay in the files",
        );
    }
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let _watcher = watch(root, tx);
    let mut dirty = Some(Instant::now() - DEBOUNCE);
    // SAFETY: getppid has no preconditions.
    let supervisor = unsafe { libc::getppid() };
    let mut orphan_reported = false;
    loop {
        seg.heartbeat();
        // SAFETY: as above.
        if !orphan_reported && unsafe { libc::getppid() } != supervisor {
            orphan_reported = true;
            logs::rasp_at(
                root,
                "error",
                &format!("the agent supervisor (pid {supervisor}) is gone; the agent keeps running but will not be restarted if it stops"),
            );
        }
        if lifeline_closed(lifeline, 0) {
            logs::rasp_at(root, "info", "PHP is gone; agent exits");
            exit_now(0);
        }
        match rx.recv_timeout(TICK) {
            Ok(()) => {
                dirty = Some(Instant::now());
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {}
        }
        let Some(since) = dirty else { continue };
        if since.elapsed() < DEBOUNCE {
            continue;
        }
        // Editors write in steps: only build content that reads the same twice.
        let first = bundle::read_bundle(root);
        std::thread::sleep(Duration::from_millis(50));
        let second = bundle::read_bundle(root);
        let bundle = match (first, second) {
            (Ok(a), Ok(b)) if a.content_hash == b.content_hash => b,
            (Ok(_), Ok(_)) => {
                dirty = Some(Instant::now());
                continue;
            }
            (_, Err(e)) | (Err(e), _) => {
                seg.set_last_error(&e);
                logs::rasp_at(
                    root,
                    "error",
                    &format!("{e}; keeping generation {generation}"),
                );
                dirty = None;
                continue;
            }
        };
        dirty = None;
        if built_hash == Some(bundle.content_hash) {
            continue;
        }
        built_hash = Some(bundle.content_hash);
        let t = Instant::now();
        match build(&bundle) {
            Ok(b) => {
                let next = generation + 1;
                let published = seg.publish(&Publication {
                    generation: next,
                    types: b.types.0,
                    snapshot: b.snapshot.as_bytes(),
                    whitelist: &b.whitelist,
                    config: b.config_text.as_bytes(),
                    info: b.info_json.as_bytes(),
                });
                match published {
                    Ok(()) => {
                        generation = next;
                        seg.set_last_error("");
                        if let Ok(cfg) = RaspConfig::parse(&b.config_text) {
                            let (log_cfg, problems) = logs::log_config(&cfg);
                            for p in problems {
                                logs::rasp_at(root, "error", &p);
                            }
                            let mut g = ship_config.lock().unwrap_or_else(|e| e.into_inner());
                            if g.1 != log_cfg {
                                *g = (g.0 + 1, log_cfg);
                            }
                        }
                        for line in &b.snapshot.info().load_logs {
                            logs::plugin_at(root, line);
                        }
                        for msg in &b.skipped {
                            logs::plugin_at(root, msg);
                            logs::rasp_at(root, "error", msg);
                        }
                        logs::rasp_at(
                            root,
                            "info",
                            &format!(
                                "published generation {next}: {} plugin(s), snapshot {} KiB, built in {} ms",
                                bundle.plugins.len(),
                                b.snapshot.as_bytes().len() / 1024,
                                t.elapsed().as_millis()
                            ),
                        );
                    }
                    Err(e) => {
                        seg.set_last_error(&e);
                        logs::rasp_at(
                            root,
                            "error",
                            &format!("{e}; keeping generation {generation}"),
                        );
                    }
                }
            }
            Err(e) => {
                seg.set_last_error(&e);
                logs::rasp_at(
                    root,
                    "error",
                    &format!(
                        "new plugins or config rejected: {e}; keeping generation {generation}"
                    ),
                );
            }
        }
    }
}

/// Watches plugins/ and conf/ (and the root, to notice them being replaced).
/// Falls back to polling when inotify is unavailable or exhausted.
fn watch(root: &Path, tx: std::sync::mpsc::Sender<()>) -> Option<Box<dyn notify::Watcher + Send>> {
    use notify::{RecursiveMode, Watcher};
    let logs_dir = root.join("logs");
    let handler = move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            // Our own log writes are not configuration changes.
            if !ev.paths.is_empty() && ev.paths.iter().all(|p| p.starts_with(&logs_dir)) {
                return;
            }
        }
        let _ = tx.send(());
    };
    let dirs = [
        root.to_path_buf(),
        bundle::plugin_dir(root),
        root.join("conf"),
    ];
    let forced_poll = std::env::var_os("RASP_AGENT_FORCE_POLL").is_some();
    let inotify: Result<Box<dyn Watcher + Send>, String> = if forced_poll {
        Err("RASP_AGENT_FORCE_POLL is set".into())
    } else {
        notify::recommended_watcher(handler.clone())
            .map_err(|e| e.to_string())
            .and_then(|mut w| {
                for d in &dirs {
                    if d.is_dir() {
                        w.watch(d, RecursiveMode::NonRecursive)
                            .map_err(|e| e.to_string())?;
                    }
                }
                Ok(Box::new(w) as Box<dyn Watcher + Send>)
            })
    };
    match inotify {
        Ok(w) => Some(w),
        Err(e) => {
            logs::rasp_at(
                root,
                "warning",
                &format!("file notifications unavailable ({e}); polling every second instead"),
            );
            let cfg = notify::Config::default().with_poll_interval(Duration::from_secs(1));
            let mut w = notify::PollWatcher::new(handler, cfg).ok()?;
            for d in &dirs[1..] {
                let _ = w.watch(d, RecursiveMode::NonRecursive);
            }
            Some(Box::new(w))
        }
    }
}
