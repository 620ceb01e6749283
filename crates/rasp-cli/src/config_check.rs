//! `rasp config check`: validates a root dir (conf/rasp.yml and plugins/)
//! with the code paths the extension uses, so that what passes here is what
//! the extension accepts:
//!
//! * `rasp_core::bundle::read_bundle` reads the plugins and rasp.yml (same
//!   file selection, size and UTF-8 rules);
//! * `RaspConfig::parse` validates rasp.yml (every key, with line);
//! * `rasp_whitelist::from_config` builds the whitelist (bad patterns, with
//!   line);
//! * `rasp_log::LogConfig::from_json` + `validate` check the `log:` section
//!   (the key is named by rasp-log; the line is looked up here);
//! * `rasp_v8::Snapshot::build` compiles and runs the plugins into a startup
//!   snapshot, as the agent does (syntax errors with file:line:column).
//!
//! Every problem is printed as `file:line: key: message`, all at once.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rasp_core::config::yaml::{Node, Value};
use rasp_core::config::{ConfigErrors, RaspConfig};
use rasp_core::CheckType;
use rasp_log::LogConfig;
use rasp_v8::{EngineOptions, PluginSource, Snapshot};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The extension rejects it (or ignores the setting).
    Error,
    /// Accepted, but probably not what the operator wants.
    Warning,
}

/// One finding, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    /// The file, as given (root dir joined with conf/rasp.yml or the plugin).
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub col: usize,
    /// Dotted key (`plugin.timeout.millis`); empty for file-level problems.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        f.write_str(": ")?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// What the config file holds, for the summary line.
#[derive(Debug, Default)]
pub struct ConfigSummary {
    pub whitelist_patterns: usize,
    pub log_sinks: usize,
    pub monitor_mode: bool,
}

/// The checks of one rasp.yml text.
pub struct ConfigReport {
    pub config: Option<RaspConfig>,
    pub problems: Vec<Problem>,
    pub summary: ConfigSummary,
}

fn from_config_errors(file: &str, text: &str, errors: &ConfigErrors) -> Vec<Problem> {
    let root = rasp_core::config::yaml::parse(text).ok();
    errors
        .0
        .iter()
        .map(|e| {
            let mut message = e.message.clone();
            if message == "unknown key; see docs/configuration.md for the keys" {
                if let Some(better) = suggest_by_prefix(&e.key) {
                    message = format!("unknown key; {better}");
                }
            }
            Problem {
                severity: Severity::Error,
                file: file.to_string(),
                line: root
                    .as_ref()
                    .map_or(e.line, |r| key_line(text, r, &e.key, e.line)),
                col: 0,
                key: e.key.clone(),
                message,
            }
        })
        .collect()
}

