//! Configuration: the `log:` section of `rasp.yml`.
//!
//! ```yaml
//! log:
//!   rotate: daily
//!   keep_days: 7
//!   utc: false
//!   rate_limit:
//!     alarm:  { burst: 200, per_second: 50 }
//!     policy: { burst: 20,  per_second: 1 }
//!     plugin: { burst: 100, per_second: 20 }
//!     rasp:   { burst: 100, per_second: 10 }
//!   sinks:
//!     - name: siem
//!       url: tcp://10.0.0.5:514
//!       facility: local0
//!       tag: php-rasp
//!       framing: octet-counting
//!       logs: [alarm, policy]
//! ```
//!
//! Every struct rejects unknown keys, so a typo is an error instead of a
//! silently ignored setting. One exception is deliberate: a malformed *sink*
//! never makes the whole `log:` section fail to parse, because that would take
//! file logging (the thing that must always work) down with the optional
//! shipping. Each sink entry is parsed on its own; a broken one is kept as a
//! [`SinkConfig`] that fails [`SinkConfig::validate`] with the parse error,
//! naming the key, e.g.
//! `log.sinks[0].facility: unknown syslog facility "local9"; ...`.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::files::LogKind;

/// One configuration problem: the full key (`log.sinks[0].url`) and what is
/// wrong with it, including what is expected instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The full dotted key, starting with `log.`.
    pub key: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl ConfigError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// How files are rotated. Only daily rotation exists (by file name, see
/// [`crate::files`]); the key is there so configs can say so explicitly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rotate {
    /// One file per calendar day.
    #[default]
    Daily,
}

/// The `log:` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Rotation scheme (`daily`).
    pub rotate: Rotate,
    /// Days of files to keep, counting today: 7 keeps today and the 6 days
    /// before. Files the shipper has not finished are kept longer (see
    /// [`crate::prune`]). Minimum 1.
    pub keep_days: u32,
    /// Name days and write offsets in UTC instead of the system zone.
    pub utc: bool,
    /// Per-process, per-log rate limits.
    pub rate_limit: RateLimits,
    /// Collectors to ship logs to (from the agent process).
    #[serde(deserialize_with = "lenient_sinks")]
    pub sinks: Vec<SinkConfig>,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            rotate: Rotate::Daily,
            keep_days: 7,
            utc: false,
            rate_limit: RateLimits::default(),
            sinks: Vec::new(),
        }
    }
}

impl LogConfig {
    /// Parses the `log:` section from a JSON value (e.g. a YAML subtree
    /// converted with `Node::to_json`). The error names the full key
    /// (`log.rate_limit.alarm.burst: invalid type: ...`). A broken *sink*
    /// is not an error here (see the module docs and [`LogConfig::validate`]);
    /// any other error means the section is unusable, and the caller should
    /// log it and go on with [`LogConfig::default()`] so that file logging
    /// keeps working.
    pub fn from_json(value: serde_json::Value) -> Result<LogConfig, ConfigError> {
        if value.is_null() {
            return Ok(LogConfig::default());
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let key = if path.is_empty() || path == "." {
                "log".to_string()
            } else {
                format!("log.{path}")
            };
            ConfigError::new(key, e.into_inner().to_string())
        })
    }

    /// Every problem in the section. File logging works with any value that
    /// parsed (bad numbers are clamped); these errors are for the operator,
    /// and a sink with errors is not started.
    pub fn validate(&self) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        if self.keep_days == 0 {
            errors.push(ConfigError::new(
                "log.keep_days",
                "must be at least 1 (1 keeps only today's files)",
            ));
        }
        for (kind, rl) in self.rate_limit.iter() {
            if !rl.per_second.is_finite() || rl.per_second < 0.0 {
                errors.push(ConfigError::new(
                    format!("log.rate_limit.{kind}.per_second"),
                    format!("must be a number >= 0, got {}", rl.per_second),
                ));
            }
        }
        let mut names = HashSet::new();
        for (i, sink) in self.sinks.iter().enumerate() {
            if let Err(mut e) = sink.validate_at(i) {
                errors.append(&mut e);
            }
            if !sink.name.is_empty() && !names.insert(sink.name.as_str()) {
                errors.push(ConfigError::new(
                    format!("log.sinks[{i}].name"),
                    format!("duplicate sink name {:?}; each sink needs its own name (it names its checkpoint file)", sink.name),
                ));
            }
        }
        errors
    }

    /// The sinks that validate and whose names are unique (the first of a
    /// duplicated name wins): the ones the agent should start.
    pub fn usable_sinks(&self) -> Vec<&SinkConfig> {
        let mut names = HashSet::new();
        self.sinks
            .iter()
            .enumerate()
            .filter(|(i, s)| s.validate_at(*i).is_ok() && names.insert(s.name.as_str()))
            .map(|(_, s)| s)
            .collect()
    }
}

