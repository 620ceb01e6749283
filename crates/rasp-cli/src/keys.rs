//! `rasp config keys`: every php.ini and rasp.yml key with its type, default
//! and meaning, as text or as the Markdown reference that
//! `docs/configuration.md` embeds (a test keeps the two equal).
//!
//! Sources: rasp.yml keys come from `rasp_core::config::KEYS`; the `log:`
//! keys and their defaults from `rasp_log::LogConfig`'s own serialisation
//! (the meaning is documented here, and a test fails when rasp-log gains a
//! key this table does not describe); php.ini keys from [`INI_KEYS`] (a test
//! compares them with the entries rasp-ext registers).

use serde_json::Value;

/// One documented key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub ty: String,
    pub default: String,
    pub doc: String,
}

/// php.ini entries (registered by rasp-ext, `PHP_INI_SYSTEM`).
pub const INI_KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "rasp.enabled",
        "boolean",
        "1",
        "Off: the extension loads but installs no hooks (no protection, no cost). Read at startup.",
    ),
    (
        "rasp.root_dir",
        "path",
        "/var/lib/php-rasp",
        "Directory with `conf/rasp.yml`, `plugins/*.js` and `logs/`. In php.ini, or per php-fpm pool with `php_admin_value[rasp.root_dir]`.",
    ),
];

/// Meaning of each `log:` key; the type and default come from rasp-log.
/// `<log>` stands for each of alarm, policy, plugin, rasp.
pub const LOG_DOCS: &[(&str, &str, &str)] = &[
    ("log.rotate", "daily", "Rotation scheme; one file per day is the only one."),
    ("log.keep_days", "integer >= 1", "Days of files kept, counting today; files a sink has not shipped yet are kept longer."),
    ("log.utc", "boolean", "Name days and write time offsets in UTC instead of the system zone."),
    ("log.rate_limit.<log>.burst", "integer >= 0", "Lines one process may write at once to that log; 0 = unlimited."),
    ("log.rate_limit.<log>.per_second", "number >= 0", "Refill rate of that log's bucket (lines per second, per process)."),
    ("log.sinks", "list", "Syslog collectors the agent ships logs to; each entry has the keys below."),
    ("log.sinks[].name", "string (required)", "Names the sink in messages and its checkpoint file: letters, digits, `-`, `_`, `.`; unique."),
    ("log.sinks[].url", "string (required)", "`tcp://host:port` or `udp://host:port` (IPv6: `tcp://[::1]:514`)."),
    ("log.sinks[].facility", "name or 0-23", "Syslog facility (`kern`, `user`, ..., `local0`-`local7`)."),
    ("log.sinks[].tag", "string", "Syslog APP-NAME, 1-48 printable ASCII, no spaces."),
    ("log.sinks[].framing", "octet-counting | newline", "TCP framing (RFC 6587); ignored for UDP."),
    ("log.sinks[].connect_timeout_ms", "integer", "TCP connect timeout."),
    ("log.sinks[].write_timeout_ms", "integer", "TCP write timeout."),
    ("log.sinks[].reconnect_interval_ms", "integer", "Wait before connecting again after a failure."),
    ("log.sinks[].logs", "list of alarm, policy, plugin, rasp", "Which logs this sink ships."),
    ("log.sinks[].spool_max_bytes", "integer", "Unshipped bytes kept per log while the collector is unreachable; beyond it the oldest lines are dropped and counted."),
    ("log.sinks[].udp_max_bytes", "integer 480-65507", "Largest UDP datagram; longer messages are truncated and marked."),
    ("log.sinks[].udp_max_rate", "integer", "UDP datagrams per second at most; 0 = no limit."),
];

