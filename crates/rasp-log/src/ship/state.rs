//! Checkpoints: how far a sink has shipped each log.
//!
//! `<root>/logs/.ship/<sink>.state` is a small JSON document:
//!
//! ```json
//! {"version":1,"logs":{"alarm":{"file":"alarm.log.2026-11-23","offset":81920,"ino":1835009}},
//!  "dropped_lines":0,"dropped_bytes":0}
//! ```
//!
//! It is replaced atomically (write a temporary file, `fsync` it, rename it
//! over the old one), so a crash leaves either the old or the new checkpoint,
//! never a torn one. An unreadable checkpoint is treated as absent, which
//! means shipping starts again from the oldest file: duplicates, not loss.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::{create_dir, FILE_MODE};

/// The position of one log in its files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// File name (no directory), e.g. `alarm.log.2026-11-23`.
    pub file: String,
    /// Bytes of that file already shipped; always at a line boundary.
    pub offset: u64,
    /// Inode of the file, to notice a file that was replaced.
    #[serde(default)]
    pub ino: u64,
}

/// Everything persisted for one sink.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShipState {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub logs: BTreeMap<String, Checkpoint>,
    /// Lines dropped by the spool limit, ever.
    #[serde(default)]
    pub dropped_lines: u64,
    /// Bytes dropped by the spool limit, ever.
    #[serde(default)]
    pub dropped_bytes: u64,
}

/// `<logs_dir>/.ship`.
pub(crate) fn ship_dir(logs_dir: &Path) -> PathBuf {
    logs_dir.join(".ship")
}

/// `<logs_dir>/.ship/<sink>.state`.
pub(crate) fn state_path(logs_dir: &Path, sink: &str) -> PathBuf {
    ship_dir(logs_dir).join(format!("{sink}.state"))
}

/// Reads a checkpoint file. A missing file is the empty state; an unreadable
/// one is the empty state plus the reason.
pub(crate) fn load(path: &Path) -> (ShipState, Option<String>) {
    match fs::read(path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(state) => (state, None),
            Err(e) => (
                ShipState::default(),
                Some(format!(
                    "{}: unreadable checkpoint ({e}); starting over",
                    path.display()
                )),
            ),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (ShipState::default(), None),
        Err(e) => (
            ShipState::default(),
            Some(format!("{}: {e}; starting over", path.display())),
        ),
    }
}

/// Replaces the checkpoint file atomically.
pub(crate) fn save(path: &Path, state: &ShipState) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let bytes = serde_json::to_vec(state).map_err(io::Error::other)?;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(&tmp)?;
    f.write_all(&bytes)?;
    f.write_all(b"\n")?;
    f.sync_data()?;
    drop(f);
    fs::rename(&tmp, path)
}
