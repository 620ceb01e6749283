//! Shipping log lines to a syslog collector, from the agent process.
//!
//! # The files are the spool
//!
//! The PHP workers never talk to a collector: a slow or dead collector must
//! not cost a request anything. They append to the day's files, and a
//! [`Shipper`] in the long-lived agent process tails those files and sends
//! complete lines. Because the data is already on disk, there is no second
//! queue to lose or bound: what has not been shipped is exactly the bytes
//! after the sink's checkpoint: a file name and byte offset per log, kept in
//! `<root>/logs/.ship/<sink>.state` and replaced atomically (write a
//! temporary file, `fsync`, rename) whenever it moves. An unreadable
//! checkpoint counts as absent: shipping starts over from the oldest file,
//! which duplicates, never loses.
//!
//! # The loop
//!
//! [`Shipper::poll_once`] does one round, and never blocks longer than the
//! configured timeouts:
//!
//! 1. List each shipped log's dated files and enforce the spool limit: if the
//!    unshipped bytes exceed `spool_max_bytes`, the oldest unshipped lines are
//!    skipped, counted, and reported (a `WARN` event on the rasp log).
//! 2. Connect if not connected and the reconnect interval has passed.
//! 3. From the checkpoint on, read the files in date order in 64 KiB chunks,
//!    turn each complete line into an RFC 5424 message, and send them in
//!    batches of 64 KiB. A partial last line (a writer mid-`write`, or one
//!    that hit a full disk) is left for the next round. A batch moves the
//!    checkpoint only after it was written and the connection probed alive
//!    (see below); a failed batch drops the connection, and everything after
//!    the checkpoint is sent again after reconnecting.
//! 4. Persist the checkpoint if it moved.
//!
//! A round ships at most a budget of bytes (4 MiB by default) so that the
//! caller regains control; [`ShipReport::more`] says whether to call again
//! at once. [`Shipper::run_until`] is such a loop.
//!
//! # Noticing a dead collector
//!
//! Plain syslog has no acknowledgements, and a `write(2)` to a TCP socket
//! whose peer has closed usually succeeds once: the data lands in the send
//! buffer, and only the peer's reset makes a later call fail. So before and
//! after every batch the connection is probed with a non-blocking read: EOF
//! or an error means the batch does not count as shipped. For UDP the same
//! probe collects the ICMP "port unreachable" errors that the kernel reports
//! on a connected socket, which makes a stopped collector on the same host
//! visible too; over a network UDP stays best effort.
//!
//! # Guarantees
//!
//! * Nothing is lost while the backlog stays within `spool_max_bytes` and
//!   retention ([`crate::prune`]) keeps the files, which it does for files a
//!   sink has not finished, across collector outages and agent restarts.
//! * Delivery is at least once: after a failure or a crash, up to one
//!   round's worth of lines can be sent twice.
//! * Memory is bounded: a chunk, a batch, and one line of at most
//!   [`MAX_LINE`] bytes; longer lines are skipped and counted.
//! * One shipper per sink and root: two agents shipping the same root with
//!   the same sink name would race on the checkpoint.

mod conn;
pub(crate) mod state;
mod syslog;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::clock::{format_rfc3339, Clock, LogZone, SystemClock};
use crate::config::{ConfigError, Framing, SinkConfig, Transport};
use crate::event::system_hostname;
use crate::files::{list_dated, logs_dir, DatedFile, LogKind};

pub use state::Checkpoint;
use state::ShipState;

/// Lines longer than this (1 MiB) are not shipped; they are skipped and
/// counted in [`ShipReport::lines_oversize`].
pub const MAX_LINE: usize = 1 << 20;
/// Read size.
const CHUNK: usize = 64 << 10;

