//! The writers used inside PHP worker processes.
//!
//! # Why it looks like this
//!
//! php-fpm runs dozens of worker processes that all append to the same four
//! files, and none of them may ever slow down or break a request because of
//! logging. That rules out locks between processes, a logging thread, and
//! rename-based rotation. What is left is the oldest trick there is: every
//! process opens the day's file with `O_APPEND` and writes each complete line
//! with exactly one `write(2)`.
//!
//! # Why lines do not interleave
//!
//! With `O_APPEND` the kernel moves the file offset to the end and writes as
//! one step, so concurrent appenders cannot overwrite each other. Whether the
//! *bytes* of two concurrent writes can mix depends on the write size and the
//! file system:
//!
//! * POSIX promises atomicity only for pipes and FIFOs, up to `PIPE_BUF`
//!   (4096 bytes on Linux). Lines up to 4096 bytes are therefore safe on any
//!   file type.
//! * For regular files on Linux local file systems (ext4, xfs, btrfs, tmpfs),
//!   a buffered `write(2)` holds the inode lock for its whole length, so any
//!   single write is applied whole, whatever its size, up to the kernel's
//!   per-call limit of 0x7ffff000 bytes (2 GiB - 4 KiB). The tests write 64 KiB
//!   lines from several processes to check this on the machine they run on.
//! * A write can still be *short*: when the disk fills up, when `RLIMIT_FSIZE`
//!   is hit, or on NFS (whose `O_APPEND` is emulated on the client and is not
//!   atomic between hosts; do not put the log root on NFS). A short write is
//!   counted as a failure; the writer then makes one more `write(2)` for the
//!   rest, so the line is at least complete, possibly with another line in
//!   between.
//!
//! Larger lines are still written with a single call; nothing here splits a
//! line.
//!
//! # Rotation
//!
//! The file name carries the date (`alarm.log.2026-11-23`). Each write reads
//! the clock, and when the day number differs from the one of the open file,
//! the writer opens the new day's file. Every ten seconds it also checks that
//! the path still names the open file (someone may have deleted or moved it)
//! and reopens if not. Old files are removed by [`crate::prune`], which the
//! agent runs.
//!
//! # Failures
//!
//! Nothing here panics or blocks on a failure. A line that cannot be written
//! is counted; the first failure, and after that a summary at most once per
//! report interval (60 s by default), goes to the fallback — standard error,
//! which php-fpm collects into its error log when `catch_workers_output` is
//! on. After a failed open, the writer waits a second before opening again,
//! counting the lines in between as failed. [`Logs::status`] exposes the
//! counters for `php --ri`.
//!
//! # Rate limiting
//!
//! Each log has a token bucket per process ([`crate::RateLimit`]). A
//! suppressed line costs a clock read and is counted. The next line written
//! to that log reports the count: JSON lines get a `"suppressed_lines": N`
//! key, the text plugin log gets a line of its own before it (in the same
//! `write(2)`). If no line follows, [`Logs::tick`] writes a summary to the
//! rasp log once the count is a report interval old.

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::clock::{unix_parts, Clock, EventTime, LogZone, SystemClock, TimeCache};
use crate::config::{LogConfig, RateLimit};
use crate::event::{Alarm, AlarmLine, Policy, PolicyLine, RequestInfo, ServerInfo};
use crate::files::{create_dir, logs_dir, open_append, LogKind};

/// How often an open file is checked against its path.
const IDENTITY_CHECK_SECS: i64 = 10;
/// How long to wait after a failed open before trying again.
const REOPEN_BACKOFF_SECS: i64 = 1;
/// Line buffers larger than this are shrunk back after use.
const BUF_KEEP: usize = 256 << 10;

/// What became of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Written with one `write(2)`.
    Written,
    /// Dropped by the rate limit (counted, reported later).
    Suppressed,
    /// Could not be written (counted, reported to the fallback).
    Failed,
}

/// Receives failure reports (one line of text each). The default writes to
/// standard error.
pub type Fallback = Arc<dyn Fn(&str) + Send + Sync>;

fn stderr_fallback() -> Fallback {
    Arc::new(|msg: &str| {
        let _ = writeln!(io::stderr().lock(), "{msg}");
    })
}

