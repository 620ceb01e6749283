//! The `rasp.yml` model: what operators can set, its defaults, and its
//! validation.
//!
//! Keys may be written nested (`plugin: {timeout: {millis: 100}}`) or dotted
//! (`plugin.timeout.millis: 100`, as established RASP configs are written),
//! or any mix. Every problem is reported with its line and key, all at once,
//! and a file with any problem is rejected as a whole: the caller keeps the
//! last good configuration (see `docs/configuration.md`).

pub mod yaml;

use std::fmt;

use crate::check::CheckTypeSet;
use yaml::{Node, Value};

/// One problem in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// Dotted key the problem is about; empty for syntax errors.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (0, true) => write!(f, "{}", self.message),
            (0, false) => write!(f, "{}: {}", self.key, self.message),
            (l, true) => write!(f, "line {l}: {}", self.message),
            (l, false) => write!(f, "line {l}: {}: {}", self.key, self.message),
        }
    }
}

/// All problems found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// How a blocked request is answered.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockConfig {
    pub status_code: u16,
    /// When set, blocked requests get a 302 to this URL instead of a page.
    pub redirect_url: String,
    pub content_html: String,
    pub content_json: String,
    pub content_xml: String,
}

/// Start-up configuration checks (policy log), each switchable.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineConfig {
    pub allow_url_include: bool,
    pub expose_php: bool,
    pub display_errors: bool,
    pub open_basedir: bool,
    pub session_cookie: bool,
    /// Functions that should be disabled; each one still enabled is a finding.
    pub disable_functions: Vec<String>,
}

/// Database and response policies.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityConfig {
    /// Refuse policy violations (e.g. a root database connection) instead of
    /// only logging them.
    pub enforce_policy: bool,
    pub baseline: BaselineConfig,
    /// Database passwords treated as weak (compared exactly).
    pub weak_passwords: Vec<String>,
    /// Database users treated as high-privilege regardless of grants.
    pub privileged_users: Vec<String>,
    /// A query returning more rows than this is logged (0 turns it off).
    pub slowquery_min_rows: u64,
}

/// HTML appended to text/html responses under a URL prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct InjectConfig {
    /// Host + path prefix, as in the whitelist; empty turns injection off.
    pub urlprefix: String,
    pub custom_html: String,
}

/// Weak database passwords checked by default.
pub const DEFAULT_WEAK_PASSWORDS: &[&str] = &[
    "",
    "root",
    "admin",
    "password",
    "passw0rd",
    "123456",
    "12345678",
    "123456789",
    "1234",
    "12345",
    "111111",
    "123123",
    "qwerty",
    "test",
    "mysql",
    "postgres",
    "changeme",
    "secret",
];

/// How plugins run.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginConfig {
    pub timeout_millis: u64,
    pub heap_mb: u64,
    /// PHP frames recorded in `params.stack`.
    pub maxstack: usize,
    /// Every `block` becomes `log`: observe before enforcing.
    pub monitor_mode: bool,
    /// Merged into each plugin's `algorithmConfig`.
    pub algorithm_config: serde_json::Value,
}

/// Limits on what is copied from the request into `context`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextConfig {
    /// Bytes of the raw body exposed as `context.body`.
    pub body_maxbytes: usize,
    /// Largest body parsed as JSON for `context.json`.
    pub json_maxbytes: usize,
    /// Parameter values (GET, POST, JSON leaves, cookies) kept per request.
    pub max_values: usize,
    /// Bytes kept of one parameter value.
    pub max_value_bytes: usize,
    /// Header giving the client address behind proxies (e.g. X-Forwarded-For).
    pub clientip_header: String,
}

/// How `include`/`eval` are intercepted (see docs/hooks.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IncludeHook {
    /// The compile hook when the opcache JIT is on, else the opcode handler.
    #[default]
    Auto,
    /// A user opcode handler for ZEND_INCLUDE_OR_EVAL: sees every include,
    /// but PHP turns the JIT off.
    Opcode,
    /// Wrapping zend_compile_file/zend_compile_string: keeps the JIT, misses
    /// `include_once` of a file already included.
    Compile,
}

