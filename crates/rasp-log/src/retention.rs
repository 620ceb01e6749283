//! Retention: deleting old days, but not what a collector still needs.
//!
//! The agent calls [`prune`] now and then (say hourly). A file is old when its
//! day is before `today - (keep_days - 1)`. An old file is deleted when every
//! usable sink that ships its log has finished it (its checkpoint is past the
//! file). A file some sink has not finished stays, however old, until that
//! sink's backlog of the log exceeds `spool_max_bytes`; then it is deleted
//! and the lines it held that a sink had not shipped are counted in
//! [`PruneReport::lines_dropped`] and reported on the rasp log.
//!
//! With a running [`crate::Shipper`] that second case does not arise, since
//! the shipper enforces the spool limit itself; it covers a sink whose
//! shipper is not running.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::clock::{unix_parts, LogZone};
use crate::config::LogConfig;
use crate::files::{list_dated, logs_dir, DatedFile, LogKind};
use crate::ship::count_lines;
use crate::ship::state::{self, Checkpoint};

/// What [`prune`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Files deleted.
    pub deleted: Vec<PathBuf>,
    /// Old files kept because a sink has not shipped them yet.
    pub kept_unshipped: Vec<PathBuf>,
    /// Lines deleted that at least one sink had not shipped (spool limit).
    pub lines_dropped: u64,
    /// Bytes of those lines.
    pub bytes_dropped: u64,
    /// Files that could not be read or deleted.
    pub errors: Vec<String>,
}

/// Deletes old log files under `<root_dir>/logs/`, now, in the zone that
/// `config.utc` names.
pub fn prune(root_dir: impl AsRef<Path>, config: &LogConfig) -> PruneReport {
    prune_at(
        root_dir,
        config,
        SystemTime::now(),
        &LogZone::from_utc_flag(config.utc),
    )
}

/// [`prune`] as if it were `now` in `zone` (for tests and tools).
pub fn prune_at(
    root_dir: impl AsRef<Path>,
    config: &LogConfig,
    now: SystemTime,
    zone: &LogZone,
) -> PruneReport {
    let logs_dir = logs_dir(root_dir.as_ref());
    let (secs, _) = unix_parts(now);
    let today = (secs + i64::from(zone.offset_at(secs))).div_euclid(86_400);
    let cutoff = today - i64::from(config.keep_days.max(1)) + 1;
    let sinks = config.usable_sinks();
    let mut report = PruneReport::default();

    for kind in LogKind::ALL {
        let files = match list_dated(&logs_dir, kind) {
            Ok(files) => files,
            Err(e) => {
                report
                    .errors
                    .push(format!("{}: {e}", kind.dir(&logs_dir).display()));
                continue;
            }
        };
        // (name, spool limit, checkpoint, backlog) of each sink shipping this log.
        let mut shippers: Vec<(String, u64, Option<Checkpoint>, u64)> = sinks
            .iter()
            .filter(|s| s.logs.contains(&kind))
            .map(|s| {
                let (st, _) = state::load(&state::state_path(&logs_dir, &s.name));
                let cp = st.logs.get(kind.as_str()).cloned();
                let backlog = files.iter().map(|f| unshipped(cp.as_ref(), f, kind)).sum();
                (s.name.clone(), s.spool_max_bytes, cp, backlog)
            })
            .collect();

        for f in files.iter().filter(|f| f.day < cutoff) {
            let unfinished: Vec<usize> = (0..shippers.len())
                .filter(|&i| unshipped(shippers[i].2.as_ref(), f, kind) > 0)
                .collect();
            let over_spool = unfinished.iter().all(|&i| shippers[i].3 > shippers[i].1);
            if !unfinished.is_empty() && !over_spool {
                report.kept_unshipped.push(f.path.clone());
                continue;
            }
            // Count what this deletes that some sink has not shipped.
            let from = unfinished
                .iter()
                .map(|&i| f.len - unshipped(shippers[i].2.as_ref(), f, kind))
                .min();
            let mut lines = 0;
            if let Some(from) = from {
                match count_lines(&f.path, from, f.len) {
                    Ok(n) => lines = n,
                    Err(e) => report.errors.push(format!("{}: {e}", f.path.display())),
                }
            }
            match fs::remove_file(&f.path) {
                Ok(()) => {
                    report.deleted.push(f.path.clone());
                    if let Some(from) = from {
                        report.lines_dropped += lines;
                        report.bytes_dropped += f.len - from;
                        let names: Vec<&str> =
                            unfinished.iter().map(|&i| shippers[i].0.as_str()).collect();
                        tracing::warn!(
                            file = %f.path.display(),
                            sinks = ?names,
                            dropped_lines = lines,
                            dropped_bytes = f.len - from,
                            "deleted an old log file that was not shipped: spool limit exceeded"
                        );
                    }
                    for &i in &unfinished {
                        let u = unshipped(shippers[i].2.as_ref(), f, kind);
                        shippers[i].3 = shippers[i].3.saturating_sub(u);
                    }
                }
                Err(e) => report.errors.push(format!("{}: {e}", f.path.display())),
            }
        }
    }
    report
}

/// Bytes of `f` that a sink at checkpoint `cp` has not shipped.
fn unshipped(cp: Option<&Checkpoint>, f: &DatedFile, kind: LogKind) -> u64 {
    let Some(cp) = cp else { return f.len };
    if cp.file == f.name {
        return f.len.saturating_sub(cp.offset);
    }
    match kind.day_of_file_name(&cp.file) {
        Some(day) if day > f.day => 0,
        _ => f.len,
    }
}
