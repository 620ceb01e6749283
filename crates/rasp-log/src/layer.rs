//! The rasp log: `tracing` events as JSON lines.
//!
//! The extension and the agent log their own diagnostics with the `tracing`
//! macros. [`RaspLayer`] turns each event into one line of
//! `<root>/logs/rasp/rasp.log.YYYY-MM-DD`, through the same writer (and so the
//! same atomic-append, rotation, rate-limit and failure rules) as the alarm
//! log:
//!
//! ```json
//! {"time":"2026-11-23T16:45:46.123+00:00","level":"WARN","target":"rasp_ext::hook",
//!  "message":"hook failed","fields":{"function":"mysqli_query","errno":2},"pid":4711}
//! ```
//!
//! Span fields are not recorded; events carry everything they need.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::writer::Logs;

/// A `tracing_subscriber` layer writing events to the rasp log.
///
/// ```no_run
/// use std::sync::Arc;
/// use rasp_log::{LogConfig, Logs, RaspLayer, ServerInfo};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let logs = Arc::new(Logs::open("/var/lib/php-rasp", &LogConfig::default(), ServerInfo::new("8.3.14")));
/// let subscriber = tracing_subscriber::registry().with(RaspLayer::new(logs));
/// tracing::subscriber::set_global_default(subscriber).ok();
/// tracing::warn!(function = "mysqli_query", "hook failed");
/// ```
#[derive(Clone)]
pub struct RaspLayer {
    logs: Arc<Logs>,
    max_level: LevelFilter,
}

impl fmt::Debug for RaspLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RaspLayer")
            .field("max_level", &self.max_level)
            .finish()
    }
}

impl RaspLayer {
    /// A layer writing events up to `INFO`.
    pub fn new(logs: Arc<Logs>) -> RaspLayer {
        RaspLayer {
            logs,
            max_level: LevelFilter::INFO,
        }
    }

    /// Writes events up to `level` (e.g. `LevelFilter::DEBUG`).
    pub fn with_max_level(mut self, level: LevelFilter) -> RaspLayer {
        self.max_level = level;
        self
    }
}

impl<S: Subscriber> Layer<S> for RaspLayer {
    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        *metadata.level() <= self.max_level
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max_level)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > self.max_level {
            return;
        }
        let mut visitor = JsonVisitor::default();
        event.record(&mut visitor);
        self.logs.rasp(
            *meta.level(),
            meta.target(),
            &visitor.message,
            &visitor.fields,
        );
    }
}

/// Installs `registry().with(RaspLayer)` as the global default subscriber of
/// this process. Fails if one is installed already.
pub fn install_tracing(
    logs: Arc<Logs>,
    max_level: LevelFilter,
) -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber =
        tracing_subscriber::registry().with(RaspLayer::new(logs).with_max_level(max_level));
    tracing::subscriber::set_global_default(subscriber)
}

#[derive(Default)]
struct JsonVisitor {
    message: String,
    fields: Map<String, Value>,
}

impl JsonVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            match value {
                Value::String(s) => self.message = s,
                other => self.message = other.to_string(),
            }
        } else {
            self.fields.insert(field.name().to_string(), value);
        }
    }
}

impl Visit for JsonVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(value.to_string()));
        self.put(field, v);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        let v = i64::try_from(value)
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string()));
        self.put(field, v);
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        let v = u64::try_from(value)
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string()));
        self.put(field, v);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}