/// What one [`Shipper::poll_once`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipReport {
    /// Connected at the end of the round.
    pub connected: bool,
    /// Lines handed to the collector and checkpointed.
    pub lines_sent: u64,
    /// Bytes of those lines (without newline and syslog header).
    pub bytes_sent: u64,
    /// Lines dropped because the backlog exceeded `spool_max_bytes`, or left
    /// incomplete at the end of a day's file.
    pub lines_dropped: u64,
    /// Bytes of those lines.
    pub bytes_dropped: u64,
    /// UDP messages cut to `udp_max_bytes`.
    pub lines_truncated: u64,
    /// Lines longer than [`MAX_LINE`], skipped.
    pub lines_oversize: u64,
    /// Unshipped bytes after the round (from the file sizes seen at its
    /// start).
    pub backlog_bytes: u64,
    /// The budget ran out with lines left: call again without waiting.
    pub more: bool,
    /// The last problem of the round (connect, send, read, checkpoint).
    pub error: Option<String>,
}

/// Running totals since the shipper was created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipTotals {
    /// See [`ShipReport::lines_sent`].
    pub lines_sent: u64,
    /// See [`ShipReport::bytes_sent`].
    pub bytes_sent: u64,
    /// See [`ShipReport::lines_dropped`].
    pub lines_dropped: u64,
    /// See [`ShipReport::bytes_dropped`].
    pub bytes_dropped: u64,
    /// See [`ShipReport::lines_truncated`].
    pub lines_truncated: u64,
    /// See [`ShipReport::lines_oversize`].
    pub lines_oversize: u64,
    /// Successful connects.
    pub connects: u64,
    /// Connections given up after an error.
    pub disconnects: u64,
}

/// Ships the logs of one root directory to one sink. See the module docs.
///
/// ```no_run
/// use std::sync::atomic::AtomicBool;
/// use rasp_log::{Shipper, SinkConfig};
///
/// let sink = SinkConfig::new("siem", "tcp://127.0.0.1:514");
/// let mut shipper = Shipper::new("/var/lib/php-rasp", &sink).expect("valid sink");
/// let stop = AtomicBool::new(false);
/// shipper.run_until(&stop);
/// ```
pub struct Shipper {
    name: String,
    logs_dir: PathBuf,
    state_path: PathBuf,
    transport: Transport,
    host: String,
    port: u16,
    facility: u8,
    tag: String,
    framing: Framing,
    connect_timeout: Duration,
    write_timeout: Duration,
    reconnect_interval: Duration,
    kinds: Vec<LogKind>,
    spool_max: u64,
    udp_max: usize,
    udp_rate: u32,
    hostname: String,
    clock: Arc<dyn Clock>,
    rotation_grace: Duration,
    poll_budget: u64,
    poll_interval: Duration,

    state: ShipState,
    dirty: bool,
    conn: Option<Conn>,
    next_connect: Option<Instant>,
    connect_failing: bool,
    chunk: Vec<u8>,
    pending: Vec<u8>,
    header: Vec<u8>,
    datagram: Vec<u8>,
    totals: ShipTotals,
}

use conn::{Conn, TCP_BATCH, UDP_BATCH};

impl std::fmt::Debug for Shipper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shipper")
            .field("name", &self.name)
            .field("logs_dir", &self.logs_dir)
            .field(
                "endpoint",
                &format_args!("{:?} {}:{}", self.transport, self.host, self.port),
            )
            .finish_non_exhaustive()
    }
}

/// Where a round of one file stopped.
struct FileEnd {
    /// Reached the end of the file (rather than the budget).
    eof: bool,
    /// Bytes after the last complete line at the end.
    partial: u64,
}