impl IncludeHook {
    pub const fn as_str(self) -> &'static str {
        match self {
            IncludeHook::Auto => "auto",
            IncludeHook::Opcode => "opcode",
            IncludeHook::Compile => "compile",
        }
    }
}

/// One whitelist line: requests under `prefix` skip `types`.
#[derive(Clone, Debug, PartialEq)]
pub struct WhitelistEntry {
    pub prefix: String,
    pub types: CheckTypeSet,
    pub line: usize,
}

/// The whole of `rasp.yml`.
#[derive(Clone, Debug, PartialEq)]
pub struct RaspConfig {
    pub block: BlockConfig,
    pub plugin: PluginConfig,
    pub context: ContextConfig,
    /// Response header carrying the request id; empty turns it off.
    pub request_id_header: String,
    /// Adds `X-Protected-By: php-rasp` to responses.
    pub protected_by_header: bool,
    pub security: SecurityConfig,
    pub inject: InjectConfig,
    pub whitelist: Vec<WhitelistEntry>,
    /// `hook.include`: how include/eval are intercepted.
    pub include_hook: IncludeHook,
    /// The `log:` subtree, validated by rasp-log (kept with its lines).
    pub log: Option<Node>,
}

pub const DEFAULT_BLOCK_HTML: &str =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Request blocked</title></head>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Request blocked</h1>\
<p>This request was stopped by the site's runtime protection because it looked like an attack.</p>\
<p>If you think this is a mistake, contact the site's administrator and quote this request id:</p>\
<p><code>%request_id%</code></p></body></html>\n";
pub const DEFAULT_BLOCK_JSON: &str =
    "{\"error\":true,\"reason\":\"Request blocked by runtime protection\",\"request_id\":\"%request_id%\"}";
pub const DEFAULT_BLOCK_XML: &str =
    "<?xml version=\"1.0\"?><error><reason>Request blocked by runtime protection</reason>\
<request_id>%request_id%</request_id></error>";