/// Counters and health of one log in this process, for `php --ri`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogStatus {
    /// Which log.
    pub kind: LogKind,
    /// The directory of the log.
    pub dir: PathBuf,
    /// The file currently open, if any.
    pub current_file: Option<PathBuf>,
    /// Lines written by this process.
    pub lines_written: u64,
    /// Bytes written by this process.
    pub bytes_written: u64,
    /// Lines dropped by the rate limit.
    pub lines_suppressed: u64,
    /// Lines lost to write failures.
    pub lines_failed: u64,
    /// The last failure, with the path.
    pub last_error: Option<String>,
    /// False while writing fails (until a line is written again).
    pub healthy: bool,
}

/// The four logs of one root directory, shared by every thread of a process.
///
/// ```no_run
/// use rasp_log::{Alarm, LogConfig, Logs, RequestInfo, ServerInfo};
///
/// let logs = Logs::open("/var/lib/php-rasp", &LogConfig::default(), ServerInfo::new("8.3.14"));
/// let alarm = Alarm { attack_type: "sql".into(), ..Alarm::default() };
/// logs.alarm(&alarm, Some(&RequestInfo::default()));
/// ```
pub struct Logs {
    logs_dir: PathBuf,
    server: ServerInfo,
    clock: Arc<dyn Clock>,
    fallback: Fallback,
    report_secs: i64,
    writers: [Writer; 4],
}

impl fmt::Debug for Logs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logs")
            .field("logs_dir", &self.logs_dir)
            .finish_non_exhaustive()
    }
}

/// Builds [`Logs`] with a non-default clock, zone or fallback.
pub struct LogsBuilder {
    root: PathBuf,
    config: LogConfig,
    server: ServerInfo,
    clock: Arc<dyn Clock>,
    zone: Option<LogZone>,
    fallback: Fallback,
    report_interval: Duration,
}

impl LogsBuilder {
    /// The `log:` configuration (default: [`LogConfig::default`]).
    pub fn config(mut self, config: &LogConfig) -> LogsBuilder {
        self.config = config.clone();
        self
    }

    /// Server facts written into every alarm and policy line.
    pub fn server(mut self, server: ServerInfo) -> LogsBuilder {
        self.server = server;
        self
    }

    /// Where "now" comes from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> LogsBuilder {
        self.clock = clock;
        self
    }

    /// The zone that names days (default: from `config.utc`).
    pub fn zone(mut self, zone: LogZone) -> LogsBuilder {
        self.zone = Some(zone);
        self
    }

    /// Where failure reports go (default: standard error).
    pub fn fallback(mut self, fallback: Fallback) -> LogsBuilder {
        self.fallback = fallback;
        self
    }

    /// How often failures and suppressions are summarized (default 60 s,
    /// minimum 1 s).
    pub fn report_interval(mut self, interval: Duration) -> LogsBuilder {
        self.report_interval = interval;
        self
    }

    /// Creates the directories (best effort: a failure here is reported by
    /// the first write) and returns the logs. Never fails.
    pub fn build(self) -> Logs {
        let logs_dir = logs_dir(&self.root);
        let zone = self
            .zone
            .unwrap_or_else(|| LogZone::from_utc_flag(self.config.utc));
        let writer = |kind: LogKind| {
            let dir = kind.dir(&logs_dir);
            let _ = create_dir(&dir);
            Writer::new(kind, dir, zone.clone(), self.config.rate_limit.get(kind))
        };
        let writers = [
            writer(LogKind::Alarm),
            writer(LogKind::Policy),
            writer(LogKind::Plugin),
            writer(LogKind::Rasp),
        ];
        Logs {
            logs_dir,
            server: self.server,
            clock: self.clock,
            fallback: self.fallback,
            report_secs: i64::try_from(self.report_interval.as_secs())
                .unwrap_or(i64::MAX)
                .max(1),
            writers,
        }
    }
}

impl Logs {
    /// Opens the logs under `<root_dir>/logs/` with the system clock and the
    /// zone from `config.utc`. Never fails; see [`Logs::status`].
    pub fn open(root_dir: impl AsRef<Path>, config: &LogConfig, server: ServerInfo) -> Logs {
        Logs::builder(root_dir)
            .config(config)
            .server(server)
            .build()
    }

    /// A builder for tests and special cases.
    pub fn builder(root_dir: impl AsRef<Path>) -> LogsBuilder {
        LogsBuilder {
            root: root_dir.as_ref().to_path_buf(),
            config: LogConfig::default(),
            server: ServerInfo::default(),
            clock: Arc::new(SystemClock),
            zone: None,
            fallback: stderr_fallback(),
            report_interval: Duration::from_secs(60),
        }
    }

