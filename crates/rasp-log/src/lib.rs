//! The logs of php-rasp: what PHP workers write, and what the agent ships.
//!
//! There are four logs under `<root>/logs/`, one file per day each:
//!
//! | log      | content                                   | format      |
//! |----------|-------------------------------------------|-------------|
//! | `alarm`  | attacks ([`Alarm`])                       | JSON lines  |
//! | `policy` | insecure configuration ([`Policy`])       | JSON lines  |
//! | `plugin` | plugin `console.log` output               | text lines  |
//! | `rasp`   | diagnostics, from `tracing` ([`RaspLayer`]) | JSON lines |
//!
//! The field-by-field description is in `docs/logs.md`; JSON Schemas are in
//! `crates/rasp-log/schema/`.
//!
//! # Two halves
//!
//! **Writers** ([`Logs`]) run inside every PHP worker, on the request path.
//! Their job is to get one line onto disk and get out of the way: one
//! `write(2)` of the complete line to a file opened with `O_APPEND`, no locks
//! between processes, no background threads, no renames, no panics and no
//! blocking on failure. See [`writer`] for why that is enough to keep lines
//! from interleaving, and what the limits are.
//!
//! **Shippers** ([`Shipper`]) run in the agent, a separate long-lived process,
//! and do the slow part: sending lines to syslog collectors over TCP or UDP.
//! The log files themselves are the spool, and a per-sink checkpoint records
//! how far each log has been shipped, so a collector outage or an agent
//! restart costs nothing as long as the backlog fits `spool_max_bytes`. See
//! [`ship`].
//!
//! Retention ([`prune`], run by the agent) deletes old days, but not the ones
//! a sink still has to ship.
//!
//! # Time
//!
//! Days and timestamps come from a [`Clock`] in a [`LogZone`]; tests swap in a
//! [`FakeClock`]. Every timestamp looks like
//! `2026-11-23T16:45:46.123+00:00` (RFC 3339, milliseconds, numeric offset).
//!
//! # Wiring (what the extension and the agent call)
//!
//! ```no_run
//! use std::sync::Arc;
//! use rasp_log::*;
//!
//! // Worker process: once.
//! let config = LogConfig::default();
//! let logs = Arc::new(Logs::open("/var/lib/php-rasp", &config, ServerInfo::new("8.3.14")));
//! install_tracing(logs.clone(), LevelFilter::INFO).ok();
//!
//! // Per event.
//! let request = RequestInfo { url: "http://shop/?id=1".into(), ..RequestInfo::default() };
//! let alarm = Alarm { attack_type: "sql".into(), intercept_state: InterceptState::Block, ..Alarm::default() };
//! logs.alarm(&alarm, Some(&request));
//! logs.plugin("official", "hello from the plugin");
//! logs.tick(); // at request end
//!
//! // Agent process.
//! for sink in config.usable_sinks() {
//!     let mut shipper = Shipper::new("/var/lib/php-rasp", sink).unwrap();
//!     let report = shipper.poll_once();
//!     # let _ = report;
//! }
//! let pruned = prune("/var/lib/php-rasp", &config);
//! # let _ = pruned;
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod config;
mod event;
pub mod files;
mod layer;
mod retention;
pub mod ship;
pub mod writer;

pub use clock::{format_rfc3339, Clock, FakeClock, LogZone, SystemClock};
pub use config::{
    ConfigError, Facility, Framing, LogConfig, RateLimit, RateLimits, Rotate, SinkConfig, Transport,
};
pub use event::{system_hostname, Alarm, InterceptState, Policy, RequestInfo, ServerInfo};
pub use files::LogKind;
pub use layer::{install_tracing, RaspLayer};
pub use retention::{prune, prune_at, PruneReport};
pub use ship::{Checkpoint, ShipReport, ShipTotals, Shipper, MAX_LINE};
pub use writer::{Fallback, LogStatus, Logs, LogsBuilder, WriteOutcome};

/// Re-exported so callers of [`Logs::rasp`] and [`install_tracing`] need not
/// depend on `tracing` themselves.
pub use tracing::{level_filters::LevelFilter, Level};
