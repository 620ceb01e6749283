//! `rasp plugin bench`: what a plugin costs per check.
//!
//! For every check type the plugins register, checks run N times in the
//! same V8 engine the extension uses, over the cases of JSON fixtures (the
//! `rasp plugin test` format) or over synthetic benign params. Each round
//! times two checks of one case:
//!
//! * **first**: the first check of a request: the request context crosses
//!   into V8 as JSON and is parsed there;
//! * **later**: another check of the same request: only params cross.
//!
//! Reported per type: p50 / p99 / max of each, in microseconds, and the
//! verdicts the cases got. Also timed once: compiling the plugins into a
//! snapshot (the agent, per reload) and restoring an isolate from it (each
//! worker, per reload).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rasp_core::verdict::decisive;
use rasp_core::{Action, CheckType};
use rasp_v8::{Engine, EngineOptions, PluginSource, Snapshot};
use serde_json::{json, Value};

use crate::plugin_test::{self, SetupError};

pub struct Options {
    pub plugins: Vec<PathBuf>,
    /// Fixture files/dirs; empty: synthetic params.
    pub fixtures: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub iterations: usize,
    /// Only these check types (empty: every registered type).
    pub types: Vec<CheckType>,
    pub timeout: Duration,
}

/// One prepared check.
struct Sample {
    params: String,
    context: String,
}

/// Latency figures of one series, in nanoseconds.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Stats {
    pub p50: u64,
    pub p99: u64,
    pub max: u64,
}

/// p50/p99/max of a series (sorted in place).
pub fn stats(ns: &mut [u64]) -> Stats {
    if ns.is_empty() {
        return Stats::default();
    }
    ns.sort_unstable();
    let at = |q: f64| ns[((ns.len() as f64 * q).ceil() as usize).clamp(1, ns.len()) - 1];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        max: ns[ns.len() - 1],
    }
}

fn us(ns: u64) -> String {
    if ns >= 10_000_000 {
        format!("{:.0} ms", ns as f64 / 1e6)
    } else if ns >= 1_000_000 {
        format!("{:.1} ms", ns as f64 / 1e6)
    } else {
        format!("{:.1} µs", ns as f64 / 1e3)
    }
}

fn ctx(parameter: Value) -> Value {
    plugin_test::complete_context(json!({
        "url": "http://shop.example/item.php?id=42&q=hello+world",
        "path": "/item.php",
        "querystring": "id=42&q=hello+world",
        "header": {"host": "shop.example", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)", "accept": "text/html"},
        "parameter": parameter,
        "appBasePath": "/var/www/html",
    }))
}

/// Benign params for each check type, with a request whose values occur in
/// them (the expensive path of user-input algorithms).
pub fn synthetic(t: CheckType) -> Vec<(Value, Value)> {
    let p = |v: Value| json!({"id": ["42"], "q": ["hello world"], "name": [v]});
    let stack = json!([
        "/var/www/html/item.php@query:12",
        "/var/www/html/index.php@include:3"
    ]);
    let one = |params: Value, name: &str| {
        let mut params = params;
        params["stack"] = stack.clone();
        (params, ctx(p(json!(name))))
    };
    match t {
        CheckType::Sql | CheckType::SqlPrepared => vec![
            one(
                json!({"query": "SELECT id, name, email FROM users WHERE id = 42", "server": "mysql"}),
                "alice",
            ),
            one(
                json!({"query": "SELECT * FROM users WHERE name = 'O''Brien' AND q = 'hello world' ORDER BY id LIMIT 20", "server": "pgsql"}),
                "O'Brien",
            ),
            one(
                json!({"query": "INSERT INTO log (msg, at) VALUES ('hello world', NOW())", "server": "sqlite"}),
                "bob",
            ),
        ],
        CheckType::SqlException => vec![one(
            json!({"query": "SELECT * FROM users WHERE id = 42", "server": "mysql", "error_code": "1146", "error_msg": "Table 'shop.users' doesn't exist"}),
            "alice",
        )],
        CheckType::DbConnection => vec![one(
            json!({"server": "mysql", "hostname": "db", "port": "3306", "username": "shop", "socket": "", "connectionString": "mysql:host=db;dbname=shop"}),
            "alice",
        )],
        CheckType::Command => vec![
            one(
                json!({"command": "convert /tmp/upload_42.png -resize 200x200 /var/www/html/thumbs/42.png"}),
                "42",
            ),
            one(
                json!({"command": "getent hosts example.com"}),
                "example.com",
            ),
        ],
        CheckType::ReadFile
        | CheckType::WriteFile
        | CheckType::DeleteFile
        | CheckType::Directory => vec![
            one(
                json!({"path": "/var/www/html/templates/item.html", "realpath": "/var/www/html/templates/item.html"}),
                "item",
            ),
            one(
                json!({"path": "uploads/report-42.pdf", "realpath": "/var/www/html/uploads/report-42.pdf"}),
                "report-42.pdf",
            ),
        ],
        CheckType::Include => vec![one(
            json!({"path": "/var/www/html/lib/db.php", "url": "/var/www/html/lib/db.php", "realpath": "/var/www/html/lib/db.php", "function": "require_once"}),
            "alice",
        )],
        CheckType::Copy | CheckType::Rename => vec![one(
            json!({"source": "/tmp/phpA1b2C3", "dest": "/var/www/html/uploads/photo-42.jpg"}),
            "photo-42.jpg",
        )],
        CheckType::FileUpload => vec![one(
            json!({"name": "photo", "filename": "holiday.jpg", "dest_path": "uploads/holiday.jpg", "dest_realpath": "/var/www/html/uploads/holiday.jpg", "content": "\u{ff}\u{d8}\u{ff}\u{e0}JFIF"}),
            "holiday.jpg",
        )],
        CheckType::Ssrf => vec![one(
            json!({"url": "https://api.example.com/v1/items?id=42", "hostname": "api.example.com", "port": "443", "ip": ["93.184.216.34"], "function": "curl_exec"}),
            "https://api.example.com/v1/items?id=42",
        )],
        CheckType::SsrfRedirect => vec![one(
            json!({"url": "https://example.com/a", "hostname": "example.com", "port": "443", "ip": ["93.184.216.34"], "url2": "https://www.example.com/a", "hostname2": "www.example.com", "port2": "443", "ip2": ["93.184.216.34"], "http_status": "301", "http_message": "Moved Permanently", "function": "curl_exec"}),
            "https://example.com/a",
        )],
        CheckType::Xxe => vec![one(
            json!({"entity": "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd", "type": "system"}),
            "alice",
        )],
        CheckType::Eval => vec![one(
            json!({"code": "return 6 * 7;", "function": "eval"}),
            "42",
        )],
        CheckType::Deserialization => vec![one(
            json!({"data": "a:2:{s:2:\"id\";i:42;s:4:\"name\";s:5:\"alice\";}", "clazz": []}),
            "alice",
        )],
        CheckType::Response => vec![one(
            json!({"content": "<html><body>hello world</body></html>", "content_type": "text/html"}),
            "alice",
        )],
        _ => vec![one(json!({}), "alice")],
    }
}

