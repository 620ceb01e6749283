//! `rasp plugin test`: runs plugins against JSON fixtures, without PHP.
//!
//! A fixture file is either an array of cases or an object:
//!
//! ```json
//! {
//!   "description": "what the file covers",
//!   "comment": "free text, e.g. where payloads come from and their licence",
//!   "algorithm_config": { "sql_userinput": { "action": "log" } },
//!   "monitor_mode": false,
//!   "defaults": { "type": "sql", "params": { "server": "mysql" }, "context": { ... } },
//!   "cases": [
//!     { "name": "tautology in a numeric id",
//!       "params": { "query": "SELECT 1 FROM t WHERE id = 1 or 1=1" },
//!       "context": { "parameter": { "id": ["1 or 1=1"] } },
//!       "expect": "block", "algorithm": "sql_userinput" }
//!   ]
//! }
//! ```
//!
//! A case's `params` and `context` are merged over the file's `defaults`
//! (key by key, the case winning); missing context fields get the empty
//! values the extension would send. `expect` is the decisive action (after
//! monitor mode); `algorithm` and `message` (a substring), when given, must
//! match the decisive verdict. A plugin error or engine fault fails a case
//! whatever it expected.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rasp_core::gate::{GatePass, NAMED_HANDLERS};
use rasp_core::inputs::RequestInputs;
use rasp_core::verdict::decisive;
use rasp_core::{Action, CheckType, RaspConfig, Verdict};
use rasp_v8::{CheckOutcome, Engine, EngineOptions, PluginSource};
use serde_json::{Map, Value};

/// What to run.
pub struct Options {
    /// Plugin files or directories (every `*.js` directly inside).
    pub plugins: Vec<PathBuf>,
    /// Fixture files or directories (every `*.json` directly inside).
    pub fixtures: Vec<PathBuf>,
    /// A rasp.yml whose `plugin.algorithm_config` and `plugin.monitor_mode` apply.
    pub config: Option<PathBuf>,
    /// Only cases whose `file: name` contains this.
    pub filter: Option<String>,
    /// Print only failures and the summary.
    pub quiet: bool,
    /// Print the verdict of passing cases too.
    pub verbose: bool,
    pub timeout: Duration,
}

/// A problem that stops the run before any case ran (exit code 2).
#[derive(Debug)]
pub struct SetupError(pub String);

/// One case, merged with its file's defaults.
pub(crate) struct Case {
    pub(crate) file: String,
    pub(crate) name: String,
    pub(crate) check: CheckType,
    pub(crate) params: Value,
    pub(crate) context: Value,
    expect: Action,
    algorithm: Option<String>,
    message: Option<String>,
}

/// One fixture file.
pub(crate) struct Fixture {
    path: PathBuf,
    pub(crate) algorithm_config: Option<Value>,
    monitor_mode: Option<bool>,
    pub(crate) cases: Vec<Case>,
}

/// Totals of a run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
}

pub(crate) fn collect(
    paths: &[PathBuf],
    ext: &str,
    what: &str,
) -> Result<Vec<PathBuf>, SetupError> {
    let mut out = Vec::new();
    for p in paths {
        let meta =
            fs::metadata(p).map_err(|e| SetupError(format!("{what} {}: {e}", p.display())))?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(p)
                .map_err(|e| {
                    SetupError(format!("cannot list {what} directory {}: {e}", p.display()))
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == ext) && f.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(SetupError(format!(
                    "no *.{ext} files in {what} directory {}",
                    p.display()
                )));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads plugin sources, in the order given (directories sorted by name).
pub fn load_plugins(paths: &[PathBuf]) -> Result<Vec<PluginSource>, SetupError> {
    collect(paths, "js", "plugin")?
        .into_iter()
        .map(|f| {
            let source = fs::read_to_string(&f)
                .map_err(|e| SetupError(format!("cannot read plugin {}: {e}", f.display())))?;
            Ok(PluginSource {
                name: f.display().to_string(),
                source,
            })
        })
        .collect()
}

fn str_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    where_: &str,
) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{where_}: \"{key}\" must be a string")),
    }
}