const LOG_KINDS: [&str; 4] = ["alarm", "policy", "plugin", "rasp"];

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Leaf paths and values of a serialised config (`rate_limit.alarm.burst`).
fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                leaves(&format!("{prefix}.{k}"), v, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// Every `log:` leaf key as rasp-log serialises its defaults, with the
/// generic `<log>` and `[]` spelling of [`LOG_DOCS`].
pub fn log_defaults() -> Vec<(String, String)> {
    let mut raw = Vec::new();
    let cfg = serde_json::to_value(rasp_log::LogConfig::default()).unwrap_or(Value::Null);
    leaves("log", &cfg, &mut raw);
    let sink = serde_json::to_value(rasp_log::SinkConfig::new("", "")).unwrap_or(Value::Null);
    leaves("log.sinks[]", &sink, &mut raw);
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in raw {
        let (generic, shown) = match LOG_KINDS
            .iter()
            .find(|kind| k.starts_with(&format!("log.rate_limit.{kind}.")))
        {
            Some(kind) => {
                let generic = k.replace(&format!(".{kind}."), ".<log>.");
                // One row for the four logs: "alarm 200, policy 20, ...".
                let shown = format!("{kind} {}", show(&v));
                (generic, shown)
            }
            None => (k.clone(), show(&v)),
        };
        if let Some(row) = out.iter_mut().find(|(g, _)| *g == generic) {
            row.1.push_str(", ");
            row.1.push_str(&shown);
        } else {
            out.push((generic, shown));
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// php.ini rows.
pub fn ini_rows() -> Vec<Row> {
    INI_KEYS
        .iter()
        .map(|(k, t, d, doc)| Row {
            key: k.to_string(),
            ty: t.to_string(),
            default: d.to_string(),
            doc: doc.to_string(),
        })
        .collect()
}

/// rasp.yml rows (the `log` subtree expanded).
pub fn yml_rows() -> Vec<Row> {
    let mut out = Vec::new();
    for k in rasp_core::config::KEYS {
        if k.key == "log" {
            let defaults = log_defaults();
            for (key, ty, doc) in LOG_DOCS {
                let default = defaults
                    .iter()
                    .find(|(g, _)| g == key)
                    .map_or_else(|| "none".to_string(), |(_, d)| d.clone());
                let default = if key.ends_with("].name") || key.ends_with("].url") {
                    "(required)".to_string()
                } else if *key == "log.sinks" {
                    "[]".to_string()
                } else {
                    default
                };
                out.push(Row {
                    key: key.to_string(),
                    ty: ty.to_string(),
                    default,
                    doc: doc.to_string(),
                });
            }
            continue;
        }
        out.push(Row {
            key: k.key.to_string(),
            ty: k.ty.to_string(),
            default: k.default.to_string(),
            doc: k.doc.to_string(),
        });
    }
    out
}

fn md_table(rows: &[Row]) -> String {
    let mut s = String::from("| key | type | default | meaning |\n|---|---|---|---|\n");
    for r in rows {
        let d = r.default.as_str();
        let default = if d == "(required)" {
            "required".to_string()
        } else if d.starts_with('[') || !d.contains(' ') {
            format!("`{}`", md_escape(d))
        } else {
            md_escape(d)
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            md_escape(&r.key),
            md_escape(&r.ty),
            default,
            md_escape(&r.doc)
        ));
    }
    s
}

/// The Markdown reference embedded in docs/configuration.md.
pub fn markdown() -> String {
    let mut s = String::new();
    s.push_str("### php.ini\n\n");
    s.push_str(&md_table(&ini_rows()));
    s.push_str("\n### rasp.yml\n\n");
    s.push_str(&md_table(&yml_rows()));
    s
}

/// Plain text for a terminal.
pub fn text() -> String {
    let mut s = String::new();
    for (title, rows) in [("php.ini", ini_rows()), ("rasp.yml", yml_rows())] {
        s.push_str(title);
        s.push('\n');
        for r in rows {
            s.push_str(&format!(
                "  {}  ({}; default {})\n      {}\n",
                r.key, r.ty, r.default, r.doc
            ));
        }
        s.push('\n');
    }
    s.push_str("Details: docs/configuration.md; the log: section: docs/logs.md.\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// Every key rasp-log serialises is described, and nothing else.
    #[test]
    fn log_docs_cover_rasp_log() {
        let defaults = log_defaults();
        for (k, _) in &defaults {
            assert!(
                LOG_DOCS.iter().any(|(d, _, _)| d == k),
                "rasp-log has the key {k} but LOG_DOCS (crates/rasp-cli/src/keys.rs) does not describe it"
            );
        }
        for (d, _, _) in LOG_DOCS {
            assert!(
                *d == "log.sinks" || defaults.iter().any(|(k, _)| k == d),
                "LOG_DOCS describes {d}, which rasp-log does not have"
            );
        }
        let keep = defaults.iter().find(|(k, _)| k == "log.keep_days").unwrap();
        assert_eq!(keep.1, "7");
        let burst = defaults
            .iter()
            .find(|(k, _)| k == "log.rate_limit.<log>.burst")
            .unwrap();
        assert_eq!(burst.1, "alarm 200, policy 20, plugin 100, rasp 100");
    }

    /// The php.ini table matches what rasp-ext registers.
    #[test]
    fn ini_keys_match_the_extension() {
        let src = std::fs::read_to_string(repo().join("crates/rasp-ext/src/lib.rs")).unwrap();
        let mut found = Vec::new();
        let mut rest = src.as_str();
        while let Some(at) = rest.find("IniEntryDef::new(") {
            rest = &rest[at + "IniEntryDef::new(".len()..];
            let strs: Vec<&str> = rest
                .split("c\"")
                .skip(1)
                .take(2)
                .map(|s| s.split('"').next().unwrap_or(""))
                .collect();
            found.push((strs[0].to_string(), strs[1].to_string()));
        }
        let ours: Vec<(String, String)> = INI_KEYS
            .iter()
            .map(|(k, _, d, _)| (k.to_string(), d.to_string()))
            .collect();
        assert_eq!(found, ours, "INI_KEYS in crates/rasp-cli/src/keys.rs must list rasp-ext's ini entries with their defaults");
    }

    /// docs/configuration.md embeds `rasp config keys --markdown` verbatim.
    #[test]
    fn configuration_md_is_current() {
        let path = repo().join("docs/configuration.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let begin = "<!-- BEGIN generated by `rasp config keys --markdown` -->\n";
        let end = "<!-- END generated -->";
        let (Some(a), Some(b)) = (doc.find(begin), doc.find(end)) else {
            panic!("docs/configuration.md lacks the markers {begin:?} and {end:?}");
        };
        let embedded = &doc[a + begin.len()..b];
        let want = markdown();
        assert!(
            embedded.trim() == want.trim(),
            "docs/configuration.md is out of date with the KEYS table; regenerate the section with\n  \
             cargo run -p rasp-cli -- config keys --markdown --update docs/configuration.md\n\
             --- expected ---\n{want}"
        );
    }

    #[test]
    fn every_key_has_a_row() {
        let rows = yml_rows();
        for k in rasp_core::config::KEYS {
            if k.key != "log" {
                assert!(rows.iter().any(|r| r.key == k.key), "{}", k.key);
            }
        }
        assert!(rows
            .iter()
            .any(|r| r.key == "log.sinks[].facility" && r.default == "local0"));
    }
}