impl Default for RaspConfig {
    fn default() -> Self {
        RaspConfig {
            block: BlockConfig {
                status_code: 400,
                redirect_url: String::new(),
                content_html: DEFAULT_BLOCK_HTML.into(),
                content_json: DEFAULT_BLOCK_JSON.into(),
                content_xml: DEFAULT_BLOCK_XML.into(),
            },
            plugin: PluginConfig {
                timeout_millis: 100,
                heap_mb: 128,
                maxstack: 20,
                monitor_mode: false,
                algorithm_config: serde_json::Value::Object(Default::default()),
            },
            context: ContextConfig {
                body_maxbytes: 12 * 1024,
                json_maxbytes: 1024 * 1024,
                max_values: 5000,
                max_value_bytes: 64 * 1024,
                clientip_header: String::new(),
            },
            request_id_header: "X-Request-ID".into(),
            protected_by_header: false,
            security: SecurityConfig {
                enforce_policy: false,
                baseline: BaselineConfig {
                    allow_url_include: true,
                    expose_php: true,
                    display_errors: true,
                    open_basedir: true,
                    session_cookie: true,
                    disable_functions: Vec::new(),
                },
                weak_passwords: DEFAULT_WEAK_PASSWORDS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                privileged_users: ["root", "sa", "postgres", "admin", "system"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                slowquery_min_rows: 500,
            },
            inject: InjectConfig {
                urlprefix: String::new(),
                custom_html: String::new(),
            },
            whitelist: Vec::new(),
            include_hook: IncludeHook::Auto,
            log: None,
        }
    }
}

/// A documented key: name, type, default, meaning. `docs/configuration.md`
/// is checked against this table by a test.
#[derive(Clone, Copy, Debug)]
pub struct KeyDoc {
    pub key: &'static str,
    pub ty: &'static str,
    pub default: &'static str,
    pub doc: &'static str,
}

/// Every key `rasp.yml` accepts (subtrees `whitelist`, `plugin.algorithm_config`
/// and `log` have their own structure, documented separately).
pub const KEYS: &[KeyDoc] = &[
    KeyDoc { key: "block.status_code", ty: "integer 100-599", default: "400", doc: "HTTP status of the block response." },
    KeyDoc { key: "block.redirect_url", ty: "string", default: "\"\"", doc: "When set, blocked requests are redirected (302) here; `%request_id%` is replaced." },
    KeyDoc { key: "block.content_html", ty: "string", default: "built-in page", doc: "Block page for browsers; `%request_id%` is replaced." },
    KeyDoc { key: "block.content_json", ty: "string", default: "built-in JSON", doc: "Block response when the client accepts JSON." },
    KeyDoc { key: "block.content_xml", ty: "string", default: "built-in XML", doc: "Block response when the client accepts XML." },
    KeyDoc { key: "plugin.timeout.millis", ty: "integer 1-60000", default: "100", doc: "Deadline of one check, all plugins together; then the check is cut off and the call goes on." },
    KeyDoc { key: "plugin.heap.mb", ty: "integer 16-4096", default: "128", doc: "V8 heap limit per isolate; a plugin that reaches it is stopped and the isolate replaced." },
    KeyDoc { key: "plugin.maxstack", ty: "integer 0-200", default: "20", doc: "PHP frames recorded in `params.stack`." },
    KeyDoc { key: "plugin.monitor_mode", ty: "boolean", default: "false", doc: "Every block verdict becomes log: observe before enforcing." },
    KeyDoc { key: "plugin.algorithm_config", ty: "mapping", default: "{}", doc: "Merged into each plugin's `algorithmConfig`, e.g. `sql_userinput: {action: log}`." },
    KeyDoc { key: "body.maxbytes", ty: "integer 0-104857600", default: "12288", doc: "Bytes of the request body exposed to plugins as `context.body` and logged with alarms." },
    KeyDoc { key: "body.json_maxbytes", ty: "integer 0-104857600", default: "1048576", doc: "Largest request body parsed as JSON for `context.json`." },
    KeyDoc { key: "context.max_values", ty: "integer 1-1000000", default: "5000", doc: "Parameter values (query, form, JSON leaves) passed to plugins per request." },
    KeyDoc { key: "context.max_value_bytes", ty: "integer 16-104857600", default: "65536", doc: "Bytes kept of each parameter value." },
    KeyDoc { key: "clientip.header", ty: "string", default: "\"\"", doc: "Request header with the client address behind a proxy (e.g. `X-Forwarded-For`); its first address becomes `context.clientIp`." },
    KeyDoc { key: "request_id.header", ty: "string", default: "X-Request-ID", doc: "Response header carrying the request id; empty turns it off." },
    KeyDoc { key: "response.protected_by", ty: "boolean", default: "false", doc: "Adds `X-Protected-By: php-rasp` to responses." },
    KeyDoc { key: "security.enforce_policy", ty: "boolean", default: "false", doc: "Refuse policy violations instead of logging them: a database connection as a high-privilege user or with a weak password is blocked." },
    KeyDoc { key: "security.baseline.allow_url_include", ty: "boolean", default: "true", doc: "Start-up finding (policy 3001) when allow_url_include is on." },
    KeyDoc { key: "security.baseline.expose_php", ty: "boolean", default: "true", doc: "Start-up finding (policy 3002) when expose_php is on." },
    KeyDoc { key: "security.baseline.display_errors", ty: "boolean", default: "true", doc: "Start-up finding (policy 3003) when display_errors is on in a server SAPI." },
    KeyDoc { key: "security.baseline.open_basedir", ty: "boolean", default: "true", doc: "Start-up finding (policy 3004) when open_basedir is not set." },
    KeyDoc { key: "security.baseline.session_cookie", ty: "boolean", default: "true", doc: "Start-up findings (policies 3005, 3006) when session cookies lack httponly or secure." },
    KeyDoc { key: "security.baseline.disable_functions", ty: "list of function names", default: "[]", doc: "Functions that should be disabled; each one still enabled is a start-up finding (policy 3007)." },
    KeyDoc { key: "security.weak_passwords", ty: "list of strings", default: "a built-in list", doc: "Database passwords treated as weak (policy 3009)." },
    KeyDoc { key: "security.privileged_users", ty: "list of strings", default: "[root, sa, postgres, admin, system]", doc: "Database users treated as high-privilege (policy 3008)." },
    KeyDoc { key: "sql.slowquery.min_rows", ty: "integer 0-100000000", default: "500", doc: "A query returning more rows is logged (policy 3010), the sign of a dump; 0 turns it off." },
    KeyDoc { key: "inject.urlprefix", ty: "string", default: "\"\"", doc: "Host + path prefix (as in the whitelist) of pages that get `inject.custom_html` appended; empty turns injection off." },
    KeyDoc { key: "inject.custom_html", ty: "string", default: "\"\"", doc: "HTML appended to text/html responses under `inject.urlprefix` (never to other content types)." },
    KeyDoc { key: "hook.include", ty: "auto | opcode | compile", default: "auto", doc: "How include/require/eval are intercepted: `opcode` (user opcode handler, sees every include, PHP disables the JIT), `compile` (compile hook, keeps the JIT, misses include_once of an already included file), `auto` (compile when the opcache JIT is on, else opcode). Read at startup." },
    KeyDoc { key: "whitelist", ty: "mapping", default: "{}", doc: "URL prefix (host + path, no scheme; `*` for all; `/path` for any host) -> check types to skip, or `all`." },
    KeyDoc { key: "log", ty: "mapping", default: "see docs/logs.md", doc: "Log rotation, retention, rate limits and syslog sinks." },
];

fn keys_under(prefix: &str) -> impl Iterator<Item = &'static KeyDoc> + '_ {
    KEYS.iter().filter(move |k| {
        k.key.len() > prefix.len()
            && k.key.starts_with(prefix)
            && k.key.as_bytes()[prefix.len()] == b'.'
    })
}

/// Levenshtein distance in characters, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggestion(key: &str) -> String {
    // Compare with every key and with every dotted prefix of a key, so a
    // misspelt section (`plugin.timout`) still finds `plugin.timeout.millis`.
    let mut best: Option<(usize, &str)> = None;
    for k in KEYS {
        let mut cut = k.key.len();
        loop {
            let d = edit_distance(key, &k.key[..cut]);
            if best.map_or(true, |(bd, _)| d < bd) {
                best = Some((d, k.key));
            }
            match k.key[..cut].rfind('.') {
                Some(i) => cut = i,
                None => break,
            }
        }
    }
    match best {
        Some((d, k)) if d <= 3.max(key.len() / 5) => format!("; did you mean `{k}`?"),
        _ => "; see docs/configuration.md for the keys".to_string(),
    }
}