/// Rate limits of the four logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Default `{ burst: 200, per_second: 50 }`.
    pub alarm: RateLimit,
    /// Default `{ burst: 20, per_second: 1 }`.
    pub policy: RateLimit,
    /// Default `{ burst: 100, per_second: 20 }`.
    pub plugin: RateLimit,
    /// Default `{ burst: 100, per_second: 10 }`.
    pub rasp: RateLimit,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            alarm: RateLimit {
                burst: 200,
                per_second: 50.0,
            },
            policy: RateLimit {
                burst: 20,
                per_second: 1.0,
            },
            plugin: RateLimit {
                burst: 100,
                per_second: 20.0,
            },
            rasp: RateLimit {
                burst: 100,
                per_second: 10.0,
            },
        }
    }
}

impl RateLimits {
    /// The limit of one log.
    pub fn get(&self, kind: LogKind) -> RateLimit {
        match kind {
            LogKind::Alarm => self.alarm,
            LogKind::Policy => self.policy,
            LogKind::Plugin => self.plugin,
            LogKind::Rasp => self.rasp,
        }
    }

    fn iter(&self) -> impl Iterator<Item = (LogKind, RateLimit)> + '_ {
        LogKind::ALL.into_iter().map(|k| (k, self.get(k)))
    }
}

/// A token bucket: up to `burst` lines at once, refilled at `per_second`
/// lines per second. `burst: 0` switches limiting off for that log.
///
/// Limits are per process: with 50 php-fpm workers the log as a whole may
/// take 50 times the burst.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Bucket size (lines); 0 = unlimited.
    pub burst: u32,
    /// Refill rate (lines per second).
    pub per_second: f64,
}

/// How syslog messages are delimited on a TCP stream (RFC 6587).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framing {
    /// `LEN SP MSG` — robust against any byte in MSG; rsyslog, syslog-ng and
    /// Splunk understand it.
    #[default]
    #[serde(alias = "octet_counting")]
    OctetCounting,
    /// `MSG LF` — the traditional framing; fine since our lines never contain
    /// a newline.
    #[serde(alias = "lf", alias = "non-transparent")]
    Newline,
}

/// A syslog facility (0..=23), written in the config as a name (`local0`,
/// `user`, ...) or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facility(pub u8);

const FACILITIES: [&str; 24] = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
];

impl Facility {
    /// `local0` (16), the default.
    pub const LOCAL0: Facility = Facility(16);

    /// Parses a name (`local0`, `user`, `auth`, ...; also `audit` for 13) or
    /// a decimal number 0-23.
    pub fn parse(s: &str) -> Option<Facility> {
        let lower = s.trim().to_ascii_lowercase();
        if let Ok(n) = lower.parse::<u8>() {
            return (n < 24).then_some(Facility(n));
        }
        let lower = match lower.as_str() {
            "audit" => "security",
            "cron2" => "solaris-cron",
            other => other,
        };
        FACILITIES
            .iter()
            .position(|&n| n == lower)
            .map(|i| Facility(i as u8))
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        FACILITIES.get(usize::from(self.0)).copied().unwrap_or("?")
    }
}

impl Default for Facility {
    fn default() -> Facility {
        Facility::LOCAL0
    }
}

impl Serialize for Facility {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Facility {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Facility, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Name(String),
        }
        let bad = |shown: String| {
            serde::de::Error::custom(format!(
                "unknown syslog facility {shown}; use a name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, console, solaris-cron, local0 .. local7) or a number 0-23"
            ))
        };
        match Raw::deserialize(d)? {
            Raw::Num(n) if n < 24 => Ok(Facility(n as u8)),
            Raw::Num(n) => Err(bad(n.to_string())),
            Raw::Name(s) => Facility::parse(&s).ok_or_else(|| bad(format!("{s:?}"))),
        }
    }
}