/// For an unknown key that is a misspelt *prefix* (`plugin.timout` written
/// as a mapping around `millis`), the keys under the closest real prefix.
fn suggest_by_prefix(key: &str) -> Option<String> {
    let n = key.split('.').count();
    let mut best: Option<(usize, String)> = None;
    for k in rasp_core::config::KEYS {
        let segs: Vec<&str> = k.key.split('.').collect();
        if segs.len() <= n {
            continue;
        }
        let prefix = segs[..n].join(".");
        let d = rasp_core::config::edit_distance(key, &prefix);
        if d <= 2 && best.as_ref().map_or(true, |(bd, _)| d < *bd) {
            best = Some((d, prefix));
        }
    }
    let (_, prefix) = best?;
    let under: Vec<&str> = rasp_core::config::KEYS
        .iter()
        .map(|k| k.key)
        .filter(|k| k.starts_with(&format!("{prefix}.")))
        .collect();
    Some(match under.as_slice() {
        [one] => format!("did you mean `{one}`?"),
        many => format!(
            "did you mean `{prefix}` ({})?",
            many.iter()
                .take(4)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Every value node of a dotted key, following nested and dotted spellings
/// (`a: {b.c: 1}`) and repeated keys; whitelist keys are `whitelist."pattern"`.
fn find_values<'a>(node: &'a Node, segs: &[String], out: &mut Vec<&'a Node>) {
    if segs.is_empty() {
        out.push(node);
        return;
    }
    let Value::Map(entries) = &node.value else {
        return;
    };
    for n in 1..=segs.len() {
        let joined = segs[..n].join(".");
        for (_, v) in entries.iter().filter(|(k, _)| *k == joined) {
            find_values(v, &segs[n..], out);
        }
    }
}

fn config_key_segments(key: &str) -> Vec<String> {
    if let Some(pattern) = key
        .strip_prefix("whitelist.\"")
        .and_then(|r| r.strip_suffix('"'))
    {
        return vec!["whitelist".into(), pattern.into()];
    }
    key.split('.').map(str::to_string).collect()
}

/// rasp-core reports a problem at the line of the value node; when the
/// value is a block mapping or list, that is the line *after* the key.
/// Find the key's own line above it (its last segment, or a dotted tail of
/// the key, followed by `:`).
fn key_line(text: &str, root: &Node, key: &str, line: usize) -> usize {
    if key.is_empty() || line == 0 {
        return line;
    }
    let segs = config_key_segments(key);
    let mut values = Vec::new();
    find_values(root, &segs, &mut values);
    if !values
        .iter()
        .any(|v| v.line == line && matches!(v.value, Value::Map(_) | Value::Seq(_)))
    {
        return line;
    }
    let lines: Vec<&str> = text.lines().collect();
    let written: Vec<String> = (0..segs.len()).map(|i| segs[i..].join(".")).collect();
    let is_key_line = |l: &str| {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        written.iter().any(|w| {
            [w.clone(), format!("'{w}'"), format!("\"{w}\"")]
                .iter()
                .any(|form| {
                    t.strip_prefix(form.as_str())
                        .is_some_and(|r| r.trim_start().starts_with(':'))
                })
        })
    };
    // The value's own line holds the key in flow style (`key: {a: 1}`).
    if lines.get(line - 1).is_some_and(|l| is_key_line(l)) {
        return line;
    }
    (1..line)
        .rev()
        .take(200)
        .find(|&l| lines.get(l - 1).is_some_and(|t| is_key_line(t)))
        .unwrap_or(line)
}

/// Splits `log.sinks[0].facility` into `["log", "sinks", "[0]", "facility"]`.
fn key_segments(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(rest[..i].to_string());
            }
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                out.push(rest[..=end].to_string());
                rest = &rest[end + 1..];
            }
            if !rest.is_empty() {
                out.push(rest.to_string());
            }
        } else if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

/// The line of `key` (`log.sinks[0].url`) inside the `log` node: the
/// deepest node the path reaches (an unknown field's own line when the key
/// names it, else its parent's).
pub fn line_of_log_key(log: &Node, key: &str) -> usize {
    let segs = key_segments(key);
    let mut node = log;
    let mut line = log.line;
    for seg in segs.iter().skip(1) {
        let next = match (
            &node.value,
            seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')),
        ) {
            (Value::Seq(items), Some(i)) => i.parse::<usize>().ok().and_then(|i| items.get(i)),
            (Value::Map(entries), None) => {
                entries.iter().rev().find(|(k, _)| k == seg).map(|(_, n)| n)
            }
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                line = n.line;
            }
            None => break,
        }
    }
    line
}

/// serde's "unknown field `x`, expected one of ..." names the field only in
/// the message; its path is the parent. Point at the field itself.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Validates rasp.yml text as the extension does: the model, the whitelist
/// and the `log:` section.
pub fn check_config_text(file: &str, text: &str) -> ConfigReport {
    let mut problems = Vec::new();
    let mut summary = ConfigSummary::default();
    let (config, tree) = match RaspConfig::parse(text) {
        Ok(c) => (Some(c), None),
        Err(e) => {
            problems.extend(from_config_errors(file, text, &e));
            match rasp_core::config::yaml::parse(text) {
                // A syntax error: nothing more to look at.
                Err(_) => {
                    return ConfigReport {
                        config: None,
                        problems,
                        summary,
                    }
                }
                Ok(root) => (None, Some(root)),
            }
        }
    };
    // The whitelist and log sections are checked even when other keys are
    // wrong, so one run shows every problem of the file.
    let whitelist = match (&config, &tree) {
        (Some(c), _) => c.whitelist.clone(),
        (None, Some(root)) => whitelist_of_tree(root),
        (None, None) => Vec::new(),
    };
    match rasp_whitelist::from_config(&whitelist) {
        Ok(w) => summary.whitelist_patterns = w.len(),
        Err(e) => problems.extend(from_config_errors(file, text, &e)),
    }
    let log_node = match (&config, &tree) {
        (Some(c), _) => c.log.clone(),
        (None, Some(root)) => top_level(root, "log")
            .filter(|n| matches!(n.value, Value::Map(_)))
            .cloned(),
        (None, None) => None,
    };
    if let Some(node) = &log_node {
        problems.extend(check_log(file, node, &mut summary));
    }
    if let Some(c) = &config {
        summary.monitor_mode = c.plugin.monitor_mode;
    }
    problems.sort_by_key(|p| p.line);
    ConfigReport {
        config,
        problems,
        summary,
    }
}