struct Loader {
    cfg: RaspConfig,
    errors: Vec<ConfigError>,
}

impl Loader {
    fn err(&mut self, line: usize, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            line,
            key: key.to_string(),
            message: message.into(),
        });
    }

    fn walk(&mut self, prefix: &str, entries: &[(String, Node)]) {
        for (k, node) in entries {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if KEYS.iter().any(|d| d.key == key) {
                self.apply(&key, node);
            } else if keys_under(&key).next().is_some() {
                match &node.value {
                    Value::Map(m) => self.walk(&key, m),
                    _ => {
                        let subkeys: Vec<_> = keys_under(&key).map(|d| d.key).collect();
                        self.err(
                            node.line,
                            &key,
                            format!(
                                "expected a mapping with {}, got {}",
                                subkeys.join(", "),
                                node.type_name()
                            ),
                        );
                    }
                }
            } else {
                self.err(node.line, &key, format!("unknown key{}", suggestion(&key)));
            }
        }
    }

    fn int(&mut self, key: &str, node: &Node, min: i64, max: i64) -> Option<i64> {
        match node.value {
            Value::Int(i) if (min..=max).contains(&i) => Some(i),
            Value::Int(i) => {
                self.err(
                    node.line,
                    key,
                    format!("must be between {min} and {max}, got {i}"),
                );
                None
            }
            _ => {
                self.err(
                    node.line,
                    key,
                    format!(
                        "must be an integer between {min} and {max}, got {}",
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.err(
                    node.line,
                    key,
                    format!("must be true or false, got {}", node.type_name()),
                );
                None
            }
        }
    }

    fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => Some(String::new()),
            _ => {
                self.err(
                    node.line,
                    key,
                    format!("must be a string, got {} (quote it)", node.type_name()),
                );
                None
            }
        }
    }

    fn string_list(&mut self, key: &str, node: &Node) -> Option<Vec<String>> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Str(s) => out.push(s.clone()),
                        Value::Int(i) => out.push(i.to_string()),
                        _ => {
                            self.err(
                                item.line,
                                key,
                                format!("list items must be strings, got {}", item.type_name()),
                            );
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Value::Null => Some(Vec::new()),
            _ => {
                self.err(
                    node.line,
                    key,
                    format!("must be a list, got {}", node.type_name()),
                );
                None
            }
        }
    }

    fn apply(&mut self, key: &str, node: &Node) {
        macro_rules! set {
            ($field:expr, $v:expr) => {
                if let Some(v) = $v {
                    $field = v;
                }
            };
        }
        match key {
            "block.status_code" => set!(
                self.cfg.block.status_code,
                self.int(key, node, 100, 599).map(|v| v as u16)
            ),
            "block.redirect_url" => {
                if let Some(u) = self.string(key, node) {
                    let allowed = u.is_empty()
                        || u.starts_with("http://")
                        || u.starts_with("https://")
                        || u.starts_with('/');
                    if !allowed {
                        self.err(
                            node.line,
                            key,
                            "must be an absolute http(s) URL or a path starting with /",
                        );
                    } else if u.contains(['\r', '\n']) {
                        self.err(node.line, key, "must not contain line breaks");
                    } else {
                        self.cfg.block.redirect_url = u;
                    }
                }
            }
            "block.content_html" => set!(self.cfg.block.content_html, self.string(key, node)),
            "block.content_json" => set!(self.cfg.block.content_json, self.string(key, node)),
            "block.content_xml" => set!(self.cfg.block.content_xml, self.string(key, node)),
            "plugin.timeout.millis" => set!(
                self.cfg.plugin.timeout_millis,
                self.int(key, node, 1, 60_000).map(|v| v as u64)
            ),
            "plugin.heap.mb" => set!(
                self.cfg.plugin.heap_mb,
                self.int(key, node, 16, 4096).map(|v| v as u64)
            ),
            "plugin.maxstack" => set!(
                self.cfg.plugin.maxstack,
                self.int(key, node, 0, 200).map(|v| v as usize)
            ),
            "plugin.monitor_mode" => set!(self.cfg.plugin.monitor_mode, self.boolean(key, node)),
            "plugin.algorithm_config" => match node.value {
                Value::Map(_) => self.cfg.plugin.algorithm_config = node.to_json(),
                _ => self.err(
                    node.line,
                    key,
                    format!(
                        "must be a mapping of algorithm settings, got {}",
                        node.type_name()
                    ),
                ),
            },
            "body.maxbytes" => set!(
                self.cfg.context.body_maxbytes,
                self.int(key, node, 0, 100 << 20).map(|v| v as usize)
            ),
            "body.json_maxbytes" => set!(
                self.cfg.context.json_maxbytes,
                self.int(key, node, 0, 100 << 20).map(|v| v as usize)
            ),
            "context.max_values" => set!(
                self.cfg.context.max_values,
                self.int(key, node, 1, 1_000_000).map(|v| v as usize)
            ),
            "context.max_value_bytes" => set!(
                self.cfg.context.max_value_bytes,
                self.int(key, node, 16, 100 << 20).map(|v| v as usize)
            ),
            "clientip.header" => {
                if let Some(h) = self.string(key, node) {
                    if h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    {
                        self.cfg.context.clientip_header = h;
                    } else {
                        self.err(
                            node.line,
                            key,
                            format!("`{h}` is not a header name (letters, digits, - and _)"),
                        );
                    }
                }
            }
            "request_id.header" => {
                if let Some(h) = self.string(key, node) {
                    if h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                        self.cfg.request_id_header = h;
                    } else {
                        self.err(
                            node.line,
                            key,
                            format!("`{h}` is not a header name (letters, digits and -)"),
                        );
                    }
                }
            }
            "response.protected_by" => set!(self.cfg.protected_by_header, self.boolean(key, node)),
            "security.enforce_policy" => {
                set!(self.cfg.security.enforce_policy, self.boolean(key, node))
            }
            "security.baseline.allow_url_include" => set!(
                self.cfg.security.baseline.allow_url_include,
                self.boolean(key, node)
            ),
            "security.baseline.expose_php" => set!(
                self.cfg.security.baseline.expose_php,
                self.boolean(key, node)
            ),
            "security.baseline.display_errors" => set!(
                self.cfg.security.baseline.display_errors,
                self.boolean(key, node)
            ),
            "security.baseline.open_basedir" => set!(
                self.cfg.security.baseline.open_basedir,
                self.boolean(key, node)
            ),
            "security.baseline.session_cookie" => set!(
                self.cfg.security.baseline.session_cookie,
                self.boolean(key, node)
            ),
            "security.baseline.disable_functions" => {
                set!(
                    self.cfg.security.baseline.disable_functions,
                    self.string_list(key, node)
                        .map(|v| v.into_iter().map(|f| f.to_ascii_lowercase()).collect())
                )
            }
            "security.weak_passwords" => set!(
                self.cfg.security.weak_passwords,
                self.string_list(key, node)
            ),
            "security.privileged_users" => set!(
                self.cfg.security.privileged_users,
                self.string_list(key, node)
            ),
            "sql.slowquery.min_rows" => set!(
                self.cfg.security.slowquery_min_rows,
                self.int(key, node, 0, 100_000_000).map(|v| v as u64)
            ),
            "inject.urlprefix" => set!(self.cfg.inject.urlprefix, self.string(key, node)),
            "inject.custom_html" => set!(self.cfg.inject.custom_html, self.string(key, node)),
            "hook.include" => match self.string(key, node).as_deref() {
                Some("auto") => self.cfg.include_hook = IncludeHook::Auto,
                Some("opcode") => self.cfg.include_hook = IncludeHook::Opcode,
                Some("compile") => self.cfg.include_hook = IncludeHook::Compile,
                Some(other) => self.err(
                    node.line,
                    key,
                    format!("must be auto, opcode or compile, got `{other}`"),
                ),
                None => {}
            },
            "whitelist" => self.whitelist(node),
            "log" => match node.value {
                Value::Map(_) => self.cfg.log = Some(node.clone()),
                _ => self.err(
                    node.line,
                    key,
                    format!("must be a mapping, got {}", node.type_name()),
                ),
            },
            _ => self.err(node.line, key, "unknown key"),
        }
    }

    fn whitelist(&mut self, node: &Node) {
        let Value::Map(entries) = &node.value else {
            if node.value != Value::Null {
                self.err(
                    node.line,
                    "whitelist",
                    format!(
                        "must be a mapping of URL prefix -> check types, got {}",
                        node.type_name()
                    ),
                );
            }
            return;
        };
        for (prefix, types) in entries {
            let key = format!("whitelist.\"{prefix}\"");
            let names: Vec<String> = match &types.value {
                Value::Str(s) => vec![s.clone()],
                Value::Seq(items) => {
                    let mut names = Vec::new();
                    for item in items {
                        match &item.value {
                            Value::Str(s) => names.push(s.clone()),
                            _ => self.err(
                                item.line,
                                &key,
                                format!("check types must be names, got {}", item.type_name()),
                            ),
                        }
                    }
                    names
                }
                _ => {
                    self.err(
                        types.line,
                        &key,
                        format!(
                            "must be a list of check types or `all`, got {}",
                            types.type_name()
                        ),
                    );
                    continue;
                }
            };
            match CheckTypeSet::from_names(names.iter().map(String::as_str)) {
                Ok(set) => self.cfg.whitelist.push(WhitelistEntry {
                    prefix: prefix.clone(),
                    types: set,
                    line: types.line,
                }),
                Err(e) => self.err(types.line, &key, e.to_string()),
            }
        }
    }
}