/// One collector to ship logs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// Names the sink in messages and its checkpoint file
    /// (`logs/.ship/<name>.state`): letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// `tcp://host:port` or `udp://host:port` (IPv6 as `tcp://[::1]:514`).
    pub url: String,
    /// Syslog facility; default `local0`.
    #[serde(default)]
    pub facility: Facility,
    /// Syslog APP-NAME; default `php-rasp`; 1-48 printable ASCII, no spaces.
    #[serde(default = "default_tag")]
    pub tag: String,
    /// TCP framing; default octet counting. Ignored for UDP.
    #[serde(default)]
    pub framing: Framing,
    /// Default 3000.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Default 5000.
    #[serde(default = "default_write_timeout_ms")]
    pub write_timeout_ms: u64,
    /// How long to wait before connecting again after a failure; default
    /// 5000.
    #[serde(default = "default_reconnect_interval_ms")]
    pub reconnect_interval_ms: u64,
    /// Which logs to ship; default `[alarm, policy]`.
    #[serde(default = "default_logs")]
    pub logs: Vec<LogKind>,
    /// Most unshipped bytes kept per shipped log while the collector is
    /// unreachable; beyond it the oldest lines are dropped and counted.
    /// Default 256 MiB.
    #[serde(default = "default_spool_max_bytes")]
    pub spool_max_bytes: u64,
    /// Largest UDP datagram (header included); longer messages are truncated
    /// and marked. Default 8192 (rsyslog's default maxMessageSize); allowed
    /// 480-65507.
    #[serde(default = "default_udp_max_bytes")]
    pub udp_max_bytes: usize,
    /// UDP datagrams sent per second at most (0: no limit). A backlog sent
    /// as one burst would overflow the collector's receive buffer.
    #[serde(default = "default_udp_rate")]
    pub udp_max_rate: u32,

    /// Position in `log.sinks`, for error keys.
    #[serde(skip)]
    index: Option<usize>,
    /// Why this entry failed to parse, if it did.
    #[serde(skip)]
    parse_error: Option<ConfigError>,
}

fn default_tag() -> String {
    "php-rasp".to_string()
}
fn default_connect_timeout_ms() -> u64 {
    3000
}
fn default_write_timeout_ms() -> u64 {
    5000
}
fn default_reconnect_interval_ms() -> u64 {
    5000
}
fn default_logs() -> Vec<LogKind> {
    vec![LogKind::Alarm, LogKind::Policy]
}
fn default_spool_max_bytes() -> u64 {
    256 << 20
}
fn default_udp_rate() -> u32 {
    2000
}

fn default_udp_max_bytes() -> usize {
    8192
}

/// Transport of a sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP stream with [`Framing`].
    Tcp,
    /// One datagram per message.
    Udp,
}