    /// `<root>/logs`.
    pub fn logs_dir(&self) -> &Path {
        &self.logs_dir
    }

    /// The server facts given at open.
    pub fn server(&self) -> &ServerInfo {
        &self.server
    }

    fn writer(&self, kind: LogKind) -> &Writer {
        &self.writers[kind.index()]
    }

    /// Writes one alarm. `request` is `None` outside a request (CLI): the
    /// request keys are then written empty.
    pub fn alarm(&self, alarm: &Alarm, request: Option<&RequestInfo>) -> WriteOutcome {
        let empty;
        let request = match request {
            Some(r) => r,
            None => {
                empty = RequestInfo::default();
                &empty
            }
        };
        let server = &self.server;
        self.write_json(LogKind::Alarm, |time| {
            AlarmLine::new(time, alarm, request, server)
        })
    }

    /// Writes one policy event; request keys are present only with a request.
    pub fn policy(&self, policy: &Policy, request: Option<&RequestInfo>) -> WriteOutcome {
        let server = &self.server;
        self.write_json(LogKind::Policy, |time| {
            PolicyLine::new(time, policy, request, server)
        })
    }

    /// Writes one plugin message as a text line:
    /// `2026-11-23T16:45:46.123+00:00 [plugin_name] message`. Newlines,
    /// carriage returns and other control characters in either part are
    /// escaped (`\n`, `\r`, `\x00`), so a message is always one line.
    pub fn plugin(&self, plugin_name: &str, message: &str) -> WriteOutcome {
        let now = self.clock.now();
        self.writer(LogKind::Plugin).write(now, self, |buf, time, suppressed| {
            if suppressed > 0 {
                buf.extend_from_slice(time.as_str().as_bytes());
                buf.extend_from_slice(
                    format!(" [php-rasp] {suppressed} plugin log line(s) suppressed by rate limit\n").as_bytes(),
                );
            }
            buf.extend_from_slice(time.as_str().as_bytes());
            buf.extend_from_slice(b" [");
            escape_text(buf, plugin_name);
            buf.extend_from_slice(b"] ");
            escape_text(buf, message);
            buf.push(b'\n');
            true
        })
    }

    /// Writes one diagnostic line to the rasp log (what [`crate::RaspLayer`]
    /// calls): `{"time","level","target","message","fields","pid"}`.
    pub fn rasp(
        &self,
        level: tracing::Level,
        target: &str,
        message: &str,
        fields: &Map<String, Value>,
    ) -> WriteOutcome {
        let now = self.clock.now();
        self.writer(LogKind::Rasp)
            .write(now, self, |buf, time, suppressed| {
                rasp_json(
                    buf,
                    time,
                    level.as_str(),
                    target,
                    message,
                    fields,
                    suppressed,
                )
            })
    }

    fn write_json<T: serde::Serialize>(
        &self,
        kind: LogKind,
        line: impl FnOnce(EventTime) -> T,
    ) -> WriteOutcome {
        let now = self.clock.now();
        self.writer(kind).write(now, self, |buf, time, suppressed| {
            if serde_json::to_writer(&mut *buf, &line(*time)).is_err() {
                return false;
            }
            finish_json(buf, suppressed)
        })
    }

    /// Housekeeping; cheap when there is nothing to do. Call it now and then
    /// (at request shutdown, or from a timer): it reports suppression counts
    /// that no later line has reported to the rasp log, and write failures
    /// not yet reported to the fallback, each at most once per report
    /// interval.
    pub fn tick(&self) {
        let now = self.clock.now();
        let (secs, _) = unix_parts(now);
        for kind in LogKind::ALL {
            let w = self.writer(kind);
            let pending = {
                let mut st = w.lock();
                w.report_failures(&mut st, secs, self, false);
                if st.pending_suppressed > 0
                    && secs.saturating_sub(st.suppressed_since) >= self.report_secs
                {
                    std::mem::take(&mut st.pending_suppressed)
                } else {
                    0
                }
            };
            if pending > 0 {
                let mut fields = Map::new();
                fields.insert("log".into(), Value::from(kind.as_str()));
                fields.insert("suppressed_lines".into(), Value::from(pending));
                let msg = format!("{pending} {kind} log line(s) suppressed by rate limit");
                // The summary itself is never rate limited.
                self.writer(LogKind::Rasp)
                    .write_unlimited(now, self, |buf, time, _| {
                        rasp_json(buf, time, "WARN", "rasp_log", &msg, &fields, 0)
                    });
            }
        }
    }