/// Result of one type.
pub struct Row {
    pub cases: usize,
    pub first: Stats,
    pub later: Stats,
    pub block: usize,
    pub log: usize,
    pub ignore: usize,
    pub faults: usize,
}

fn load_config(opts: &Options) -> Result<(EngineOptions, bool), SetupError> {
    let mut eo = EngineOptions {
        timeout: opts.timeout,
        ..Default::default()
    };
    let mut monitor = false;
    if let Some(p) = &opts.config {
        let text = std::fs::read_to_string(p)
            .map_err(|e| SetupError(format!("cannot read config {}: {e}", p.display())))?;
        let cfg = rasp_core::RaspConfig::parse(&text)
            .map_err(|e| SetupError(format!("config {} is invalid:\n{e}", p.display())))?;
        eo = crate::config_check::engine_options(&cfg);
        eo.timeout = opts.timeout;
        monitor = cfg.plugin.monitor_mode;
    }
    Ok((eo, monitor))
}

/// Runs the benchmark and prints the table.
pub fn run(opts: &Options, out: &mut dyn Write) -> Result<Vec<Row>, SetupError> {
    let sources: Vec<PluginSource> = plugin_test::load_plugins(&opts.plugins)?;
    let (eo, monitor) = load_config(opts)?;
    let names = sources
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");

    let t0 = Instant::now();
    let snapshot = Snapshot::build(&sources, &eo).map_err(|e| SetupError(e.to_string()))?;
    let build = t0.elapsed();
    let t1 = Instant::now();
    let mut engine =
        Engine::from_snapshot(&snapshot, &eo).map_err(|e| SetupError(e.to_string()))?;
    let restore = t1.elapsed();

    // Cases by type.
    let mut by_type: BTreeMap<CheckType, Vec<Sample>> = BTreeMap::new();
    let source_desc = if opts.fixtures.is_empty() {
        for t in CheckType::ALL
            .iter()
            .copied()
            .filter(|t| engine.handles(*t))
        {
            for (params, context) in synthetic(t) {
                by_type.entry(t).or_default().push(Sample {
                    params: params.to_string(),
                    context: context.to_string(),
                });
            }
        }
        "synthetic benign params (pass fixtures to use your own cases)".to_string()
    } else {
        let files = plugin_test::collect(&opts.fixtures, "json", "fixture")?;
        for f in &files {
            let fx = plugin_test::parse_fixture(f)?;
            for c in fx.cases {
                by_type.entry(c.check).or_default().push(Sample {
                    params: c.params.to_string(),
                    context: c.context.to_string(),
                });
            }
        }
        format!(
            "{} fixture file{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )
    };
    if !opts.types.is_empty() {
        by_type.retain(|t, _| opts.types.contains(t));
    }
    let unhandled: Vec<&str> = by_type
        .keys()
        .filter(|t| !engine.handles(**t))
        .map(|t| t.as_str())
        .collect();
    let unhandled = unhandled.join(", ");
    by_type.retain(|t, _| engine.handles(*t));
    if by_type.is_empty() {
        return Err(SetupError(
            "nothing to measure: no case has a check type the plugins register (see --type and the fixtures)".into(),
        ));
    }

    let _ = writeln!(
        out,
        "plugin bench: {names}\n  {} iterations per type over {source_desc}{}\n  \
         snapshot build (agent, once per reload): {:.1} ms; isolate restore (each worker, once per reload): {:.1} ms\n",
        opts.iterations,
        if monitor { "; monitor mode" } else { "" },
        build.as_secs_f64() * 1e3,
        restore.as_secs_f64() * 1e3,
    );
    let _ = writeln!(
        out,
        "{:<18} {:>5}  {:>10} {:>10}  {:>10} {:>10}  {:>10}  {:>5} {:>5} {:>6} {:>6}",
        "type",
        "cases",
        "first p50",
        "first p99",
        "later p50",
        "later p99",
        "max",
        "block",
        "log",
        "ignore",
        "faults"
    );
    let mut serial = 0u64;
    let mut rows = Vec::new();
    for (t, samples) in &by_type {
        let mut row = Row {
            cases: samples.len(),
            first: Stats::default(),
            later: Stats::default(),
            block: 0,
            log: 0,
            ignore: 0,
            faults: 0,
        };
        // Verdicts, once per case; also warms the engine up.
        for s in samples {
            serial += 1;
            let o = engine.check(*t, &s.params, serial, || s.context.clone());
            if o.fault.is_some() || !o.errors.is_empty() {
                row.faults += 1;
            }
            let verdicts: Vec<_> = o
                .verdicts
                .into_iter()
                .map(|v| if monitor { v.downgraded() } else { v })
                .collect();
            match decisive(&verdicts).map(|v| v.action) {
                Some(Action::Block) => row.block += 1,
                Some(Action::Log) => row.log += 1,
                _ => row.ignore += 1,
            }
        }
        let mut first = Vec::with_capacity(opts.iterations);
        let mut later = Vec::with_capacity(opts.iterations);
        for i in 0..opts.iterations {
            let s = &samples[i % samples.len()];
            serial += 1;
            let a = Instant::now();
            let o1 = engine.check(*t, &s.params, serial, || s.context.clone());
            first.push(a.elapsed().as_nanos() as u64);
            let b = Instant::now();
            let o2 = engine.check(*t, &s.params, serial, || s.context.clone());
            later.push(b.elapsed().as_nanos() as u64);
            if matches!(o1.fault, Some(rasp_v8::Fault::HeapLimit))
                || matches!(o2.fault, Some(rasp_v8::Fault::HeapLimit))
                || engine.is_poisoned()
            {
                engine =
                    Engine::from_snapshot(&snapshot, &eo).map_err(|e| SetupError(e.to_string()))?;
            }
        }
        row.first = stats(&mut first);
        row.later = stats(&mut later);
        let max = row.first.max.max(row.later.max);
        let _ = writeln!(
            out,
            "{:<18} {:>5}  {:>10} {:>10}  {:>10} {:>10}  {:>10}  {:>5} {:>5} {:>6} {:>6}",
            t.as_str(),
            row.cases,
            us(row.first.p50),
            us(row.first.p99),
            us(row.later.p50),
            us(row.later.p99),
            us(max),
            row.block,
            row.log,
            row.ignore,
            row.faults
        );
        rows.push(row);
    }
    let _ = writeln!(
        out,
        "\nfirst = first check of a request (context parsed in V8); later = further checks of the same request.\n\
         Deadline per check: {} ms (--timeout-ms); faults = checks with a plugin error or a timeout.",
        opts.timeout.as_millis()
    );
    if !unhandled.is_empty() {
        let _ = writeln!(
            out,
            "Not registered by the plugins (such checks never enter V8): {unhandled}"
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut v: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(
            stats(&mut v),
            Stats {
                p50: 50,
                p99: 99,
                max: 100
            }
        );
        assert_eq!(
            stats(&mut [7]),
            Stats {
                p50: 7,
                p99: 7,
                max: 7
            }
        );
        assert_eq!(stats(&mut []), Stats::default());
        assert_eq!(us(1_500), "1.5 µs");
        assert_eq!(us(2_500_000), "2.5 ms");
    }

    #[test]
    fn synthetic_params_for_every_type() {
        for t in CheckType::ALL {
            let s = synthetic(*t);
            assert!(!s.is_empty(), "{t}");
            for (p, c) in s {
                assert!(p["stack"].is_array(), "{t}");
                assert!(c["parameter"]["id"][0] == "42", "{t}");
            }
        }
    }
}