impl Shipper {
    /// A shipper for `sink`, reading `<root_dir>/logs/` and resuming from
    /// `<root_dir>/logs/.ship/<sink.name>.state`. Fails only if the sink does
    /// not validate. Does not connect yet.
    pub fn new(root_dir: impl AsRef<Path>, sink: &SinkConfig) -> Result<Shipper, Vec<ConfigError>> {
        sink.validate()?;
        let (transport, host, port) = sink.endpoint().ok_or_else(|| {
            vec![ConfigError {
                key: "log.sinks[?].url".into(),
                message: "invalid".into(),
            }]
        })?;
        let logs_dir = logs_dir(root_dir.as_ref());
        let state_path = state::state_path(&logs_dir, &sink.name);
        let (state, warning) = state::load(&state_path);
        if let Some(w) = warning {
            tracing::warn!(sink = %sink.name, "{w}");
        }
        Ok(Shipper {
            name: sink.name.clone(),
            logs_dir,
            state_path,
            transport,
            host,
            port,
            facility: sink.facility.0,
            tag: sink.tag.clone(),
            framing: sink.framing,
            connect_timeout: Duration::from_millis(sink.connect_timeout_ms),
            write_timeout: Duration::from_millis(sink.write_timeout_ms),
            reconnect_interval: Duration::from_millis(sink.reconnect_interval_ms),
            kinds: sink.logs.clone(),
            spool_max: sink.spool_max_bytes,
            udp_max: sink.udp_max_bytes,
            udp_rate: sink.udp_max_rate,
            hostname: syslog::clean_hostname(&system_hostname()),
            clock: Arc::new(SystemClock),
            rotation_grace: Duration::from_secs(2),
            poll_budget: 4 << 20,
            poll_interval: Duration::from_millis(500),
            state,
            dirty: false,
            conn: None,
            next_connect: None,
            connect_failing: false,
            chunk: vec![0; CHUNK],
            pending: Vec::new(),
            header: Vec::with_capacity(256),
            datagram: Vec::new(),
            totals: ShipTotals::default(),
        })
    }