    /// Counters and health of the four logs in this process.
    pub fn status(&self) -> Vec<LogStatus> {
        LogKind::ALL
            .iter()
            .map(|&kind| {
                let w = self.writer(kind);
                let st = w.lock();
                LogStatus {
                    kind,
                    dir: w.dir.clone(),
                    current_file: st.file.as_ref().map(|f| f.path.clone()),
                    lines_written: st.lines_written,
                    bytes_written: st.bytes_written,
                    lines_suppressed: st.lines_suppressed,
                    lines_failed: st.lines_failed,
                    last_error: st.last_error.clone(),
                    healthy: !st.failing,
                }
            })
            .collect()
    }
}

/// Closes a serialized JSON object, adding `suppressed_lines` if needed, and
/// the newline.
fn finish_json(buf: &mut Vec<u8>, suppressed: u64) -> bool {
    if buf.last() != Some(&b'}') {
        return false;
    }
    if suppressed > 0 {
        buf.pop();
        let sep = if buf.last() == Some(&b'{') { "" } else { "," };
        buf.extend_from_slice(format!("{sep}\"suppressed_lines\":{suppressed}}}").as_bytes());
    }
    buf.push(b'\n');
    true
}

#[derive(serde::Serialize)]
struct RaspLine<'a> {
    time: EventTime,
    level: &'a str,
    target: &'a str,
    message: &'a str,
    fields: &'a Map<String, Value>,
    pid: u32,
}

fn rasp_json(
    buf: &mut Vec<u8>,
    time: &EventTime,
    level: &str,
    target: &str,
    message: &str,
    fields: &Map<String, Value>,
    suppressed: u64,
) -> bool {
    let line = RaspLine {
        time: *time,
        level,
        target,
        message,
        fields,
        pid: std::process::id(),
    };
    if serde_json::to_writer(&mut *buf, &line).is_err() {
        return false;
    }
    finish_json(buf, suppressed)
}