fn top_level<'a>(root: &'a Node, key: &str) -> Option<&'a Node> {
    match &root.value {
        Value::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, n)| n),
        _ => None,
    }
}

/// The whitelist entries whose check types are valid (rasp-core reported
/// the others), for checking the patterns of a file that failed elsewhere.
fn whitelist_of_tree(root: &Node) -> Vec<rasp_core::config::WhitelistEntry> {
    let Some(Node {
        value: Value::Map(entries),
        ..
    }) = top_level(root, "whitelist")
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(prefix, types)| {
            let names: Vec<&str> = match &types.value {
                Value::Str(s) => vec![s.as_str()],
                Value::Seq(items) => items
                    .iter()
                    .map(|i| match &i.value {
                        Value::Str(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            let set = rasp_core::CheckTypeSet::from_names(names).ok()?;
            Some(rasp_core::config::WhitelistEntry {
                prefix: prefix.clone(),
                types: set,
                line: types.line,
            })
        })
        .collect()
}

/// The `log:` section through rasp-log, located in the file.
fn check_log(file: &str, node: &Node, summary: &mut ConfigSummary) -> Vec<Problem> {
    let mut problems = Vec::new();
    let located = |key: String, message: String| {
        let mut line_key = key.clone();
        if let Some(field) = unknown_field(&message) {
            if key.rsplit('.').next() != Some(field) {
                line_key = format!("{key}.{field}");
            }
        }
        Problem {
            severity: Severity::Error,
            file: file.to_string(),
            line: line_of_log_key(node, &line_key),
            col: 0,
            key: line_key,
            message,
        }
    };
    match LogConfig::from_json(node.to_json()) {
        Ok(lc) => {
            summary.log_sinks = lc.sinks.len();
            for e in lc.validate() {
                let mut p = located(e.key, e.message);
                if p.key.starts_with("log.sinks[") {
                    p.message
                        .push_str(" (this sink is not started; file logging is not affected)");
                }
                problems.push(p);
            }
        }
        Err(e) => {
            let mut p = located(e.key, e.message);
            p.message.push_str(
                " (the extension ignores the whole log: section and uses the default log settings)",
            );
            problems.push(p);
        }
    }
    problems
}

/// The engine options the extension derives from rasp.yml (keep in step
/// with rasp-ext's `runtime::engine_options`).
pub fn engine_options(cfg: &RaspConfig) -> EngineOptions {
    EngineOptions {
        timeout: Duration::from_millis(cfg.plugin.timeout_millis),
        heap_limit: (cfg.plugin.heap_mb as usize) << 20,
        algorithm_config: cfg.plugin.algorithm_config.clone(),
        max_log_lines: 100,
    }
}

/// A loaded plugin, for the summary.
pub struct LoadedPlugin {
    pub name: String,
    pub version: String,
}

/// The result of compiling a root dir's plugins.
pub struct PluginReport {
    pub files: Vec<String>,
    pub plugins: Vec<LoadedPlugin>,
    pub types: Vec<CheckType>,
    pub load_logs: Vec<String>,
    pub elapsed: Duration,
}

/// `path:LINE:COL` or `path:LINE` at the start of `s`: (line, col, rest).
fn location_after(s: &str) -> Option<(usize, usize, &str)> {
    let rest = s.strip_prefix(':')?;
    let n1 = rest.bytes().take_while(u8::is_ascii_digit).count();
    let line = rest[..n1].parse().ok()?;
    let rest = &rest[n1..];
    if let Some(r) = rest.strip_prefix(':') {
        let n2 = r.bytes().take_while(u8::is_ascii_digit).count();
        if let Ok(col) = r[..n2].parse() {
            return Some((line, col, &r[n2..]));
        }
    }
    Some((line, 0, rest))
}

/// Drops a leading `file:line:col: ` (V8 puts the location of the throw,
/// possibly inside the runtime, before the message).
fn strip_location_prefix(head: &str) -> &str {
    if let Some(i) = head.find(": ") {
        let loc = &head[..i];
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next().unwrap_or("");
        let line = parts.next().unwrap_or("");
        if !col.is_empty()
            && col.bytes().all(|b| b.is_ascii_digit())
            && !line.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
        {
            return &head[i + 2..];
        }
    }
    head
}

/// Turns a V8 load error into a problem located in the plugin file: the
/// first `plugin.js:LINE:COL` of the message or its stack (a syntax error
/// names it in front, an exception thrown at load in the stack).
fn plugin_problem(files: &[String], dir: &str, message: &str) -> Problem {
    let msg = message.trim();
    let head = msg.lines().next().unwrap_or("");
    let text = strip_location_prefix(head).trim().to_string();
    let mut best: Option<(usize, &String, usize, usize)> = None;
    for f in files {
        let mut from = 0;
        while let Some(at) = msg[from..].find(f.as_str()) {
            let pos = from + at;
            if let Some((line, col, _)) = location_after(&msg[pos + f.len()..]) {
                if best.map_or(true, |(p, ..)| pos < p) {
                    best = Some((pos, f, line, col));
                }
                break;
            }
            from = pos + f.len();
        }
    }
    match best {
        Some((_, f, line, col)) => Problem {
            severity: Severity::Error,
            file: f.clone(),
            line,
            col,
            key: String::new(),
            message: text,
        },
        None => {
            // No location: name the file if the message does.
            let file = files
                .iter()
                .find(|f| msg.contains(f.as_str()))
                .cloned()
                .unwrap_or_else(|| dir.to_string());
            Problem {
                severity: Severity::Error,
                file,
                line: 0,
                col: 0,
                key: String::new(),
                message: msg.to_string(),
            }
        }
    }
}

/// Compiles plugins into a snapshot as the agent does.
pub fn compile_plugins(
    sources: &[PluginSource],
    opts: &EngineOptions,
    dir: &str,
) -> Result<PluginReport, Problem> {
    let files: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let start = Instant::now();
    let snap = Snapshot::build(sources, opts).map_err(|e| {
        let text = match &e {
            rasp_v8::EngineError::Load(m) => m.clone(),
            other => other.to_string(),
        };
        plugin_problem(&files, dir, &text)
    })?;
    let info = snap.info();
    Ok(PluginReport {
        files,
        plugins: info
            .plugins
            .iter()
            .map(|p| LoadedPlugin {
                name: p.name.clone(),
                version: p.version.clone(),
            })
            .collect(),
        types: CheckType::ALL
            .iter()
            .copied()
            .filter(|t| info.types.contains(*t))
            .collect(),
        load_logs: info.load_logs.clone(),
        elapsed: start.elapsed(),
    })
}

/// Everything found in a root dir.
pub struct RootReport {
    pub problems: Vec<Problem>,
    /// Lines describing what is fine.
    pub ok: Vec<String>,
}

impl RootReport {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }
}

fn warn(file: &Path, message: impl Into<String>) -> Problem {
    Problem {
        severity: Severity::Warning,
        file: file.display().to_string(),
        line: 0,
        col: 0,
        key: String::new(),
        message: message.into(),
    }
}

fn error(file: &Path, message: impl Into<String>) -> Problem {
    Problem {
        severity: Severity::Error,
        ..warn(file, message)
    }
}

fn describe_config(s: &ConfigSummary) -> String {
    let mut parts = vec![format!(
        "whitelist: {} pattern{}",
        s.whitelist_patterns,
        if s.whitelist_patterns == 1 { "" } else { "s" }
    )];
    parts.push(format!("log sinks: {}", s.log_sinks));
    if s.monitor_mode {
        parts.push("monitor mode: blocks are only logged".into());
    }
    parts.join("; ")
}

/// Checks a single rasp.yml file.
pub fn check_file(path: &Path) -> Result<RootReport, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = path.display().to_string();
    let text = match String::from_utf8(text) {
        Ok(t) => t,
        Err(e) => {
            return Ok(RootReport {
                problems: vec![error(
                    path,
                    format!(
                        "not UTF-8 (byte {}); save it as UTF-8",
                        e.utf8_error().valid_up_to()
                    ),
                )],
                ok: Vec::new(),
            })
        }
    };
    let r = check_config_text(&file, &text);
    let ok = if r.problems.is_empty() {
        vec![format!("{file}: ok ({})", describe_config(&r.summary))]
    } else {
        Vec::new()
    };
    Ok(RootReport {
        problems: r.problems,
        ok,
    })
}

/// Checks a root dir: layout, rasp.yml and plugins. Err only when the root
/// dir itself cannot be used (exit code 2).
pub fn check_root(root: &Path) -> Result<RootReport, String> {
    if !root.is_dir() {
        return Err(format!(
            "{} is not a directory; pass the root dir (rasp.root_dir in php.ini) that holds conf/ and plugins/",
            root.display()
        ));
    }
    let mut problems = Vec::new();
    let mut ok = Vec::new();
    let conf_path = rasp_core::bundle::config_path(root);
    let plugin_dir: PathBuf = rasp_core::bundle::plugin_dir(root);
    let logs = root.join("logs");
    if !logs.is_dir() {
        problems.push(warn(
            &logs,
            "missing: create it, owned by the php-fpm user (e.g. `install -d -o www-data -g www-data -m 0750 logs`); alarms are not written without it",
        ));
    }

    let bundle = match rasp_core::bundle::read_bundle(root) {
        Ok(b) => Some(b),
        Err(e) => {
            let target = if e.contains("plugin") {
                plugin_dir.clone()
            } else {
                conf_path.clone()
            };
            problems.push(error(&target, e));
            None
        }
    };

    // rasp.yml: read on its own too, so a plugin problem does not hide it.
    let conf_text = match &bundle {
        Some(b) => b.config.clone(),
        None => std::fs::read_to_string(&conf_path).ok(),
    };
    let mut config = RaspConfig::default();
    match conf_text {
        None => ok.push(format!(
            "{}: not present, the defaults apply (`rasp config keys` lists them)",
            conf_path.display()
        )),
        Some(text) => {
            let file = conf_path.display().to_string();
            let r = check_config_text(&file, &text);
            if r.problems.is_empty() {
                ok.push(format!("{file}: ok ({})", describe_config(&r.summary)));
            }
            if let Some(c) = r.config {
                config = c;
            }
            problems.extend(r.problems);
        }
    }

    if let Some(b) = bundle {
        let dir = plugin_dir.display().to_string();
        if b.plugins.is_empty() {
            problems.push(warn(
                &plugin_dir,
                "holds no *.js plugin: nothing is checked; copy plugins/official/plugin.js there",
            ));
        } else {
            let sources: Vec<PluginSource> = b
                .plugins
                .iter()
                .map(|p| PluginSource {
                    name: p.name.clone(),
                    source: p.source.clone(),
                })
                .collect();
            match compile_plugins(&sources, &engine_options(&config), &dir) {
                Ok(r) => {
                    let names: Vec<String> = r
                        .plugins
                        .iter()
                        .map(|p| {
                            if p.version.is_empty() {
                                p.name.clone()
                            } else {
                                format!("{} {}", p.name, p.version)
                            }
                        })
                        .collect();
                    ok.push(format!(
                        "{dir}: ok ({} file{} compiled in {} ms: {})",
                        r.files.len(),
                        if r.files.len() == 1 { "" } else { "s" },
                        r.elapsed.as_millis(),
                        if names.is_empty() {
                            "no `new RASP(name)`".to_string()
                        } else {
                            names.join(", ")
                        }
                    ));
                    if r.types.is_empty() {
                        problems.push(warn(
                            &plugin_dir,
                            "no plugin registers a check type (plugin.register('sql', ...)): nothing is checked",
                        ));
                    } else {
                        ok.push(format!(
                            "  check types: {}",
                            r.types
                                .iter()
                                .map(|t| t.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    for l in r.load_logs {
                        ok.push(format!("  plugin log while loading: {l}"));
                    }
                }
                Err(p) => problems.push(p),
            }
        }
    }
    Ok(RootReport { problems, ok })
}

#[cfg(test)]
mod tests;
