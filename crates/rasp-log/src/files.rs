//! The layout on disk: which log lives where, and how a day is named.
//!
//! ```text
//! <root>/logs/                    0750
//!   alarm/alarm.log.2026-11-23    0640, one JSON object per line
//!   policy/policy.log.2026-11-23  0640, one JSON object per line
//!   plugin/plugin.log.2026-11-23  0640, one text line per plugin message
//!   rasp/rasp.log.2026-11-23      0640, one JSON object per tracing event
//!   .ship/<sink>.state            0640, shipping checkpoint of one sink
//! ```
//!
//! Rotation is by name only. Every writer, in every process, derives the file
//! name from the current day and opens that file with `O_APPEND`; nothing is
//! ever renamed, so there is no moment where two processes disagree about
//! which file is "current" for longer than one clock read.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock::day_of_date;

/// Mode of created log directories (before the process umask).
pub const DIR_MODE: u32 = 0o750;
/// Mode of created log files (before the process umask).
pub const FILE_MODE: u32 = 0o640;

/// One of the four logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogKind {
    /// Attacks found by plugins or native checks (JSON).
    Alarm,
    /// Insecure configuration found by baseline checks (JSON).
    Policy,
    /// What plugins print with `console.log` (text).
    Plugin,
    /// The extension's own diagnostics, from `tracing` (JSON).
    Rasp,
}

impl LogKind {
    /// All logs, in a fixed order.
    pub const ALL: [LogKind; 4] = [
        LogKind::Alarm,
        LogKind::Policy,
        LogKind::Plugin,
        LogKind::Rasp,
    ];

    /// The name used for the directory, the file prefix and the syslog MSGID.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogKind::Alarm => "alarm",
            LogKind::Policy => "policy",
            LogKind::Plugin => "plugin",
            LogKind::Rasp => "rasp",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// `<logs_dir>/<kind>/`.
    pub fn dir(self, logs_dir: &Path) -> PathBuf {
        logs_dir.join(self.as_str())
    }

    /// `<kind>.log.` — the file name prefix before the date.
    pub fn file_prefix(self) -> &'static str {
        match self {
            LogKind::Alarm => "alarm.log.",
            LogKind::Policy => "policy.log.",
            LogKind::Plugin => "plugin.log.",
            LogKind::Rasp => "rasp.log.",
        }
    }

    /// `<kind>.log.YYYY-MM-DD`.
    pub fn file_name(self, date: &str) -> String {
        let mut s = String::with_capacity(self.file_prefix().len() + date.len());
        s.push_str(self.file_prefix());
        s.push_str(date);
        s
    }

    /// The day number (days since 1970-01-01) a file name of this log stands
    /// for, or `None` for any other name.
    pub fn day_of_file_name(self, name: &str) -> Option<i64> {
        day_of_date(name.strip_prefix(self.file_prefix())?)
    }
}

impl std::fmt::Display for LogKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `<root>/logs`.
pub fn logs_dir(root_dir: &Path) -> PathBuf {
    root_dir.join("logs")
}

/// Creates `dir` and its missing parents with [`DIR_MODE`].
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
}

/// Opens a log file for appending, creating it with [`FILE_MODE`].
pub(crate) fn open_append(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .open(path)
}

/// One dated file of a log, as found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DatedFile {
    pub day: i64,
    pub name: String,
    pub path: PathBuf,
    pub len: u64,
    pub ino: u64,
    pub mtime: std::time::SystemTime,
}

/// The dated files of `kind` under `logs_dir`, oldest first. A missing
/// directory is an empty list.
pub(crate) fn list_dated(logs_dir: &Path, kind: LogKind) -> io::Result<Vec<DatedFile>> {
    let dir = kind.dir(logs_dir);
    let rd = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Some(day) = kind.day_of_file_name(&name) else {
            continue;
        };
        let path = entry.path();
        // Follow symlinks, like the writers do.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        out.push(DatedFile {
            day,
            name,
            path,
            len: meta.len(),
            ino: meta.ino(),
            mtime: meta.modified().unwrap_or(std::time::UNIX_EPOCH),
        });
    }
    out.sort_by_key(|f| f.day);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            LogKind::Alarm.file_name("2026-11-23"),
            "alarm.log.2026-11-23"
        );
        assert_eq!(
            LogKind::Rasp.day_of_file_name("rasp.log.1970-01-02"),
            Some(1)
        );
        assert_eq!(LogKind::Rasp.day_of_file_name("alarm.log.1970-01-02"), None);
        assert_eq!(
            LogKind::Rasp.day_of_file_name("rasp.log.1970-01-02.tmp"),
            None
        );
    }
}