impl SinkConfig {
    /// A sink with every optional key at its default.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> SinkConfig {
        SinkConfig {
            name: name.into(),
            url: url.into(),
            facility: Facility::default(),
            tag: default_tag(),
            framing: Framing::default(),
            connect_timeout_ms: default_connect_timeout_ms(),
            write_timeout_ms: default_write_timeout_ms(),
            reconnect_interval_ms: default_reconnect_interval_ms(),
            logs: default_logs(),
            spool_max_bytes: default_spool_max_bytes(),
            udp_max_bytes: default_udp_max_bytes(),
            udp_max_rate: default_udp_rate(),
            index: None,
            parse_error: None,
        }
    }

    /// Checks every key. Errors name the full key
    /// (`log.sinks[0].url: unsupported scheme "http"; use tcp://host:port or
    /// udp://host:port`); for a sink built in code rather than parsed from a
    /// list, the index shows as `log.sinks[?]`.
    pub fn validate(&self) -> Result<(), Vec<ConfigError>> {
        match self.index {
            Some(i) => self.validate_at(i),
            None => self.validate_with_prefix("log.sinks[?]"),
        }
    }

    fn validate_at(&self, index: usize) -> Result<(), Vec<ConfigError>> {
        self.validate_with_prefix(&format!("log.sinks[{index}]"))
    }

    fn validate_with_prefix(&self, prefix: &str) -> Result<(), Vec<ConfigError>> {
        if let Some(e) = &self.parse_error {
            return Err(vec![e.clone()]);
        }
        let mut errors = Vec::new();
        let mut err =
            |key: &str, msg: String| errors.push(ConfigError::new(format!("{prefix}.{key}"), msg));

        if self.name.is_empty()
            || self.name.len() > 64
            || self.name.starts_with('.')
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            err(
                "name",
                format!(
                    "invalid sink name {:?}; use 1-64 letters, digits, '-', '_' or '.', not starting with '.'",
                    self.name
                ),
            );
        }
        if let Err(msg) = parse_url(&self.url) {
            err("url", msg);
        }
        if self.facility.0 > 23 {
            err(
                "facility",
                format!(
                    "{} is out of range; use 0-23 or a name like local0",
                    self.facility.0
                ),
            );
        }
        if self.tag.is_empty()
            || self.tag.len() > 48
            || !self.tag.bytes().all(|b| (33..=126).contains(&b))
        {
            err(
                "tag",
                format!("invalid tag {:?}; use 1-48 printable ASCII characters without spaces (syslog APP-NAME)", self.tag),
            );
        }
        for (key, v) in [
            ("connect_timeout_ms", self.connect_timeout_ms),
            ("write_timeout_ms", self.write_timeout_ms),
            ("reconnect_interval_ms", self.reconnect_interval_ms),
        ] {
            if v == 0 || v > 3_600_000 {
                err(
                    key,
                    format!("{v} is out of range; use 1-3600000 milliseconds"),
                );
            }
        }
        if self.logs.is_empty() {
            err(
                "logs",
                "is empty; list at least one of alarm, policy, plugin, rasp".to_string(),
            );
        }
        let mut seen = HashSet::new();
        for kind in &self.logs {
            if !seen.insert(*kind) {
                err("logs", format!("{kind} is listed twice"));
            }
        }
        if self.spool_max_bytes == 0 {
            err("spool_max_bytes", "must be at least 1 (bytes)".to_string());
        }
        if !(480..=65507).contains(&self.udp_max_bytes) {
            err(
                "udp_max_bytes",
                format!("{} is out of range; use 480-65507", self.udp_max_bytes),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The transport, host and port of a valid URL.
    pub fn endpoint(&self) -> Option<(Transport, String, u16)> {
        parse_url(&self.url).ok()
    }
}

/// Parses `tcp://host:port` / `udp://host:port`.
fn parse_url(url: &str) -> Result<(Transport, String, u16), String> {
    let hint = "use tcp://host:port or udp://host:port";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{url:?} is not a URL; {hint}"));
    };
    let transport = match scheme.to_ascii_lowercase().as_str() {
        "tcp" => Transport::Tcp,
        "udp" => Transport::Udp,
        other => return Err(format!("unsupported scheme {other:?}; {hint}")),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') || rest.contains('?') || rest.contains('@') {
        return Err(format!("{url:?} has a path, query or user part; {hint}"));
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(format!(
                "{url:?} has an unclosed '['; write IPv6 as tcp://[::1]:514"
            ));
        };
        let Some(port) = after.strip_prefix(':') else {
            return Err(format!("{url:?} has no port; {hint}"));
        };
        (host, port)
    } else {
        let Some((host, port)) = rest.rsplit_once(':') else {
            return Err(format!("{url:?} has no port; {hint}"));
        };
        if host.contains(':') {
            return Err(format!(
                "{url:?}: write an IPv6 address in brackets, e.g. tcp://[::1]:514"
            ));
        }
        (host, port)
    };
    if host.is_empty() {
        return Err(format!("{url:?} has no host; {hint}"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok((transport, host.to_string(), p)),
        _ => Err(format!("{url:?} has an invalid port {port:?}; use 1-65535")),
    }
}

/// Parses each sink on its own, so that one broken entry cannot fail the
/// whole `log:` section (and with it file logging).
fn lenient_sinks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SinkConfig>, D::Error> {
    let raw: Option<Vec<serde_json::Value>> = Option::deserialize(d)?;
    let raw = raw.unwrap_or_default();
    let mut out = Vec::with_capacity(raw.len());
    for (i, value) in raw.into_iter().enumerate() {
        let name = value
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let url = value
            .get("url")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        match serde_path_to_error::deserialize::<_, SinkConfig>(value) {
            Ok(mut sink) => {
                sink.index = Some(i);
                out.push(sink);
            }
            Err(e) => {
                let path = e.path().to_string();
                let key = if path.is_empty() || path == "." {
                    format!("log.sinks[{i}]")
                } else {
                    format!("log.sinks[{i}].{path}")
                };
                let mut sink = SinkConfig::new(name, url);
                sink.index = Some(i);
                sink.parse_error = Some(ConfigError::new(key, e.into_inner().to_string()));
                out.push(sink);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("tcp://127.0.0.1:514").unwrap(),
            (Transport::Tcp, "127.0.0.1".into(), 514)
        );
        assert_eq!(
            parse_url("UDP://[::1]:5514").unwrap(),
            (Transport::Udp, "::1".into(), 5514)
        );
        assert_eq!(
            parse_url("tcp://log.example:6514/").unwrap().1,
            "log.example"
        );
        for bad in [
            "http://x:1",
            "tcp://x",
            "tcp://:1",
            "tcp://x:0",
            "tcp://x:70000",
            "x:1",
            "tcp://::1:5",
            "tcp://a/b:1",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn facilities() {
        assert_eq!(Facility::parse("local7"), Some(Facility(23)));
        assert_eq!(Facility::parse("USER"), Some(Facility(1)));
        assert_eq!(Facility::parse("13"), Some(Facility(13)));
        assert_eq!(Facility::parse("audit"), Some(Facility(13)));
        assert_eq!(Facility::parse("24"), None);
        assert_eq!(Facility::parse("local8"), None);
        for i in 0..24u8 {
            assert_eq!(Facility::parse(Facility(i).name()), Some(Facility(i)));
        }
    }
}