/// Appends `s` with control characters escaped, so it stays on one line.
fn escape_text(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 || b == 0x7f {
            buf.extend_from_slice(&bytes[start..i]);
            match b {
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b'\t' => buf.push(b'\t'),
                _ => buf.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            }
            start = i + 1;
        }
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Token bucket over the writer's clock.
#[derive(Debug)]
struct TokenBucket {
    burst: f64,
    rate: f64,
    tokens: f64,
    last: Option<(i64, u32)>,
}

impl TokenBucket {
    fn new(limit: RateLimit) -> TokenBucket {
        let rate = if limit.per_second.is_finite() {
            limit.per_second.max(0.0)
        } else {
            0.0
        };
        let burst = f64::from(limit.burst);
        TokenBucket {
            burst,
            rate,
            tokens: burst,
            last: None,
        }
    }

    fn take(&mut self, secs: i64, nanos: u32) -> bool {
        if self.burst == 0.0 {
            return true;
        }
        if let Some((ls, ln)) = self.last {
            let elapsed = (secs - ls) as f64 + (f64::from(nanos) - f64::from(ln)) / 1e9;
            if elapsed > 0.0 {
                self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
                self.last = Some((secs, nanos));
            }
        } else {
            self.last = Some((secs, nanos));
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Debug)]
struct OpenFile {
    file: File,
    day: i64,
    path: PathBuf,
    dev: u64,
    ino: u64,
    next_check: i64,
}

#[derive(Debug)]
struct WriterState {
    time: TimeCache,
    file: Option<OpenFile>,
    retry_after: i64,
    bucket: TokenBucket,
    buf: Vec<u8>,
    pending_suppressed: u64,
    suppressed_since: i64,
    lines_written: u64,
    bytes_written: u64,
    lines_suppressed: u64,
    lines_failed: u64,
    last_error: Option<String>,
    failing: bool,
    unreported_failures: u64,
    next_report: i64,
}

struct Writer {
    kind: LogKind,
    dir: PathBuf,
    state: Mutex<WriterState>,
}

impl Writer {
    fn new(kind: LogKind, dir: PathBuf, zone: LogZone, limit: RateLimit) -> Writer {
        Writer {
            kind,
            dir,
            state: Mutex::new(WriterState {
                time: TimeCache::new(zone),
                file: None,
                retry_after: i64::MIN,
                bucket: TokenBucket::new(limit),
                buf: Vec::with_capacity(4096),
                pending_suppressed: 0,
                suppressed_since: 0,
                lines_written: 0,
                bytes_written: 0,
                lines_suppressed: 0,
                lines_failed: 0,
                last_error: None,
                failing: false,
                unreported_failures: 0,
                next_report: i64::MIN,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        // A panic while holding the lock cannot leave the state unusable
        // (every field is valid at every point), so poisoning is ignored.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write(
        &self,
        now: SystemTime,
        logs: &Logs,
        build: impl FnOnce(&mut Vec<u8>, &EventTime, u64) -> bool,
    ) -> WriteOutcome {
        self.write_inner(now, logs, true, build)
    }

    fn write_unlimited(
        &self,
        now: SystemTime,
        logs: &Logs,
        build: impl FnOnce(&mut Vec<u8>, &EventTime, u64) -> bool,
    ) -> WriteOutcome {
        self.write_inner(now, logs, false, build)
    }

    fn write_inner(
        &self,
        now: SystemTime,
        logs: &Logs,
        limited: bool,
        build: impl FnOnce(&mut Vec<u8>, &EventTime, u64) -> bool,
    ) -> WriteOutcome {
        let mut guard = self.lock();
        let st = &mut *guard;
        let stamp = st.time.stamp(now);
        if limited && !st.bucket.take(stamp.secs, stamp.nanos) {
            if st.pending_suppressed == 0 {
                st.suppressed_since = stamp.secs;
            }
            st.pending_suppressed += 1;
            st.lines_suppressed += 1;
            return WriteOutcome::Suppressed;
        }
        if let Err(e) = self.ensure_file(st, stamp.day(), stamp.secs) {
            self.fail(st, e, stamp.secs, logs);
            return WriteOutcome::Failed;
        }
        let time = st.time.format(&stamp);
        let mut buf = std::mem::take(&mut st.buf);
        buf.clear();
        let pending = if limited { st.pending_suppressed } else { 0 };
        let outcome = if !build(&mut buf, &time, pending) {
            self.fail(
                st,
                Some("could not serialize the line".to_string()),
                stamp.secs,
                logs,
            );
            WriteOutcome::Failed
        } else {
            match st.file.as_ref().map(|f| write_line(&f.file, &buf)) {
                Some(Ok(())) => {
                    st.lines_written += 1;
                    st.bytes_written += buf.len() as u64;
                    if limited {
                        st.pending_suppressed = 0;
                    }
                    if st.failing {
                        st.failing = false;
                        self.report_failures(st, stamp.secs, logs, true);
                    }
                    WriteOutcome::Written
                }
                Some(Err(e)) => {
                    let path = st
                        .file
                        .as_ref()
                        .map(|f| f.path.display().to_string())
                        .unwrap_or_default();
                    self.fail(st, Some(format!("{path}: {e}")), stamp.secs, logs);
                    WriteOutcome::Failed
                }
                None => {
                    self.fail(st, None, stamp.secs, logs);
                    WriteOutcome::Failed
                }
            }
        };
        if buf.capacity() > BUF_KEEP {
            buf = Vec::with_capacity(4096);
        }
        st.buf = buf;
        outcome
    }

    /// Makes `st.file` the open file of `day`. `Err(None)` means "still
    /// backing off after a failure"; `Err(Some(msg))` is a new failure.
    fn ensure_file(&self, st: &mut WriterState, day: i64, secs: i64) -> Result<(), Option<String>> {
        if let Some(f) = &mut st.file {
            if f.day == day {
                if secs < f.next_check {
                    return Ok(());
                }
                f.next_check = secs.saturating_add(IDENTITY_CHECK_SECS);
                match std::fs::metadata(&f.path) {
                    Ok(m) if m.dev() == f.dev && m.ino() == f.ino => return Ok(()),
                    _ => {} // deleted or replaced: reopen below
                }
            }
        }
        st.file = None;
        if secs < st.retry_after {
            return Err(None);
        }
        let date = st.time.date_of_day(day);
        let name = self
            .kind
            .file_name(std::str::from_utf8(&date).unwrap_or("1970-01-01"));
        let path = self.dir.join(name);
        let opened = match open_append(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_dir(&self.dir).and_then(|()| open_append(&path))
            }
            other => other,
        };
        let opened = opened.and_then(|file| file.metadata().map(|m| (file, m)));
        match opened {
            Ok((file, meta)) => {
                st.file = Some(OpenFile {
                    file,
                    day,
                    path,
                    dev: meta.dev(),
                    ino: meta.ino(),
                    next_check: secs.saturating_add(IDENTITY_CHECK_SECS),
                });
                Ok(())
            }
            Err(e) => {
                st.retry_after = secs.saturating_add(REOPEN_BACKOFF_SECS);
                Err(Some(format!("{}: {e}", path.display())))
            }
        }
    }

    fn fail(&self, st: &mut WriterState, error: Option<String>, secs: i64, logs: &Logs) {
        st.lines_failed += 1;
        st.unreported_failures += 1;
        st.failing = true;
        if let Some(e) = error {
            st.last_error = Some(e);
        }
        self.report_failures(st, secs, logs, false);
    }

    /// Sends a failure summary to the fallback if there is something to
    /// report and the report interval allows it.
    fn report_failures(&self, st: &mut WriterState, secs: i64, logs: &Logs, recovered: bool) {
        if secs < st.next_report || (st.unreported_failures == 0 && !recovered) {
            return;
        }
        let kind = self.kind;
        let n = std::mem::take(&mut st.unreported_failures);
        let msg = match (&st.last_error, recovered) {
            (_, true) if n == 0 => format!("php-rasp: {kind} log: writing works again"),
            (Some(e), true) => {
                format!("php-rasp: {kind} log: {n} line(s) lost ({e}); writing works again")
            }
            (Some(e), false) => format!("php-rasp: {kind} log: {n} line(s) lost; last error: {e}"),
            (None, _) => format!("php-rasp: {kind} log: {n} line(s) lost"),
        };
        st.next_report = secs.saturating_add(logs.report_secs);
        (logs.fallback)(&msg);
    }
}

/// One `write(2)` of the whole line; see the module docs for what happens on
/// a short write.
fn write_line(mut file: &File, line: &[u8]) -> io::Result<()> {
    let n = match file.write(line) {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => file.write(line)?,
        Err(e) => return Err(e),
    };
    if n == line.len() {
        return Ok(());
    }
    let rest = &line[n..];
    let detail = match (n, file.write(rest)) {
        (0, _) => "wrote nothing".to_string(),
        (_, Ok(m)) if m == rest.len() => format!(
            "short write ({n} of {} bytes; completed by a second write)",
            line.len()
        ),
        (_, Ok(m)) => format!("short write ({} of {} bytes)", n + m, line.len()),
        (_, Err(e)) => format!("short write ({n} of {} bytes), then: {e}", line.len()),
    };
    Err(io::Error::new(io::ErrorKind::WriteZero, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape() {
        let mut buf = Vec::new();
        escape_text(&mut buf, "a\nb\r\0c\td\u{7f}é");
        assert_eq!(String::from_utf8(buf).unwrap(), "a\\nb\\r\\x00c\td\\x7fé");
    }

    #[test]
    fn finish() {
        let mut buf = b"{\"a\":1}".to_vec();
        assert!(finish_json(&mut buf, 3));
        assert_eq!(buf, b"{\"a\":1,\"suppressed_lines\":3}\n");
        let mut buf = b"{}".to_vec();
        assert!(finish_json(&mut buf, 2));
        assert_eq!(buf, b"{\"suppressed_lines\":2}\n");
    }

    #[test]
    fn bucket() {
        let mut b = TokenBucket::new(RateLimit {
            burst: 3,
            per_second: 2.0,
        });
        assert!(b.take(100, 0) && b.take(100, 0) && b.take(100, 0));
        assert!(!b.take(100, 1));
        assert!(!b.take(100, 400_000_000));
        assert!(b.take(100, 600_000_000)); // 0.6 s * 2/s = 1.2 tokens
        assert!(!b.take(100, 700_000_000));
        assert!(b.take(110, 0) && b.take(110, 0) && b.take(110, 0)); // refilled, capped at burst
        assert!(!b.take(110, 0));
        assert!(!b.take(50, 0)); // time going backwards adds nothing
        let mut off = TokenBucket::new(RateLimit {
            burst: 0,
            per_second: 0.0,
        });
        assert!((0..10_000).all(|_| off.take(0, 0)));
    }
}