    /// Uses `clock` for the fallback message time (default: system clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Shipper {
        self.clock = clock;
        self
    }

    /// The HOSTNAME of the syslog header (default: the system host name).
    pub fn with_hostname(mut self, hostname: &str) -> Shipper {
        self.hostname = syslog::clean_hostname(hostname);
        self
    }

    /// How long a day's file must be unmodified, once a newer file exists,
    /// before the shipper leaves it for good (default 2 s; covers a writer
    /// that read the clock just before midnight).
    pub fn with_rotation_grace(mut self, grace: Duration) -> Shipper {
        self.rotation_grace = grace;
        self
    }

    /// Most bytes of lines one round ships (default 4 MiB, minimum 1).
    pub fn with_poll_budget(mut self, bytes: u64) -> Shipper {
        self.poll_budget = bytes.max(1);
        self
    }

    /// How long [`Shipper::run_until`] sleeps when there is nothing to do
    /// (default 500 ms).
    pub fn with_poll_interval(mut self, interval: Duration) -> Shipper {
        self.poll_interval = interval;
        self
    }

    /// The sink name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Totals since creation.
    pub fn totals(&self) -> &ShipTotals {
        &self.totals
    }

    /// The checkpoint of one log, if any.
    pub fn checkpoint(&self, kind: LogKind) -> Option<&Checkpoint> {
        self.state.logs.get(kind.as_str())
    }

    /// Lines dropped by the spool limit over the life of the checkpoint file
    /// (survives restarts).
    pub fn dropped_lines_ever(&self) -> u64 {
        self.state.dropped_lines
    }

    /// Polls until `stop` is set: ships, then sleeps for the poll interval
    /// when caught up (waking every 50 ms to look at `stop`). Persists the
    /// checkpoint before returning.
    pub fn run_until(&mut self, stop: &AtomicBool) -> ShipTotals {
        while !stop.load(Ordering::Relaxed) {
            let report = self.poll_once();
            if report.more {
                continue;
            }
            let until = Instant::now() + self.poll_interval;
            while !stop.load(Ordering::Relaxed) {
                let now = Instant::now();
                if now >= until {
                    break;
                }
                std::thread::sleep((until - now).min(Duration::from_millis(50)));
            }
        }
        let mut report = ShipReport::default();
        self.persist(&mut report);
        self.totals.clone()
    }

    /// One round; see the module docs.
    pub fn poll_once(&mut self) -> ShipReport {
        let mut r = ShipReport::default();
        let mut listings = Vec::with_capacity(self.kinds.len());
        for kind in self.kinds.clone() {
            match list_dated(&self.logs_dir, kind) {
                Ok(files) => {
                    self.reconcile(kind, &files);
                    self.enforce_spool(kind, &files, &mut r);
                    listings.push((kind, files));
                }
                Err(e) => r.error = Some(format!("{}: {e}", kind.dir(&self.logs_dir).display())),
            }
        }
        if self.conn.is_none() {
            self.try_connect(&mut r);
        }
        if self.conn.is_some() {
            let mut budget = self.poll_budget;
            for (kind, files) in &listings {
                if let Err(e) = self.ship_kind(*kind, files, &mut budget, &mut r) {
                    match e {
                        ShipError::Send(e) => {
                            self.disconnect(&e, &mut r);
                            break;
                        }
                        ShipError::Read(e) => {
                            r.error = Some(e);
                        }
                    }
                }
                if budget == 0 {
                    r.more = true;
                    break;
                }
            }
        }
        r.connected = self.conn.is_some();
        r.backlog_bytes = listings
            .iter()
            .map(|(kind, files)| self.backlog(*kind, files))
            .sum();
        self.persist(&mut r);
        let t = &mut self.totals;
        t.lines_sent += r.lines_sent;
        t.bytes_sent += r.bytes_sent;
        t.lines_dropped += r.lines_dropped;
        t.bytes_dropped += r.bytes_dropped;
        t.lines_truncated += r.lines_truncated;
        t.lines_oversize += r.lines_oversize;
        r
    }

    fn persist(&mut self, r: &mut ShipReport) {
        if !self.dirty {
            return;
        }
        self.state.version = 1;
        match state::save(&self.state_path, &self.state) {
            Ok(()) => self.dirty = false,
            Err(e) => {
                let msg = format!("{}: cannot save checkpoint: {e}", self.state_path.display());
                tracing::warn!(sink = %self.name, "{msg}");
                r.error = Some(msg);
            }
        }
    }

    fn try_connect(&mut self, r: &mut ShipReport) {
        let now = Instant::now();
        if self.next_connect.is_some_and(|t| now < t) {
            return;
        }
        match Conn::connect(
            self.transport,
            &self.host,
            self.port,
            self.connect_timeout,
            self.write_timeout,
            self.udp_rate,
        ) {
            Ok(conn) => {
                self.conn = Some(conn);
                self.next_connect = None;
                self.totals.connects += 1;
                if self.connect_failing {
                    tracing::info!(sink = %self.name, host = %self.host, port = self.port, "connected to collector again");
                }
                self.connect_failing = false;
            }
            Err(e) => {
                self.next_connect = Some(now + self.reconnect_interval);
                let msg = format!("cannot connect to {}:{}: {e}", self.host, self.port);
                if !self.connect_failing {
                    tracing::warn!(sink = %self.name, "{msg}; retrying every {} ms", self.reconnect_interval.as_millis());
                }
                self.connect_failing = true;
                r.error = Some(msg);
            }
        }
    }

    fn disconnect(&mut self, e: &io::Error, r: &mut ShipReport) {
        self.conn = None;
        self.totals.disconnects += 1;
        self.next_connect = Some(Instant::now() + self.reconnect_interval);
        let msg = format!(
            "lost the connection to {}:{}: {e}; will resend from the checkpoint",
            self.host, self.port
        );
        tracing::warn!(sink = %self.name, "{msg}");
        self.connect_failing = true;
        r.error = Some(msg);
    }

    fn set_checkpoint(&mut self, kind: LogKind, cp: Checkpoint) {
        let slot = self
            .state
            .logs
            .entry(kind.as_str().to_string())
            .or_default();
        if *slot != cp {
            *slot = cp;
            self.dirty = true;
        }
    }

    /// Points the checkpoint of `kind` at a file that exists, if any does.
    fn reconcile(&mut self, kind: LogKind, files: &[DatedFile]) {
        let Some(first) = files.first() else { return };
        let Some(cp) = self.checkpoint(kind).cloned() else {
            self.set_checkpoint(
                kind,
                Checkpoint {
                    file: first.name.clone(),
                    offset: 0,
                    ino: first.ino,
                },
            );
            return;
        };
        if let Some(f) = files.iter().find(|f| f.name == cp.file) {
            if cp.ino != 0 && cp.ino != f.ino {
                tracing::warn!(sink = %self.name, file = %f.name, "log file was replaced; shipping it from the start");
                self.set_checkpoint(
                    kind,
                    Checkpoint {
                        file: f.name.clone(),
                        offset: 0,
                        ino: f.ino,
                    },
                );
            } else if cp.offset > f.len {
                tracing::warn!(sink = %self.name, file = %f.name, "log file shrank; shipping it from the start");
                self.set_checkpoint(
                    kind,
                    Checkpoint {
                        file: f.name.clone(),
                        offset: 0,
                        ino: f.ino,
                    },
                );
            } else if cp.ino == 0 {
                self.set_checkpoint(kind, Checkpoint { ino: f.ino, ..cp });
            }
            return;
        }
        // The checkpoint's file is gone (pruned, or deleted by hand): go on
        // with the next newer file.
        let cp_day = kind.day_of_file_name(&cp.file).unwrap_or(i64::MIN);
        if let Some(next) = files.iter().find(|f| f.day > cp_day) {
            tracing::info!(sink = %self.name, gone = %cp.file, next = %next.name, "checkpoint file is gone; continuing with the next file");
            self.set_checkpoint(
                kind,
                Checkpoint {
                    file: next.name.clone(),
                    offset: 0,
                    ino: next.ino,
                },
            );
        }
    }

    /// Where the checkpoint stands in `files`: (index, offset).
    fn position(&self, kind: LogKind, files: &[DatedFile]) -> Option<(usize, u64)> {
        let cp = self.checkpoint(kind)?;
        let idx = files.iter().position(|f| f.name == cp.file)?;
        Some((idx, cp.offset))
    }

    fn backlog(&self, kind: LogKind, files: &[DatedFile]) -> u64 {
        match self.position(kind, files) {
            Some((idx, offset)) => files[idx..]
                .iter()
                .map(|f| f.len)
                .sum::<u64>()
                .saturating_sub(offset),
            None => 0,
        }
    }

    /// Drops the oldest unshipped lines while the backlog exceeds the spool
    /// limit.
    fn enforce_spool(&mut self, kind: LogKind, files: &[DatedFile], r: &mut ShipReport) {
        let backlog = self.backlog(kind, files);
        if backlog <= self.spool_max {
            return;
        }
        let Some((mut idx, mut offset)) = self.position(kind, files) else {
            return;
        };
        let mut excess = backlog - self.spool_max;
        let (mut lines, mut bytes) = (0u64, 0u64);
        loop {
            let f = &files[idx];
            let rem = f.len.saturating_sub(offset);
            if rem <= excess && idx + 1 < files.len() {
                match count_lines(&f.path, offset, f.len) {
                    Ok(n) => lines += n,
                    Err(e) => {
                        r.error = Some(format!("{}: {e}", f.path.display()));
                        return;
                    }
                }
                bytes += rem;
                excess -= rem;
                idx += 1;
                offset = 0;
                continue;
            }
            match skip_lines(&f.path, offset, offset + excess) {
                Ok((new_offset, n)) => {
                    lines += n;
                    bytes += new_offset - offset;
                    offset = new_offset;
                }
                Err(e) => {
                    r.error = Some(format!("{}: {e}", f.path.display()));
                    return;
                }
            }
            break;
        }
        let f = &files[idx];
        self.set_checkpoint(
            kind,
            Checkpoint {
                file: f.name.clone(),
                offset,
                ino: f.ino,
            },
        );
        self.state.dropped_lines += lines;
        self.state.dropped_bytes += bytes;
        r.lines_dropped += lines;
        r.bytes_dropped += bytes;
        tracing::warn!(
            sink = %self.name,
            log = kind.as_str(),
            dropped_lines = lines,
            dropped_bytes = bytes,
            spool_max_bytes = self.spool_max,
            "spool limit exceeded: dropped the oldest unshipped lines"
        );
    }

    fn ship_kind(
        &mut self,
        kind: LogKind,
        files: &[DatedFile],
        budget: &mut u64,
        r: &mut ShipReport,
    ) -> Result<(), ShipError> {
        loop {
            let Some((idx, offset)) = self.position(kind, files) else {
                return Ok(());
            };
            let f = &files[idx];
            let end = self.ship_file(kind, f, offset, budget, r)?;
            if !end.eof || idx + 1 == files.len() {
                return Ok(());
            }
            // A newer file exists. Leave this one once it has been quiet for
            // the grace period (a writer may have read the clock just before
            // midnight and still be appending).
            let quiet = match std::fs::metadata(&f.path).and_then(|m| m.modified()) {
                Ok(mtime) => SystemTime::now()
                    .duration_since(mtime)
                    .map(|d| d >= self.rotation_grace)
                    .unwrap_or(false),
                Err(_) => true,
            };
            if !quiet {
                return Ok(());
            }
            if end.partial > 0 {
                r.lines_dropped += 1;
                r.bytes_dropped += end.partial;
                self.state.dropped_lines += 1;
                self.state.dropped_bytes += end.partial;
                tracing::warn!(sink = %self.name, file = %f.name, bytes = end.partial, "skipping an incomplete last line");
            }
            let next = &files[idx + 1];
            self.set_checkpoint(
                kind,
                Checkpoint {
                    file: next.name.clone(),
                    offset: 0,
                    ino: next.ino,
                },
            );
        }
    }

    /// Ships complete lines of `f` from `offset` until EOF or the budget.
    fn ship_file(
        &mut self,
        kind: LogKind,
        f: &DatedFile,
        offset: u64,
        budget: &mut u64,
        r: &mut ShipReport,
    ) -> Result<FileEnd, ShipError> {
        let mut file = match File::open(&f.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(FileEnd {
                    eof: true,
                    partial: 0,
                })
            }
            Err(e) => return Err(ShipError::Read(format!("{}: {e}", f.path.display()))),
        };
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ShipError::Read(format!("{}: {e}", f.path.display())))?;
        let mut chunk = std::mem::take(&mut self.chunk);
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        let result = self.ship_reader(
            kind,
            f,
            &mut file,
            offset,
            budget,
            r,
            &mut chunk,
            &mut pending,
        );
        if pending.capacity() > 4 * CHUNK {
            pending = Vec::new();
        }
        self.chunk = chunk;
        self.pending = pending;
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn ship_reader(
        &mut self,
        kind: LogKind,
        f: &DatedFile,
        file: &mut File,
        offset: u64,
        budget: &mut u64,
        r: &mut ShipReport,
        chunk: &mut [u8],
        pending: &mut Vec<u8>,
    ) -> Result<FileEnd, ShipError> {
        // `pending` holds the bytes from file offset `base` on.
        let mut base = offset;
        let mut skipping = false;
        let mut batch = Batch {
            end: offset,
            lines: 0,
            bytes: 0,
        };
        let mut eof = false;
        while *budget > 0 {
            let n = match file.read(chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.commit(kind, f, &mut batch, r)?;
                    return Err(ShipError::Read(format!("{}: {e}", f.path.display())));
                }
            };
            if n == 0 {
                eof = true;
                break;
            }
            pending.extend_from_slice(&chunk[..n]);
            let mut start = 0;
            while let Some(nl) = pending[start..].iter().position(|&b| b == b'\n') {
                let line = &pending[start..start + nl];
                if skipping {
                    skipping = false;
                } else if line.len() > MAX_LINE {
                    r.lines_oversize += 1;
                } else {
                    self.emit(kind, line, r).map_err(ShipError::Send)?;
                    batch.lines += 1;
                    batch.bytes += line.len() as u64;
                }
                start += nl + 1;
                batch.end = base + start as u64;
                *budget = budget.saturating_sub(nl as u64 + 1);
                let full =
                    self.conn.as_ref().map_or(0, |c| c.pending()) >= batch_size(self.transport);
                if full {
                    self.commit(kind, f, &mut batch, r)?;
                }
                if *budget == 0 {
                    break;
                }
            }
            pending.drain(..start);
            base += start as u64;
            if pending.len() > MAX_LINE {
                // An over-long line: stop buffering it, skip to its end.
                if !skipping {
                    r.lines_oversize += 1;
                }
                skipping = true;
                base += pending.len() as u64;
                pending.clear();
            }
        }
        self.commit(kind, f, &mut batch, r)?;
        let partial = if skipping { 0 } else { pending.len() as u64 };
        Ok(FileEnd { eof, partial })
    }

    /// Flushes the connection and, if that worked, moves the checkpoint to
    /// the end of the batch.
    fn commit(
        &mut self,
        kind: LogKind,
        f: &DatedFile,
        batch: &mut Batch,
        r: &mut ShipReport,
    ) -> Result<(), ShipError> {
        if let Some(conn) = self.conn.as_mut() {
            conn.flush().map_err(ShipError::Send)?;
        }
        r.lines_sent += batch.lines;
        r.bytes_sent += batch.bytes;
        batch.lines = 0;
        batch.bytes = 0;
        if self.checkpoint(kind).map(|c| c.offset) != Some(batch.end) {
            self.set_checkpoint(
                kind,
                Checkpoint {
                    file: f.name.clone(),
                    offset: batch.end,
                    ino: f.ino,
                },
            );
        }
        Ok(())
    }

    /// Hands one line to the connection as a syslog message.
    fn emit(&mut self, kind: LogKind, line: &[u8], r: &mut ShipReport) -> io::Result<()> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(io::Error::new(io::ErrorKind::NotConnected, "not connected"));
        };
        self.header.clear();
        let fallback;
        let ts = match syslog::line_time(line) {
            Some(ts) => ts,
            None => {
                fallback = format_rfc3339(self.clock.now(), &LogZone::utc());
                fallback.as_bytes()
            }
        };
        syslog::header(
            &mut self.header,
            self.facility,
            kind,
            ts,
            &self.hostname,
            &self.tag,
        );
        if let Some(out) = conn.tcp_buffer() {
            syslog::frame_tcp(out, self.framing, &self.header, line);
            Ok(())
        } else {
            if syslog::datagram(&mut self.datagram, &self.header, line, self.udp_max) {
                r.lines_truncated += 1;
            }
            conn.send_datagram(&self.datagram)
        }
    }
}