impl RaspConfig {
    /// Parses `rasp.yml` text. On any problem returns all of them.
    pub fn parse(text: &str) -> Result<RaspConfig, ConfigErrors> {
        let root = yaml::parse(text).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                line: e.line,
                key: String::new(),
                message: format!("YAML syntax error at column {}: {}", e.column, e.message),
            }])
        })?;
        let mut loader = Loader {
            cfg: RaspConfig::default(),
            errors: Vec::new(),
        };
        match &root.value {
            Value::Map(entries) => loader.walk("", entries),
            Value::Null => {}
            _ => loader.err(
                root.line,
                "",
                format!(
                    "the file must be a mapping of keys, got {}",
                    root.type_name()
                ),
            ),
        }
        if loader.errors.is_empty() {
            Ok(loader.cfg)
        } else {
            Err(ConfigErrors(loader.errors))
        }
    }

    /// Deadline of one check.
    pub fn plugin_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.plugin.timeout_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckType;

    #[test]
    fn defaults() {
        let c = RaspConfig::parse("").unwrap();
        assert_eq!(c, RaspConfig::default());
        assert_eq!(c.block.status_code, 400);
        assert_eq!(c.plugin.timeout_millis, 100);
    }

    #[test]
    fn nested_and_dotted_keys_agree() {
        let a =
            RaspConfig::parse("plugin:\n  timeout:\n    millis: 250\nblock:\n  status_code: 403\n")
                .unwrap();
        let b = RaspConfig::parse("plugin.timeout.millis: 250\nblock.status_code: 403\n").unwrap();
        let c = RaspConfig::parse("plugin:\n  timeout.millis: 250\nblock: {status_code: 403}\n")
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.plugin.timeout_millis, 250);
        assert_eq!(a.block.status_code, 403);
    }

    #[test]
    fn errors_name_line_and_key() {
        let e =
            RaspConfig::parse("block:\n  status_code: abc\nplugin.timeout.milis: 5\n").unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(e.0[0].line, 2);
        assert_eq!(e.0[0].key, "block.status_code");
        assert!(e.0[0].message.contains("integer"), "{}", e.0[0]);
        assert_eq!(e.0[1].line, 3);
        assert!(
            e.0[1]
                .message
                .contains("did you mean `plugin.timeout.millis`"),
            "{}",
            e.0[1]
        );
        assert_eq!(e.to_string().lines().count(), 2);
    }

    #[test]
    fn misspelt_sections_get_suggestions() {
        let e = RaspConfig::parse("plugin.timout.millis: 5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `plugin.timeout.millis`"), "{e}");
        let e = RaspConfig::parse("plugin:\n  timout:\n    millis: 5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("did you mean `plugin.timeout.millis`"),
            "{e}"
        );
        let e = RaspConfig::parse("blok:\n  status_code: 403\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1") && e.contains("did you mean `block."),
            "{e}"
        );
        let e = RaspConfig::parse("zzzzzz: 1\n").unwrap_err().to_string();
        assert!(e.contains("see docs/configuration.md"), "{e}");
    }

    #[test]
    fn range_and_type_errors() {
        for (text, needle) in [
            ("block.status_code: 99", "between 100 and 599"),
            ("plugin.timeout.millis: 0", "between 1 and 60000"),
            ("plugin.monitor_mode: yes-please", "true or false"),
            ("block.content_html: [1]", "must be a string"),
            ("plugin: 5", "expected a mapping"),
            (
                "block.redirect_url: javascript:alert(1)",
                "absolute http(s) URL",
            ),
            ("clientip.header: 'X Forwarded'", "not a header name"),
            ("whitelist: [a]", "mapping of URL prefix"),
            (
                "whitelist: {'a.com/': [sql, nope]}",
                "unknown check type `nope`",
            ),
            ("- just\n- a list\n", "must be a mapping"),
            ("a: [unclosed", "YAML syntax error"),
        ] {
            let e = RaspConfig::parse(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{text:?} gave {e:?}");
        }
    }

    #[test]
    fn whitelist_entries() {
        let c =
            RaspConfig::parse("whitelist:\n  'a.com/admin': [sql, command]\n  '*': all\n").unwrap();
        assert_eq!(c.whitelist.len(), 2);
        assert!(c.whitelist[0].types.contains(CheckType::Sql));
        assert!(!c.whitelist[0].types.contains(CheckType::ReadFile));
        assert_eq!(c.whitelist[1].types, CheckTypeSet::all());
        assert_eq!(c.whitelist[0].line, 2);
    }

    #[test]
    fn security_keys() {
        let c = RaspConfig::parse(
            "security:\n  enforce_policy: true\n  baseline:\n    expose_php: false\n    disable_functions: [System, exec]\n  weak_passwords: [hunter2, 1234]\nsql.slowquery.min_rows: 0\ninject:\n  urlprefix: /shop/\n  custom_html: '<script>x</script>'\n",
        )
        .unwrap();
        assert!(c.security.enforce_policy);
        assert!(!c.security.baseline.expose_php);
        assert!(c.security.baseline.display_errors);
        assert_eq!(c.security.baseline.disable_functions, ["system", "exec"]);
        assert_eq!(c.security.weak_passwords, ["hunter2", "1234"]);
        assert_eq!(c.security.slowquery_min_rows, 0);
        assert_eq!(c.inject.urlprefix, "/shop/");
        let e = RaspConfig::parse("security.weak_passwords: [a, [b]]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("list items must be strings"), "{e}");
        let e = RaspConfig::parse("security.baseline.disable_functions: system\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be a list"), "{e}");
    }

    #[test]
    fn algorithm_config_is_opaque_json() {
        let c =
            RaspConfig::parse("plugin:\n  algorithm_config:\n    sql_userinput: {action: log}\n")
                .unwrap();
        assert_eq!(c.plugin.algorithm_config["sql_userinput"]["action"], "log");
    }

    #[test]
    fn include_hook_mode() {
        assert_eq!(
            RaspConfig::parse("").unwrap().include_hook,
            IncludeHook::Auto
        );
        assert_eq!(
            RaspConfig::parse("hook.include: opcode")
                .unwrap()
                .include_hook,
            IncludeHook::Opcode
        );
        assert_eq!(
            RaspConfig::parse("hook:\n  include: compile")
                .unwrap()
                .include_hook,
            IncludeHook::Compile
        );
        let e = RaspConfig::parse("hook.include: jit")
            .unwrap_err()
            .to_string();
        assert!(e.contains("auto, opcode or compile"), "{e}");
        let e = RaspConfig::parse("hook.includ: auto")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `hook.include`"), "{e}");
    }

    #[test]
    fn every_key_parses_its_documented_default() {
        for k in KEYS {
            assert!(!k.doc.is_empty() && !k.ty.is_empty(), "{}", k.key);
        }
    }
}