/// `over` merged onto `base`, key by key (objects only; otherwise `over`).
pub(crate) fn merged(base: Option<&Value>, over: Option<&Value>) -> Value {
    match (base, over) {
        (Some(Value::Object(b)), Some(Value::Object(o))) => {
            let mut m = b.clone();
            for (k, v) in o {
                m.insert(k.clone(), v.clone());
            }
            Value::Object(m)
        }
        (_, Some(o)) => o.clone(),
        (Some(b), None) => b.clone(),
        (None, None) => Value::Object(Map::new()),
    }
}

/// The context fields the extension always sends, empty.
pub(crate) fn complete_context(ctx: Value) -> Value {
    let mut m = match ctx {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let defaults = serde_json::json!({
        "requestId": "fixture",
        "url": "", "path": "", "method": "get", "protocol": "http/1.1", "querystring": "",
        "remoteAddr": "127.0.0.1", "clientIp": "127.0.0.1",
        "header": {}, "parameter": {}, "cookie": {}, "json": {}, "body": "",
        "server": { "language": "php", "version": "8.2", "os": "Linux" },
        "appBasePath": "",
    });
    if let Value::Object(d) = defaults {
        for (k, v) in d {
            m.entry(k).or_insert(v);
        }
    }
    Value::Object(m)
}

pub(crate) fn parse_fixture(path: &Path) -> Result<Fixture, SetupError> {
    let text = fs::read_to_string(path)
        .map_err(|e| SetupError(format!("cannot read fixture {}: {e}", path.display())))?;
    let root: Value = serde_json::from_str(&text).map_err(|e| {
        SetupError(format!(
            "fixture {} is not valid JSON: {e} (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let bad = |m: String| SetupError(format!("fixture {}: {m}", path.display()));
    let empty = Map::new();
    let (top, cases) = match &root {
        Value::Array(a) => (&empty, a),
        Value::Object(o) => match o.get("cases") {
            Some(Value::Array(a)) => (o, a),
            _ => {
                return Err(bad(
                    "expected an array of cases, or an object with a \"cases\" array".into(),
                ))
            }
        },
        _ => {
            return Err(bad(
                "expected an array of cases, or an object with a \"cases\" array".into(),
            ))
        }
    };
    let defaults = match top.get("defaults") {
        None => &empty,
        Some(Value::Object(d)) => d,
        Some(_) => return Err(bad("\"defaults\" must be an object".into())),
    };
    let algorithm_config = match top.get("algorithm_config") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(bad("\"algorithm_config\" must be an object".into())),
    };
    let monitor_mode = match top.get("monitor_mode") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad("\"monitor_mode\" must be true or false".into())),
    };
    let mut out = Vec::with_capacity(cases.len());
    for (i, c) in cases.iter().enumerate() {
        let Value::Object(c) = c else {
            return Err(bad(format!("case #{} must be an object", i + 1)));
        };
        let name = str_field(c, "name", &format!("case #{}", i + 1))
            .map_err(bad)?
            .map_or_else(|| format!("case #{}", i + 1), str::to_string);
        let where_ = format!("case \"{name}\"");
        let type_name = str_field(c, "type", &where_)
            .map_err(bad)?
            .or(str_field(defaults, "type", "defaults").map_err(bad)?)
            .ok_or_else(|| bad(format!("{where_}: no \"type\" (a check type such as \"sql\"), neither in the case nor in \"defaults\"")))?;
        let check = CheckType::from_name(type_name).ok_or_else(|| {
            bad(format!(
                "{where_}: unknown check type \"{type_name}\"; expected one of: {}",
                CheckType::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let expect = match str_field(c, "expect", &where_).map_err(bad)? {
            Some("block") => Action::Block,
            Some("log") => Action::Log,
            Some("ignore") => Action::Ignore,
            Some(other) => {
                return Err(bad(format!(
                    "{where_}: \"expect\" is \"{other}\"; use block, log or ignore"
                )))
            }
            None => {
                return Err(bad(format!(
                    "{where_}: missing \"expect\" (block, log or ignore)"
                )))
            }
        };
        let params = merged(defaults.get("params"), c.get("params"));
        if !params.is_object() {
            return Err(bad(format!("{where_}: \"params\" must be an object")));
        }
        let context = complete_context(merged(defaults.get("context"), c.get("context")));
        out.push(Case {
            file: file.clone(),
            name,
            check,
            params,
            context,
            expect,
            algorithm: str_field(c, "algorithm", &where_)
                .map_err(bad)?
                .map(str::to_string),
            message: str_field(c, "message", &where_)
                .map_err(bad)?
                .map(str::to_string),
        });
    }
    Ok(Fixture {
        path: path.to_path_buf(),
        algorithm_config,
        monitor_mode,
        cases: out,
    })
}

fn show_verdict(v: &Verdict) -> String {
    format!(
        "{} by {}/{} ({}): {}",
        v.action.as_str(),
        v.plugin,
        if v.algorithm.is_empty() {
            "-"
        } else {
            &v.algorithm
        },
        v.confidence,
        v.message
    )
}

/// Judges one case; `Ok(detail)` when it passed, `Err(why)` when it failed.
fn judge(engine: &mut Engine, case: &Case, serial: u64, monitor: bool) -> Result<String, String> {
    let params = case.params.to_string();
    // What the extension does first: the type's gate may keep the event
    // from V8 altogether. The plugin still judges it here, so a `when` that
    // would hide an event the plugin flags fails the case.
    let gate = engine.gate(case.check).cloned();
    let pass = gate.as_ref().and_then(|g| {
        g.passes_noting_params(&case.params, |o| {
            std::rc::Rc::new(RequestInputs::from_context(&case.context, o))
        })
    });
    let gated = gate.is_some() && pass.is_none();
    // As the extension asks: only the handlers the gate names, with what it
    // found; params.stack and the context built only if a handler reads
    // them. An event the gate skips goes to every handler here.
    let ask = |engine: &mut Engine, pass: Option<&GatePass>| {
        let stack = case
            .params
            .get("stack")
            .map_or_else(|| "[]".to_string(), |s| s.to_string());
        let context = case.context.to_string();
        engine.check_lazy_noting(
            case.check,
            &params,
            serial,
            pass,
            move || stack.clone(),
            move || context.clone(),
        )
    };
    let out = ask(engine, pass.as_ref());
    // Handlers the gate left out must have had nothing to say: all of them
    // together must come to the same decision.
    let skipped = gate.as_ref().zip(pass.as_ref()).is_some_and(|(g, p)| {
        (0..g.handler_count().min(NAMED_HANDLERS)).any(|h| p.handlers & (1 << h) == 0)
    });
    let action = |o: &CheckOutcome| decisive(&o.verdicts).map_or(Action::Ignore, |v| v.action);
    let mut problems = Vec::new();
    if skipped {
        let all = ask(engine, None);
        if action(&all) != action(&out) {
            let top = decisive(&all.verdicts).map_or_else(|| "ignore".to_string(), show_verdict);
            problems.push(format!(
                "a {} handler's `when` conditions keep this event from it, but all handlers \
                 together answer {top}: the extension would not ask that one",
                case.check
            ));
        }
    }
    if let Some(f) = &out.fault {
        problems.push(format!("engine fault: {f}"));
    }
    for e in &out.errors {
        problems.push(format!("plugin error in {}: {}", e.plugin, e.message));
    }
    let verdicts: Vec<Verdict> = out
        .verdicts
        .into_iter()
        .map(|v| if monitor { v.downgraded() } else { v })
        .collect();
    let top = decisive(&verdicts);
    let got = top.map_or(Action::Ignore, |v| v.action);
    let shown = top.map_or_else(|| "ignore".to_string(), show_verdict);
    if gated && got != Action::Ignore {
        problems.push(format!(
            "the {} handlers' `when` conditions keep this event from the plugins, \
             but they answer {shown}: the extension would never ask them",
            case.check
        ));
    }
    let shown = if gated {
        format!("{shown} (gated: the extension would not enter V8)")
    } else {
        shown
    };
    if got != case.expect {
        problems.push(format!("expected {}, got {shown}", case.expect.as_str()));
    } else if let Some(v) = top {
        if let Some(a) = &case.algorithm {
            if &v.algorithm != a {
                problems.push(format!("expected algorithm {a}, got {shown}"));
            }
        }
        if let Some(m) = &case.message {
            if !v.message.contains(m.as_str()) {
                problems.push(format!("expected a message containing {m:?}, got {shown}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(shown)
    } else {
        if !out.logs.is_empty() {
            problems.push(format!("plugin log: {}", out.logs.join(" | ")));
        }
        Err(problems.join("\n      "))
    }
}

/// Runs every case; prints per case and a summary.
pub fn run(opts: &Options, out: &mut dyn std::io::Write) -> Result<Summary, SetupError> {
    let sources = load_plugins(&opts.plugins)?;
    let (base_config, base_monitor) = match &opts.config {
        None => (Value::Object(Map::new()), false),
        Some(p) => {
            let text = fs::read_to_string(p)
                .map_err(|e| SetupError(format!("cannot read config {}: {e}", p.display())))?;
            let cfg = RaspConfig::parse(&text)
                .map_err(|e| SetupError(format!("config {} is invalid:\n{e}", p.display())))?;
            (cfg.plugin.algorithm_config, cfg.plugin.monitor_mode)
        }
    };
    let fixtures = collect(&opts.fixtures, "json", "fixture")?
        .iter()
        .map(|p| parse_fixture(p))
        .collect::<Result<Vec<_>, _>>()?;

    // One engine per distinct algorithm_config (most files share the default).
    let mut engines: BTreeMap<String, Engine> = BTreeMap::new();
    let mut summary = Summary::default();
    let mut serial = 0u64;
    let mut failures = String::new();
    for fx in &fixtures {
        let config = merged(Some(&base_config), fx.algorithm_config.as_ref());
        let monitor = fx.monitor_mode.unwrap_or(base_monitor);
        let key = config.to_string();
        if !engines.contains_key(&key) {
            let eopts = EngineOptions {
                timeout: opts.timeout,
                algorithm_config: config.clone(),
                ..Default::default()
            };
            let engine = Engine::from_sources(&sources, &eopts).map_err(|e| {
                SetupError(format!(
                    "{e}\n  (plugins: {}; algorithm_config from {})",
                    sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    fx.path.display()
                ))
            })?;
            engines.insert(key.clone(), engine);
        }
        let engine = engines.get_mut(&key).expect("inserted above");
        for case in &fx.cases {
            let label = format!("{}: {}", case.file, case.name);
            if opts
                .filter
                .as_ref()
                .is_some_and(|f| !label.contains(f.as_str()))
            {
                continue;
            }
            serial += 1;
            match judge(engine, case, serial, monitor) {
                Ok(detail) => {
                    summary.passed += 1;
                    if !opts.quiet {
                        let _ = if opts.verbose {
                            writeln!(out, "pass  {label}\n      {detail}")
                        } else {
                            writeln!(out, "pass  {label}")
                        };
                    }
                }
                Err(why) => {
                    summary.failed += 1;
                    let _ = writeln!(out, "FAIL  {label}\n      {why}");
                    let _ = writeln!(failures, "  {label}");
                }
            }
        }
    }
    if summary.passed + summary.failed == 0 {
        return Err(SetupError(match &opts.filter {
            Some(f) => format!("no case matches --filter {f:?}"),
            None => "the fixtures hold no cases".to_string(),
        }));
    }
    if summary.failed > 0 {
        let _ = write!(out, "\nfailed cases:\n{failures}");
    }
    let _ = writeln!(
        out,
        "\nplugin test: {} passed, {} failed ({} fixture files, plugins: {})",
        summary.passed,
        summary.failed,
        fixtures.len(),
        sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "{} passed, {} failed", summary.passed, summary.failed);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_and_complete() {
        let base = serde_json::json!({"a": 1, "b": {"x": 1}});
        let over = serde_json::json!({"b": {"y": 2}, "c": 3});
        assert_eq!(
            merged(Some(&base), Some(&over)),
            serde_json::json!({"a": 1, "b": {"y": 2}, "c": 3})
        );
        assert_eq!(merged(None, None), serde_json::json!({}));
        let c = complete_context(serde_json::json!({"parameter": {"id": ["1"]}}));
        assert_eq!(c["parameter"]["id"][0], "1");
        assert_eq!(c["header"], serde_json::json!({}));
        assert_eq!(c["method"], "get");
    }
}