fn batch_size(t: Transport) -> usize {
    match t {
        Transport::Tcp => TCP_BATCH,
        Transport::Udp => UDP_BATCH,
    }
}

struct Batch {
    /// File offset just after the last line handed over.
    end: u64,
    lines: u64,
    bytes: u64,
}

enum ShipError {
    /// The connection failed: drop it, resend later.
    Send(io::Error),
    /// A log file could not be read.
    Read(String),
}

/// Lines in `[from, to)` of a file; a trailing incomplete line counts as one.
pub(crate) fn count_lines(path: &Path, from: u64, to: u64) -> io::Result<u64> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut left = to.saturating_sub(from);
    let mut buf = vec![0u8; CHUNK];
    let (mut lines, mut last) = (0u64, b'\n');
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
        left -= n as u64;
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines)
}

/// From `from`, finds the first line end at or after `target` and returns
/// (offset after it, lines passed). Stops at the last line end before EOF if
/// the file ends earlier.
pub(crate) fn skip_lines(path: &Path, from: u64, target: u64) -> io::Result<(u64, u64)> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; CHUNK];
    let (mut pos, mut boundary, mut lines) = (from, from, 0u64);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((boundary, lines));
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                lines += 1;
                boundary = pos + i as u64 + 1;
                if boundary >= target {
                    return Ok((boundary, lines));
                }
            }
        }
        pos += n as u64;
    }
}
