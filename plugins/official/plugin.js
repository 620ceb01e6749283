// php-rasp official detection plugin.
//
// Principle: an input is an attack when it changes what the application
// does, not when it merely looks scary. A request value counts only where
// it actually occurs in the sensitive argument, and only when it changes
// that argument's structure or reach:
//
// - SQL and shell commands: the native tokenizer says whether the value
//   stays one piece of data or becomes structure (operators, keywords,
//   quotes that end a string, comments). "O'Brien" sent to a parameterised
//   query never even appears in the SQL; "1 or 1=1" inside a quoted string
//   is one string token; both pass.
// - Files: the value walks out of the directory the application put in
//   front of it, or names an absolute path outside the application.
//   "report..final.pdf" and "a/../b.txt" stay inside and pass.
// - Outbound requests: the value chooses the host, and that host is (or
//   resolves to, or is spelled as) an internal address, or the value picks
//   a protocol that is not HTTP. Public URLs pass.
//
// Policies that need no request value (sql_policy, command_common,
// include_protocol for always-dangerous wrappers, xxe_external_entity,
// fileUpload_script) look for things applications practically never do.
//
// Every algorithm's action lives in algorithmConfig, which rasp.yml can
// override (plugin.algorithm_config); plugin.monitor_mode turns blocks into
// logs. See docs/plugin-api.md.
'use strict';

const plugin = new RASP('official');
plugin.version = '2026.11.24';

const algorithmConfig = {
  meta: {
    // Values shorter than this are not looked for in statements.
    min_length: 1,
    // Occurrences of one value checked per statement.
    max_occurrences: 16,
    // Request headers whose values count as user input.
    headers: ['user-agent', 'referer', 'x-forwarded-for', 'x-real-ip', 'host'],
    // Also look for URL-, HTML- and JSON-decoded forms of each value (for
    // applications that decode a value once more before using it).
    decode_values: true,
    // Values longer than this are not decoded.
    max_decode_length: 16384,
    // Path separators: also read "\" as a separator inside request values
    // (Windows servers, and applications that normalise separators). A
    // "..\" sequence never occurs in an honest file name.
    backslash_separator: true,
    // File names the web server executes or that reconfigure it.
    script_extensions: ['php', 'php3', 'php4', 'php5', 'php7', 'php8', 'pht', 'phtml', 'phar', 'phps', 'pgif', 'shtml', 'cgi'],
    script_names: ['.htaccess', '.user.ini', 'web.config'],
  },

  // ---- SQL
  sql_userinput: {
    name: 'SQL injection: a request value changes the structure of the query',
    action: 'block',
  },
  sql_policy: {
    name: 'SQL statement that applications do not send (dangerous functions, INTO OUTFILE, UNION NULL runs, ...)',
    action: 'block',
    feature: {
      // Several statements in one call (off: multi_query and migrations do it).
      stacked_query: false,
      // UNION SELECT NULL, NULL, NULL ... (column-count probing).
      union_null: true,
      // MySQL executable comments /*! ... */ (off for mysqldump-style imports).
      version_comment: true,
      // Functions below.
      function_blacklist: true,
      // SELECT ... INTO OUTFILE / DUMPFILE.
      into_outfile: true,
      // information_schema in a query that also carries a request value.
      information_schema: true,
    },
    union_null_min: 3,
    function_blacklist: ['load_file', 'benchmark', 'sleep', 'pg_sleep', 'sys_exec', 'sys_eval',
      'xp_cmdshell', 'xp_dirtree', 'xp_regread', 'sp_oacreate', 'pg_read_file', 'pg_read_binary_file',
      'pg_ls_dir', 'lo_import', 'lo_export', 'dblink_connect', 'utl_http', 'utl_inaddr', 'dbms_pipe',
      'waitfor', 'load_extension'],
  },
  sql_exception: {
    name: 'SQL syntax error caused by a request value',
    action: 'block',
    // Driver error codes (numbers for MySQL/MariaDB, SQLSTATE for PostgreSQL).
    codes: ['1064', '1149', '1222', '1241', '1221', '1271', '1690', '1367', '42601', '42804'],
    // Message patterns for drivers that report a generic code (SQLite, PDO).
    messages: ['error in your sql syntax', 'syntax error', 'unrecognized token', 'incomplete input',
      'unterminated', 'do not have the same number of result columns', 'number of columns',
      'xpath syntax error', 'union types', 'operand should contain', 'out of range in',
      "for key 'group_key'"],
  },

  // ---- commands
  command_userinput: {
    name: 'Command injection: a request value adds shell syntax to the command, or is the command',
    action: 'block',
  },
  command_common: {
    name: 'Command that opens a reverse shell or downloads and runs code',
    action: 'block',
  },

  // ---- files
  path_traversal: {
    name: 'Path traversal: a request value leaves the directory the application chose',
    action: 'block',
  },
  path_userinput: {
    name: 'A request value names an absolute path outside the application, or a system file',
    action: 'block',
  },
  include_protocol: {
    name: 'include of a stream wrapper (php://input, data:, http://, phar:// ...)',
    action: 'block',
    // Wrappers never included on purpose, request value or not.
    always: ['php', 'data', 'expect', 'http', 'https', 'ftp', 'ftps', 'zlib', 'compress.zlib',
      'compress.bzip2', 'glob', 'ssh2.shell', 'ssh2.exec', 'rar', 'ogg', 'zip'],
    // Wrappers blocked when a request value chooses them.
    userinput: ['file', 'phar'],
  },
  writeFile_script: {
    name: 'Writing a script (.php, .phtml, .htaccess ...) whose name comes from the request',
    action: 'block',
  },
  fileUpload_script: {
    name: 'Upload of a script or server configuration file',
    action: 'block',
  },
  rename_script: {
    name: 'Renaming or copying a file to a script name chosen by the request, or an upload to a script',
    action: 'block',
  },

  // ---- outbound requests
  ssrf_userinput: {
    name: 'SSRF: a request value sends the server to an internal address',
    action: 'block',
    internal_names: ['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'metadata',
      'metadata.google.internal', 'instance-data', 'metadata.azure.internal', 'kubernetes',
      'kubernetes.default', 'localtest.me', 'lvh.me', 'vcap.me', 'lacolhost.com'],
    internal_suffixes: ['.localhost', '.internal', '.local', '.localdomain', '.intranet', '.lan',
      '.svc.cluster.local', '.localtest.me', '.lvh.me', '.vcap.me'],
    // Cloud metadata addresses that are not in a private range.
    metadata_ips: ['100.100.100.200', '168.63.129.16', '192.0.0.192'],
  },
  ssrf_protocol: {
    name: 'SSRF: a request value picks a protocol other than http(s)',
    action: 'block',
    protocols: ['file', 'gopher', 'dict', 'ldap', 'ldaps', 'ftp', 'ftps', 'tftp', 'sftp', 'scp', 'smb',
      'smtp', 'telnet', 'php', 'phar', 'data', 'expect', 'jar', 'netdoc', 'glob', 'zip', 'rar',
      'compress.zlib', 'compress.bzip2', 'ssh2.shell', 'ssh2.exec', 'ogg'],
  },
  ssrf_redirect: {
    name: 'SSRF: a request-chosen URL redirects to an internal address',
    action: 'block',
  },

  // ---- parsers and code
  xxe_external_entity: {
    name: 'XXE: an XML external entity reads local files, internal hosts or uses a dangerous protocol',
    action: 'block',
    protocols: ['file', 'php', 'expect', 'data', 'gopher', 'dict', 'ftp', 'jar', 'netdoc', 'phar',
      'zip', 'glob', 'compress.zlib', 'compress.bzip2', 'ldap', 'tftp'],
    // http(s) DTDs from these hosts are fine even in request bodies.
    public_dtd_hosts: ['www.w3.org', 'w3.org', 'www.oasis-open.org', 'docs.oasis-open.org',
      'java.sun.com', 'www.docbook.org', 'docbook.org', 'xml.apache.org'],
  },
  deserialization_userinput: {
    name: 'Deserialization of objects from a request value',
    action: 'block',
    // Classes that may come from the request (no magic methods).
    allowed_classes: ['stdClass'],
  },
  webshell_eval: {
    name: 'Code from a request value reaches eval / assert / create_function',
    action: 'block',
  },
};
plugin.algorithmConfig = algorithmConfig;

// ============================================================== helpers ==

function verdict(algorithm, message, confidence) {
  const cfg = algorithmConfig[algorithm];
  if (!cfg || cfg.action === 'ignore') return null;
  return { action: cfg.action, message: message, confidence: confidence, algorithm: algorithm };
}

function enabled(algorithm) {
  const cfg = algorithmConfig[algorithm];
  return !!cfg && cfg.action !== 'ignore';
}

function isString(s) {
  return typeof s === 'string' && s.length > 0;
}

function clipText(s, n) {
  return s.length > n ? s.slice(0, n) + '...' : s;
}

function describe(input) {
  const how = input.decoded ? ' (' + input.decoded + '-decoded)' : '';
  return input.source + ' "' + input.name + '"' + how + ' = ' + JSON.stringify(clipText(input.value, 200));
}

// Lower-case list -> Set, cached per array object (rasp.yml may replace it).
const setCache = new WeakMap();
function lowerSet(list) {
  if (!Array.isArray(list)) return new Set();
  let s = setCache.get(list);
  if (!s) {
    s = new Set(list.map(function (x) { return String(x).toLowerCase(); }));
    setCache.set(list, s);
  }
  return s;
}

// ------------------------------------------------------------ inputs --

// The request values (parameters, JSON body leaves, cookies, the headers
// in meta.headers, and their URL/HTML/JSON-decoded forms), computed natively
// once per request: [{ source, name, value, decoded? }]. The extension's
// gates search the same list before calling the handlers registered with
// `when` below, so a gate never hides a value from them.
let valuesFor = null;
/** @type {readonly RaspInput[]} */
let valuesCache = [];

function collectValues(context) {
  if (context === valuesFor) return valuesCache;
  valuesCache = RASP.request_inputs(algorithmConfig.meta);
  valuesFor = context;
  return valuesCache;
}

// A gate condition: a request value at least minLength long occurs in
// params[param] (the values findInput walks).
function inputIn(param, minLength) {
  return { param: param, input: algorithmConfig.meta, min_length: minLength || 1 };
}

// Index of the first token that ends after `pos` (tokens are sorted).
function firstTokenEndingAfter(tokens, pos) {
  let lo = 0, hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid].stop <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Tokens overlapping [start, stop).
function tokensIn(tokens, start, stop) {
  const out = [];
  for (let i = firstTokenEndingAfter(tokens, start); i < tokens.length && tokens[i].start < stop; i++) {
    out.push(tokens[i]);
  }
  return out;
}

// Calls test(start, stop) for each occurrence of value in text (bounded);
// returns the first truthy result.
function eachOccurrence(text, value, test, from) {
  let at = text.indexOf(value, from || 0);
  let n = 0;
  while (at >= 0 && n < algorithmConfig.meta.max_occurrences) {
    const r = test(at, at + value.length);
    if (r) return r;
    n++;
    at = text.indexOf(value, at + 1);
  }
  return null;
}

// For each request value occurring in text: test(input, start, stop);
// returns { input, hit } for the first truthy result.
// With many values and a long text, one pass over the text first records
// where each 4-character sequence first occurs, so a value is looked up in
// a Map and searched from there instead of scanning the whole text.
const GRAM = 4;
function firstGrams(text) {
  const m = new Map();
  for (let i = 0; i + GRAM <= text.length; i++) {
    const g = text.substr(i, GRAM);
    if (!m.has(g)) m.set(g, i);
  }
  return m;
}

// The values that occur in text at all come from RASP.inputs_in (the
// extension searches its own list natively; the whole list need not cross)
// when the runtime has it; the rest of the walk is the same either way.
function findInput(text, context, test, minLength) {
  if (!isString(text)) return null;
  const min = minLength || 1;
  const values = typeof RASP.inputs_in === 'function'
    ? RASP.inputs_in(text, algorithmConfig.meta, min)
    : collectValues(context);
  const grams = values.length * text.length > 2000000 ? firstGrams(text) : null;
  for (let i = 0; i < values.length; i++) {
    const input = values[i];
    const v = input.value;
    if (v.length < min || v.length > text.length) continue;
    let from = 0;
    if (grams !== null && v.length >= GRAM) {
      const at = grams.get(v.substr(0, GRAM));
      if (at === undefined) continue;
      from = at;
    }
    const hit = eachOccurrence(text, v, function (s, e) { return test(input, s, e); }, from);
    if (hit) return { input: input, hit: hit };
  }
  return null;
}

// ================================================================= SQL ==

// SQL tokens are handled flat, as RASP.sql_tokenize_flat returns them:
// [start, stop, kind, start, stop, kind, ...], kind & 0xff indexing
// RASP.SQL_TOKEN_TYPES, kind & 0x100 marking an unterminated token. No
// token object or substring is made unless a message needs one: a long
// statement (a bulk INSERT has tens of thousands of tokens) costs the
// tokenizer's time, not an allocation per token.
const SQL_TYPES = RASP.SQL_TOKEN_TYPES ||
  ['word', 'quoted_identifier', 'string', 'number', 'operator', 'punctuation', 'comment', 'version_comment', 'variable', 'other'];
const SQL_KIND = Object.create(null);
for (let i = 0; i < SQL_TYPES.length; i++) SQL_KIND[SQL_TYPES[i]] = i;
const K_WORD = SQL_KIND.word;
const K_PUNCT = SQL_KIND.punctuation;
const K_COMMENT = SQL_KIND.comment;
const K_VCOMMENT = SQL_KIND.version_comment;
const K_OTHER = SQL_KIND.other;
const UNTERMINATED = RASP.TOKEN_UNTERMINATED || 0x100;

function kindMask(names) {
  let m = 0;
  for (let i = 0; i < names.length; i++) if (SQL_KIND[names[i]] !== undefined) m |= 1 << SQL_KIND[names[i]];
  return m;
}

// Token types whose delimiters mark where data starts and ends.
const SQL_DELIMITED = kindMask(['string', 'identifier', 'quoted_identifier', 'comment', 'version_comment']);
const SQL_COMMENTS = kindMask(['comment', 'version_comment']);
// Token types that are syntax, never data, when a value makes up all of one.
// 'other' is a token the server rejects ("12abc" in SQLite): the statement
// fails either way, and such values are how injection points are probed.
const SQL_SYNTAX = kindMask(['operator', 'punctuation', 'comment', 'version_comment', 'variable', 'other']);

// Flat tokens of a statement (falls back to the token objects of a runtime
// without the flat API). sql_userinput and sql_policy both need the tokens
// of the same statement: the last result is kept.
let lastSqlQuery = null, lastSqlServer = null, lastSqlTokens = null;
function sqlTokens(query, server) {
  if (query === lastSqlQuery && server === lastSqlServer) return lastSqlTokens;
  lastSqlTokens = sqlTokenize(query, server);
  lastSqlQuery = query;
  lastSqlServer = server;
  return lastSqlTokens;
}

function sqlTokenize(query, server) {
  if (typeof RASP.sql_tokenize_flat === 'function') return RASP.sql_tokenize_flat(query, server);
  const toks = RASP.sql_tokenize(query, server);
  const flat = new Array(toks.length * 3);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const k = SQL_KIND[t.type];
    flat[3 * i] = t.start;
    flat[3 * i + 1] = t.stop;
    flat[3 * i + 2] = (k === undefined ? K_OTHER : k) | (t.unterminated ? UNTERMINATED : 0);
  }
  return flat;
}

function sqlKind(f, i) {
  return f[3 * i + 2] & 0xff;
}

function sqlText(query, f, i) {
  return query.substring(f[3 * i], f[3 * i + 1]);
}

// Index of the first token that ends after `pos` (tokens are sorted).
function sqlFirstEndingAfter(f, pos) {
  let lo = 0, hi = (f.length / 3) | 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f[3 * mid + 1] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// A value occurrence is structural when it covers more than one token;
// starts a string, identifier or comment that runs on (unterminated); cuts
// a comment open, or supplies the opening or closing delimiter of a literal
// it shares with the query; or is by itself a piece of syntax of two
// characters or more (a lone "*" or "," also occurs in ordinary queries and
// can change nothing). Returns the tokens hit as { first, count }, or null.
function sqlBreaks(f, start, stop) {
  const n = (f.length / 3) | 0;
  const first = sqlFirstEndingAfter(f, start);
  let count = 0;
  while (first + count < n && f[3 * (first + count)] < stop) count++;
  if (count !== 1) return count > 1 ? { first: first, count: count } : null;
  const hit = { first: first, count: 1 };
  const ts = f[3 * first], te = f[3 * first + 1], kind = f[3 * first + 2];
  if (kind & UNTERMINATED) return hit;
  const bit = 1 << (kind & 0xff);
  const whole = start <= ts && stop >= te;
  if (whole) return stop - start >= 2 && (SQL_SYNTAX & bit) ? hit : null;
  if (!(SQL_DELIMITED & bit)) return null;
  if (start > ts && stop < te) return null;
  // A one-character value at a literal's edge is just that quote: any
  // quote in the query matches it. (Comments are different: "#" or "--"
  // opening a comment that swallows the rest of the query is structure.)
  if (stop - start < 2 && !(SQL_COMMENTS & bit)) return null;
  return hit;
}

function sqlUserInput(params, context) {
  if (!enabled('sql_userinput')) return null;
  const query = params.query;
  let tokens = null;
  const found = findInput(query, context, function (input, s, e) {
    if (tokens === null) tokens = sqlTokens(query, params.server);
    return sqlBreaks(tokens, s, e);
  });
  if (!found) return null;
  const hit = found.hit;
  const texts = [];
  for (let i = hit.first; i < hit.first + Math.min(hit.count, 5); i++) texts.push(clipText(sqlText(query, tokens, i), 40));
  return verdict('sql_userinput',
    'SQL injection: ' + describe(found.input) + ' changes the query structure (' + hit.count + ' tokens: ' +
    texts.join(' ') + ')', 90);
}

// Cheap pre-filter for sql_policy: any of these (lower-cased) in the query.
// ('waitfor': WAITFOR DELAY '0:0:5' needs neither a parenthesis nor a ';'.)
const SQL_POLICY_HINTS = ['union', '/*!', '/*m!', 'outfile', 'dumpfile', 'information_schema', 'waitfor', ';', '('];

// Whether token i is the word w (lower-case ASCII), in any case. Compares
// in place: no substring per word of every query. Only ASCII letters fold
// (toLowerCase folds the Kelvin sign to "k"; none of these words has one).
function sqlWordIs(query, f, i, w) {
  const start = f[3 * i];
  if (sqlKind(f, i) !== K_WORD || f[3 * i + 1] - start !== w.length) return false;
  for (let k = 0; k < w.length; k++) {
    let c = query.charCodeAt(start + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(k)) return false;
  }
  return true;
}

function sqlCharIs(query, f, i, c) {
  return f[3 * i + 1] - f[3 * i] === 1 && query.charCodeAt(f[3 * i]) === c;
}

// Next token that is not a comment (MySQL's /*! */ markers stay, they are
// structure), from index i.
function nextCode(f, i) {
  const n = (f.length / 3) | 0;
  while (i < n && sqlKind(f, i) === K_COMMENT) i++;
  return i;
}

// Shortest and longest word sql_policy looks at (its keywords and the
// blacklisted function names): other words need no look. Once per set.
const SQL_POLICY_WORDS = ['into', 'union', 'waitfor', 'information_schema'];
const wordBounds = new WeakMap();
function policyWordBounds(funcs) {
  const key = funcs || wordBounds;
  let b = wordBounds.get(key);
  if (b === undefined) {
    b = { min: Infinity, max: 0 };
    const see = function (w) { b.min = Math.min(b.min, w.length); b.max = Math.max(b.max, w.length); };
    SQL_POLICY_WORDS.forEach(see);
    if (funcs) funcs.forEach(see);
    wordBounds.set(key, b);
  }
  return b;
}

function sqlPolicy(params, context) {
  if (!enabled('sql_policy')) return null;
  const query = params.query;
  if (!isString(query)) return null;
  const cfg = algorithmConfig.sql_policy;
  const feature = cfg.feature || {};
  // The hints spare tokenizing a query nothing below can match; a query
  // sql_userinput tokenized already goes straight to its tokens.
  if (query !== lastSqlQuery || params.server !== lastSqlServer) {
    const lower = query.toLowerCase();
    let any = false;
    for (let i = 0; i < SQL_POLICY_HINTS.length && !any; i++) any = lower.indexOf(SQL_POLICY_HINTS[i]) >= 0;
    if (!any) return null;
  }
  const f = sqlTokens(query, params.server);
  const n = (f.length / 3) | 0;
  const funcs = feature.function_blacklist ? lowerSet(cfg.function_blacklist) : null;
  const bounds = policyWordBounds(funcs);
  const minWord = bounds.min, maxWord = bounds.max;
  const minNull = Math.max(1, cfg.union_null_min | 0);
  for (let i = 0; i < n; i++) {
    const kind = sqlKind(f, i);
    if (kind !== K_WORD) {
      if (kind === K_VCOMMENT && feature.version_comment) {
        const text = sqlText(query, f, i);
        if (text.slice(0, 3) !== '/*+' && text !== '*/') {
          return verdict('sql_policy', 'SQL policy: MySQL executable comment ' + clipText(text, 20) + ' in the query', 80);
        }
      }
      if (kind === K_PUNCT && feature.stacked_query && sqlCharIs(query, f, i, 59 /* ; */)) {
        const j = nextCode(f, i + 1);
        if (j < n) return verdict('sql_policy', 'SQL policy: stacked queries (a second statement after ";")', 70);
      }
      continue;
    }
    const len = f[3 * i + 1] - f[3 * i];
    if (len < minWord || len > maxWord) continue;
    const next = nextCode(f, i + 1);
    // A blacklisted function is called: its name followed by "(" (WAITFOR
    // DELAY has no parenthesis).
    const call = next < n && sqlCharIs(query, f, next, 40 /* ( */);
    const waitfor = !call && sqlWordIs(query, f, i, 'waitfor');
    if (funcs && (call || waitfor) && funcs.has(sqlText(query, f, i).toLowerCase())) {
      if (call || (next < n && (sqlWordIs(query, f, next, 'delay') || sqlWordIs(query, f, next, 'time')))) {
        return verdict('sql_policy', 'SQL policy: dangerous function ' + sqlText(query, f, i) + '()', 85);
      }
    }
    if (feature.into_outfile && sqlWordIs(query, f, i, 'into')) {
      const j = next;
      if (j < n && (sqlWordIs(query, f, j, 'outfile') || sqlWordIs(query, f, j, 'dumpfile'))) {
        return verdict('sql_policy', 'SQL policy: SELECT ... INTO ' + sqlText(query, f, j).toUpperCase() + ' writes a file', 90);
      }
    }
    if (feature.union_null && sqlWordIs(query, f, i, 'union')) {
      let j = next;
      if (j < n && (sqlWordIs(query, f, j, 'all') || sqlWordIs(query, f, j, 'distinct'))) j = nextCode(f, j + 1);
      if (j < n && sqlWordIs(query, f, j, 'select')) {
        let nulls = 0;
        j = nextCode(f, j + 1);
        while (j < n && sqlWordIs(query, f, j, 'null')) {
          nulls++;
          j = nextCode(f, j + 1);
          if (j < n && sqlCharIs(query, f, j, 44 /* , */)) j = nextCode(f, j + 1);
          else break;
        }
        if (nulls >= minNull) return verdict('sql_policy', 'SQL policy: UNION SELECT with a run of ' + nulls + ' NULL columns (column-count probing)', 85);
      }
    }
    if (feature.information_schema && sqlWordIs(query, f, i, 'information_schema')) {
      // Applications read the catalogue too (migrations, ORMs); probing is
      // when the same query also carries request data.
      const found = findInput(query, context, function () { return true; }, 2);
      if (found) {
        return verdict('sql_policy', 'SQL policy: information_schema queried with request data (' + describe(found.input) + ')', 75);
      }
    }
  }
  return null;
}

// Two handlers, each called only when its own `when` holds: most queries
// that carry a request value hold no word sql_policy looks for, and most
// that hold one carry no request value.
function sqlUserInputCheck(params, context) {
  return sqlUserInput(params, context) || { action: 'ignore' };
}

function sqlPolicyCheck(params, context) {
  return sqlPolicy(params, context) || { action: 'ignore' };
}

// sql_userinput can only fire when a request value occurs in the query.
function sqlUserInputWhen() {
  return enabled('sql_userinput') ? [inputIn('query')] : [];
}

// sql_policy only when the query holds a word it looks for (its
// information_schema rule also wants a request value in the query).
// Evaluated after rasp.yml's overrides.
function sqlPolicyWhen() {
  if (!enabled('sql_policy')) return [];
  const cfg = algorithmConfig.sql_policy;
  const feature = (cfg && cfg.feature) || {};
  const words = [];
  if (feature.union_null) words.push('union');
  if (feature.version_comment) words.push('/*!', '/*m!');
  if (feature.into_outfile) words.push('outfile', 'dumpfile');
  if (feature.stacked_query) words.push(';');
  if (feature.information_schema) words.push('information_schema');
  if (feature.function_blacklist && Array.isArray(cfg.function_blacklist)) {
    cfg.function_blacklist.forEach(function (f) { words.push(String(f)); });
  }
  return words.length ? [{ param: 'query', contains: words }] : [];
}

plugin.register('sql', sqlUserInputCheck, { when: sqlUserInputWhen });
plugin.register('sql', sqlPolicyCheck, { when: sqlPolicyWhen });
plugin.register('sqlPrepared', sqlUserInputCheck, { when: sqlUserInputWhen });
plugin.register('sqlPrepared', sqlPolicyCheck, { when: sqlPolicyWhen });

// A syntax error the database reported for a query that carries a request
// value with characters that can break SQL.
function sqlException(params, context) {
  if (!enabled('sql_exception')) return null;
  const cfg = algorithmConfig.sql_exception;
  const code = params.error_code === undefined || params.error_code === null ? '' : String(params.error_code);
  const msg = typeof params.error_msg === 'string' ? params.error_msg.toLowerCase() : '';
  let matched = Array.isArray(cfg.codes) && cfg.codes.indexOf(code) >= 0;
  if (!matched && Array.isArray(cfg.messages)) {
    for (let i = 0; i < cfg.messages.length && !matched; i++) matched = msg.indexOf(String(cfg.messages[i]).toLowerCase()) >= 0;
  }
  if (!matched) return null;
  const found = findInput(params.query, context, function (input) {
    return /[^\p{L}\p{N}_]/u.test(input.value);
  });
  if (!found) return null;
  return verdict('sql_exception', 'SQL error ' + code + ' (' + clipText(params.error_msg || '', 160) + ') caused by ' +
    describe(found.input), 80);
}

plugin.register('sql_exception', function (params, context) {
  return sqlException(params, context) || { action: 'ignore' };
});

// ============================================================= command ==

// Shell syntax a value must never contribute: it starts another command,
// a pipe, a redirection or a substitution.
const SHELL_STRUCTURE = new Set(['operator', 'redirect', 'command_substitution', 'process_substitution', 'heredoc']);
const SHELL_SEPARATORS = new Set([';', '&', '&&', '||', '|', '|&', '\n', '(', ')', '{', '}', '!']);

function cmdBreaks(tokens, start, stop, value, command) {
  if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) return [{ text: '\\n' }];
  const hit = tokensIn(tokens, start, stop);
  for (let i = 0; i < hit.length; i++) {
    if (SHELL_STRUCTURE.has(hit[i].type) || hit[i].unterminated) return hit;
  }
  // A trailing unpaired backslash at the very end escapes the end of the
  // command line itself (inside quotes or before more text it is data).
  const tail = stop === command.length ? /\\+$/.exec(value) : null;
  if (tail && tail[0].length % 2 === 1) return [{ text: value.slice(-8) }];
  // The value is the program to run: it is the whole command, or starts a
  // command and brings its arguments along.
  const first = firstTokenEndingAfter(tokens, start);
  if (first < tokens.length && tokens[first].start >= start && tokens[first].type === 'word') {
    const prev = first > 0 ? tokens[first - 1] : null;
    const commandWord = prev === null || (prev.type === 'operator' && SHELL_SEPARATORS.has(prev.text.trim() || '\n'));
    if (commandWord) {
      const allOfIt = command.slice(0, start).trim() === '' && command.slice(stop).trim() === '' && first === 0;
      const words = hit.filter(function (t) { return t.type === 'word'; }).length;
      if (allOfIt || (words >= 2 && hit[0] === tokens[first] && hit[0].stop <= stop)) return hit.length ? hit : [tokens[first]];
    }
  }
  return null;
}

function commandUserInput(params, context) {
  if (!enabled('command_userinput')) return null;
  const command = params.command;
  let tokens = null;
  const found = findInput(command, context, function (input, s, e) {
    if (tokens === null) tokens = RASP.cmd_tokenize(command);
    return cmdBreaks(tokens, s, e, input.value, command);
  });
  if (!found) return null;
  return verdict('command_userinput',
    'Command injection: ' + describe(found.input) + ' adds shell syntax or chooses the program (' +
    found.hit.slice(0, 5).map(function (t) { return clipText(t.text, 40); }).join(' ') + ')', 90);
}

// Reverse shells and download-and-run, whoever wrote the command. Judged
// on the programs the shell actually runs: "echo 'nc -e /bin/sh'" prints
// text and passes; "nc -e /bin/sh host 4444" runs netcat and is blocked.

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'busybox sh']);
const INTERPRETERS = /^(?:python[\d.]{0,4}|perl[\d.]{0,4}|ruby[\d.]{0,4}|php[\d.]{0,4}|lua[\d.]{0,4}|node|nodejs|awk|gawk)$/;
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'lwp-download', 'tftp', 'aria2c']);
const NETCATS = new Set(['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd']);
// Words that run the next word as the program.
const PREFIXES = new Set(['sudo', 'nohup', 'exec', 'env', 'command', 'builtin', 'time', 'nice', 'setsid', 'stdbuf', 'busybox', 'timeout']);

// Removes one level of shell quoting and backslash escapes from a word.
function unquote(w) {
  let out = '', q = '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    if (q === '\'') {
      if (c === '\'') q = '';
      else out += c;
    } else if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < w.length && '"\\$`'.indexOf(w[i + 1]) >= 0) out += w[++i];
      else out += c;
    } else if (c === '\'' || c === '"') {
      q = c;
    } else if (c === '\\' && i + 1 < w.length) {
      out += w[++i];
    } else {
      out += c;
    }
  }
  return out;
}

// Simple commands of a command line, in order: { program, programPath,
// args[], op (the operator after it), parent (the command whose $( ),
// backquotes or <( ) hold this one), redirectTargets[] }.
function commandSegments(command, tokens) {
  const segs = [];
  const frames = [];
  let cur = null;
  const close = function (op) {
    if (cur) {
      cur.op = op;
      segs.push(cur);
      cur = null;
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'operator') {
      close(t.text);
      continue;
    }
    if (t.type === 'command_substitution' || t.type === 'process_substitution') {
      const top = frames.length ? frames[frames.length - 1] : null;
      const closer = t.text === ')' || (t.text === '`' && top !== null && top.tick);
      if (!closer) {
        frames.push({ seg: cur, tick: t.text === '`' });
        cur = null;
      } else {
        close('');
        const f = frames.pop();
        cur = f ? f.seg : null;
      }
      continue;
    }
    if (t.type === 'comment' || t.type === 'heredoc') continue;
    if (cur === null) {
      cur = { words: [], op: '', parentSeg: frames.length ? frames[frames.length - 1].seg : null, redirectTargets: [] };
    }
    if (t.type === 'redirect') {
      // "2>&1" and ">&-" carry their target; "> file" takes the next word.
      cur.afterRedirect = !/&[0-9-]+$/.test(t.text);
      cur.inTarget = false;
      continue;
    }
    const prev = i > 0 ? tokens[i - 1] : null;
    const glued = prev !== null && prev.stop === t.start && prev.type !== 'redirect' && prev.type !== 'operator';
    if (cur.afterRedirect) {
      cur.redirectTargets.push(unquote(t.text));
      cur.afterRedirect = false;
      cur.inTarget = true;
    } else if (glued && cur.inTarget) {
      cur.redirectTargets[cur.redirectTargets.length - 1] += unquote(t.text);
    } else if (glued && cur.words.length) {
      cur.inTarget = false;
      cur.words[cur.words.length - 1] += t.text;
    } else {
      cur.inTarget = false;
      cur.words.push(t.text);
    }
  }
  close('');
  while (frames.length) {
    const f = frames.pop();
    if (f.seg && segs.indexOf(f.seg) < 0) segs.push(f.seg);
  }
  for (let n = 0; n < segs.length; n++) {
    const seg = segs[n];
    const words = seg.words.map(unquote);
    let k = 0;
    // Skip VAR=value assignments and wrappers like sudo / nohup / timeout 5.
    while (k < words.length) {
      const w = words[k];
      const base = w.slice(w.lastIndexOf('/') + 1).toLowerCase();
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) { k++; continue; }
      if (PREFIXES.has(base)) {
        k++;
        while (k < words.length && /^-|^\d+[smhd]?$/.test(words[k])) k++;
        continue;
      }
      break;
    }
    const prog = k < words.length ? words[k] : '';
    seg.program = prog.slice(prog.lastIndexOf('/') + 1).toLowerCase().replace(/\.exe$/, '');
    seg.programPath = prog;
    seg.args = words.slice(k + 1);
  }
  for (let n = 0; n < segs.length; n++) segs[n].parent = segs[n].parentSeg ? segs[n].parentSeg.program : '';
  return segs;
}

function isShell(p) {
  return SHELLS.has(p);
}

// Returns a description of the first dangerous construct, or ''.
function dangerousCommand(command, depth) {
  if (!isString(command) || command.length > 65536) return '';
  const segs = commandSegments(command, RASP.cmd_tokenize(command));
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i], p = s.program, args = s.args;
    const next = i + 1 < segs.length ? segs[i + 1] : null;
    const targets = s.redirectTargets || [];
    for (let k = 0; k < targets.length; k++) {
      if (/^\/dev\/(?:tcp|udp)\/[^\/]+\/\d+/.test(targets[k])) return 'redirection to ' + targets[k] + ' (reverse shell)';
    }
    if (NETCATS.has(p) && args.some(function (a) { return /^-[a-z]{0,8}[ec]$|^--(?:sh-)?exec\b|^-e\//i.test(a); })) {
      return p + ' running a program for a remote peer';
    }
    if (p === 'mkfifo' || (p === 'mknod' && args.indexOf('p') >= 0)) {
      if (segs.some(function (o) { return NETCATS.has(o.program) || o.program === 'telnet' || o.program === 'openssl'; })) {
        return 'named pipe wired to a network tool (reverse shell)';
      }
    }
    if (p === 'socat' && args.some(function (a) { return /(?:^|[,!])(?:exec|system):/i.test(a); })) return 'socat running a program for a remote peer';
    if ((p === 'telnet' || (p === 'openssl' && args[0] === 's_client') || NETCATS.has(p)) && s.op === '|' && next && isShell(next.program)) {
      return p + ' piped into a shell (reverse shell)';
    }
    if ((p === 'awk' || p === 'gawk') && args.some(function (a) { return a.indexOf('/inet/tcp/') >= 0 || a.indexOf('/inet/udp/') >= 0; })) {
      return p + ' /inet socket (reverse shell)';
    }
    // Inline code: python -c, perl -e, php -r, ruby -e, node -e, lua -e.
    const inline = INTERPRETERS.test(p) ? args.findIndex(function (a) { return /^-[a-zA-Z]{0,4}[ceEr]$/.test(a); }) : -1;
    if (inline >= 0) {
      const code = args.slice(inline + 1).join(' ');
      if (/\b(?:socket|fsockopen|stream_socket_client|TCPSocket|IO::Socket|net\.Socket|connect)\b/i.test(code) &&
          /\b(?:dup2|pty\.spawn|exec|system|popen|proc_open|passthru|shell_exec|spawn|subprocess|child_process)\b|\/bin\/(?:ba)?sh\b/i.test(code)) {
        return p + ' opening a socket and running a shell (reverse shell)';
      }
    }
    if (DOWNLOADERS.has(p)) {
      if (s.op === '|' && next && (isShell(next.program) || INTERPRETERS.test(next.program))) return p + ' piped into ' + next.program + ' (download and run)';
      if (isShell(s.parent) || INTERPRETERS.test(s.parent)) return p + ' output run by ' + s.parent + ' (download and run)';
      for (let j = i + 1; j < segs.length && j < i + 6; j++) {
        const o = segs[j];
        if (o.parent !== s.parent) continue;
        if (o.program === 'chmod' && o.args.some(function (a) { return /^(?:[0-7]{0,3}[1357][0-7]{0,2}|[ugoa]{0,3}\+[rwX]{0,2}x[rwX]{0,2})$/.test(a); })) return p + ' then chmod +x (download and run)';
        if ((isShell(o.program) || INTERPRETERS.test(o.program)) && o.args.some(function (a) { return /^\/tmp\/|^\/dev\/shm\/|^\/var\/tmp\//.test(a); })) return p + ' then ' + o.program + ' on a temporary file (download and run)';
        if (/^(?:\.\/|\/tmp\/|\/dev\/shm\/|\/var\/tmp\/)/.test(o.programPath)) return p + ' then running ' + o.programPath + ' (download and run)';
      }
    }
    if (p === 'powershell' || p === 'pwsh') {
      if (/\b(?:DownloadString|DownloadFile|DownloadData)\s*\(|\bInvoke-WebRequest\b[^\n]{0,300}\|\s*(?:IEX|Invoke-Expression)\b|\bIEX\s*[\s(]\s*\(?\s*(?:New-Object|iwr|Invoke-WebRequest)/i.test(args.join(' '))) {
        return 'PowerShell download cradle';
      }
    }
    if (p === 'certutil' && args.some(function (a) { return /^[-\/]urlcache$/i.test(a); })) return 'certutil download';
    // sh -c 'inner command': judge the inner command too.
    if (depth < 2 && isShell(p)) {
      const c = args.indexOf('-c') >= 0 ? args.indexOf('-c') : args.findIndex(function (a) { return /^-[a-z]*c$/.test(a); });
      if (c >= 0 && c + 1 < args.length) {
        const inner = dangerousCommand(args[c + 1], depth + 1);
        if (inner) return inner + ' inside ' + p + ' -c';
      }
    }
  }
  return '';
}

function commandCommon(params) {
  if (!enabled('command_common')) return null;
  const why = dangerousCommand(params.command, 0);
  return why ? verdict('command_common', 'Dangerous command: ' + why + ' (' + JSON.stringify(clipText(params.command, 200)) + ')', 85) : null;
}

plugin.register('command', function (params, context) {
  return commandUserInput(params, context) || commandCommon(params) || { action: 'ignore' };
});

// =============================================================== files ==

function isSep(c, backslash) {
  return c === '/' || (backslash && c === '\\');
}

// Splits a path into segments, resolving "." and ".." lexically.
// Returns { abs, segs, escaped } where escaped counts ".." that went above
// the start of a relative path (or above "/").
function normalise(path, backslash) {
  const segs = [];
  let escaped = 0;
  let cur = '';
  const abs = path.length > 0 && isSep(path[0], backslash);
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || isSep(path[i], backslash)) {
      if (cur === '..') {
        if (segs.length > 0) segs.pop();
        else escaped++;
      } else if (cur !== '' && cur !== '.') {
        segs.push(cur);
      }
      cur = '';
    } else {
      cur += path[i];
    }
  }
  return { abs: abs, segs: segs, escaped: escaped };
}

// Whether normalised `inner` lies inside (or is) normalised `outer`.
function within(inner, outer) {
  if (inner.escaped > outer.escaped) return false;
  if (inner.segs.length < outer.segs.length) return false;
  for (let i = 0; i < outer.segs.length; i++) if (inner.segs[i] !== outer.segs[i]) return false;
  return true;
}

function hasTraversal(value, backslash) {
  const n = value.length;
  for (let i = value.indexOf('..'); i >= 0; i = value.indexOf('..', i + 1)) {
    const before = i === 0 || isSep(value[i - 1], backslash);
    const after = i + 2 >= n || isSep(value[i + 2], backslash);
    if (before && after) return true;
  }
  return false;
}

// Absolute: "/x", and with backslash separators "\\x"; drive letters
// ("C:\\x", "C:/x") only on Windows servers.
function isAbsolute(p, backslash, windows) {
  if (p.length === 0) return false;
  if (p[0] === '/' || (backslash && p[0] === '\\')) return true;
  return windows && /^[a-zA-Z]:[\\\/]/.test(p);
}

function isWindows(context) {
  const os = context && context.server && typeof context.server.os === 'string' ? context.server.os : '';
  return /^win/i.test(os);
}

// The stream wrapper at the start of a path as PHP sees one ("scheme://",
// or "data:"), lower-cased, or ''.
function wrapperOf(p) {
  const m = /^([a-zA-Z][a-zA-Z0-9+.\-]*):\/\//.exec(p);
  if (m) return m[1].toLowerCase();
  if (/^data:/i.test(p)) return 'data';
  return '';
}

const SENSITIVE_FILE = /^\/(?:etc\/(?:passwd|shadow|group|gshadow|sudoers|hosts|hostname|issue|crontab|fstab|mysql\/|ssh\/|ssl\/private\/|security\/|php\/|nginx\/|apache2\/|httpd\/)|proc\/|sys\/|root\/|var\/log\/|var\/lib\/mysql\/|boot\/|dev\/)|\/\.ssh\/|\/\.aws\/|\/\.git\/|\/\.env$|\/\.htpasswd$|\/\.bash_history$|\/id_(?:rsa|dsa|ecdsa|ed25519)$|\/wp-config\.php$/;

function sensitive(p) {
  return SENSITIVE_FILE.test(p);
}

// The directory part (with its trailing separator) of a path prefix.
function dirOf(prefix, backslash) {
  for (let i = prefix.length - 1; i >= 0; i--) if (isSep(prefix[i], backslash)) return prefix.slice(0, i + 1);
  return '';
}

// Judges one path argument against the request values. Returns
// { algorithm, message, confidence } or null.
function pathCheck(path, realpath, context, what, isInclude) {
  if (!isString(path)) return null;
  const windows = isWindows(context);
  const backslash = !!algorithmConfig.meta.backslash_separator || windows;
  const base = context && typeof context.appBasePath === 'string' ? context.appBasePath : '';
  let result = null;
  findInput(path, context, function (input, s, e) {
    const value = input.value;
    // Absolute by the server's rules ("\\x" is a relative name on Linux).
    const absolute = s === 0 && isAbsolute(value, windows, windows);
    // 1. Traversal: the value climbs out of the directory in front of it
    // (or, with nothing in front, out of the directory it is relative to).
    if (enabled('path_traversal') && !absolute && hasTraversal(value, backslash)) {
      const prefix = path.slice(0, s);
      const outer = dirOf(prefix, backslash);
      const target = normalise(path.slice(0, e), backslash);
      const leaves = outer === '' ? target.escaped > 0 : !within(target, normalise(outer, backslash));
      if (leaves) {
        result = { algorithm: 'path_traversal', confidence: 90,
          message: 'Path traversal in ' + what + ': ' + describe(input) + ' leaves ' +
            (outer ? JSON.stringify(clipText(outer, 200)) : 'the current directory') + ' (' + JSON.stringify(clipText(path, 200)) +
            (isString(realpath) ? ' -> ' + JSON.stringify(clipText(realpath, 200)) : '') + ')' };
        return true;
      }
    }
    // 2. The value is the path (or its start) and it is absolute: the
    // request chose a file anywhere on the system.
    // It must end where a name ends ("/e" of "/etc/app.ini" is chance).
    const whole = e === path.length || isSep(path[e], backslash) || path[e] === '.' || path[e] === '\0';
    if (enabled('path_userinput') && absolute && whole && value.length >= 2) {
      const resolved = isString(realpath) ? realpath : path;
      const norm = normalise(resolved, backslash);
      const canon = '/' + norm.segs.join('/');
      const outside = base !== '' && !within(norm, normalise(base, backslash));
      const system = sensitive(canon);
      // include runs what it reads: a request-chosen absolute path is
      // code execution unless it is one of the application's own scripts.
      const notScript = !!isInclude && !/\.(?:php\d?|phtml|inc)$/i.test(canon);
      if (outside || system || notScript) {
        result = { algorithm: 'path_userinput', confidence: 85,
          message: what + ' of a path chosen by the request: ' + describe(input) + ' -> ' +
            JSON.stringify(clipText(resolved, 200)) + (system ? ' (a system file)' : outside ? ' (outside ' + JSON.stringify(base) + ')' : ' (not a script of the application)') };
        return true;
      }
    }
    return false;
  }, 2);
  return result;
}

function pathVerdict(r) {
  return r ? verdict(r.algorithm, r.message, r.confidence) : null;
}

function fileCheck(what) {
  return function (params, context) {
    return pathVerdict(pathCheck(params.path, params.realpath, context, what)) || { action: 'ignore' };
  };
}

// file_get_contents($_GET['u']) with file:///etc/passwd, gopher://, dict://:
// the request picks the protocol of what PHP reads (http(s) reads are ssrf
// checks of their own).
// Both the protocol and the path checks need a request value in the path.
plugin.register('readFile', function (params, context) {
  const path = isString(params.path) ? params.path : '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    const byProtocol = protocolVerdict(path, parseUrl(path), context, params.function || 'readFile');
    if (byProtocol) return byProtocol;
  }
  return pathVerdict(pathCheck(params.path, params.realpath, context, 'readFile')) || { action: 'ignore' };
}, { when: function () { return [inputIn('path', 2)]; } });
plugin.register('deleteFile', fileCheck('deleteFile'), { when: function () { return [inputIn('path', 2)]; } });
plugin.register('directory', fileCheck('directory'), { when: function () { return [inputIn('path', 2)]; } });

// ---- scripts

function baseName(p) {
  let end = p.length;
  while (end > 0 && (p[end - 1] === '/' || p[end - 1] === '\\')) end--;
  let i = end - 1;
  while (i >= 0 && p[i] !== '/' && p[i] !== '\\') i--;
  return p.slice(i + 1, end);
}

// Whether a file name is executed by the web server or configures it.
// Windows and some servers ignore trailing dots, spaces and ::$DATA.
function isScriptName(name) {
  if (!isString(name)) return false;
  let n = baseName(name).toLowerCase().replace(/::\$data$/, '').replace(/[.\s]+$/, '');
  if (lowerSet(algorithmConfig.meta.script_names).has(n)) return true;
  const dot = n.lastIndexOf('.');
  if (dot < 0) return false;
  return lowerSet(algorithmConfig.meta.script_extensions).has(n.slice(dot + 1));
}

// A request value occurs in the file-name part of path.
function valueInName(path, context) {
  if (!isString(path)) return null;
  const name = baseName(path);
  const nameStart = path.lastIndexOf(name);
  const found = findInput(path, context, function (input, s, e) {
    return e > nameStart;
  });
  return found ? found.input : null;
}

function writeFileCheck(params, context) {
  const path = params.path;
  const trav = pathVerdict(pathCheck(path, params.realpath, context, 'writeFile'));
  if (trav) return trav;
  if (enabled('writeFile_script')) {
    const target = isString(params.realpath) ? params.realpath : path;
    if (isScriptName(target) || isScriptName(path)) {
      const input = valueInName(path, context) || valueInName(params.realpath, context);
      if (input) {
        return verdict('writeFile_script', 'Writing script ' + JSON.stringify(clipText(target, 200)) +
          ' whose name comes from ' + describe(input), 90);
      }
    }
  }
  return null;
}

plugin.register('writeFile', function (params, context) {
  return writeFileCheck(params, context) || { action: 'ignore' };
}, { when: function () { return [inputIn('path'), inputIn('realpath')]; } });

plugin.register('fileUpload', function (params, context) {
  if (enabled('fileUpload_script')) {
    for (const f of ['filename', 'dest_path', 'dest_realpath']) {
      if (isScriptName(params[f])) {
        return verdict('fileUpload_script', 'Upload of script or server configuration file ' +
          JSON.stringify(clipText(params[f], 200)) + ' (' + f + ')', 90);
      }
    }
  }
  const r = pathCheck(params.dest_path, params.dest_realpath, context, 'fileUpload');
  return pathVerdict(r) || { action: 'ignore' };
});

// Temporary name of an uploaded file (PHP's upload_tmp_dir naming).
function isUploadTmp(p) {
  return isString(p) && /(?:^|[\/\\])php[A-Za-z0-9]{6}(?:\.tmp)?$/.test(p);
}

function renameCheck(what) {
  return function (params, context) {
    const source = params.source, dest = params.dest;
    const r = pathCheck(dest, '', context, what) || pathCheck(source, '', context, what);
    if (r) return pathVerdict(r) || { action: 'ignore' };
    if (enabled('rename_script') && isScriptName(dest) && !isScriptName(source)) {
      const input = valueInName(dest, context);
      if (input || isUploadTmp(source)) {
        return verdict('rename_script', what + ' of ' + JSON.stringify(clipText(String(source || ''), 160)) +
          ' to script ' + JSON.stringify(clipText(dest, 160)) + (input ? ', name from ' + describe(input) : ' (an uploaded file)'), 85) ||
          { action: 'ignore' };
      }
    }
    return { action: 'ignore' };
  };
}

plugin.register('rename', renameCheck('rename'));
plugin.register('copy', renameCheck('copy'));

// ------------------------------------------------------------- include --

plugin.register('include', function (params, context) {
  const path = isString(params.path) ? params.path : params.url;
  if (!isString(path)) return { action: 'ignore' };
  if (enabled('include_protocol')) {
    const w = wrapperOf(path);
    if (w) {
      const cfg = algorithmConfig.include_protocol;
      let input = null;
      if (!lowerSet(cfg.always).has(w) && lowerSet(cfg.userinput).has(w)) {
        const found = findInput(path, context, function (inp, s) { return s === 0; }, 2);
        input = found ? found.input : null;
      }
      if (lowerSet(cfg.always).has(w) || input) {
        return verdict('include_protocol', (params.function || 'include') + ' of ' + w + ':// stream ' +
          JSON.stringify(clipText(path, 200)) + (input ? ' from ' + describe(input) : ''), 90) || { action: 'ignore' };
      }
    }
  }
  return pathVerdict(pathCheck(path, params.realpath, context, params.function || 'include', true)) || { action: 'ignore' };
}, {
  // A stream wrapper ("scheme://", "data:") has a colon; everything else
  // needs a request value in the path.
  when: function () { return [inputIn('path', 2), { param: 'path', contains: [':'] }]; },
});

// ================================================================ SSRF ==

// inet_aton: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x);
// the last part fills the remaining bytes. Returns a 32-bit number or -1.
function parseIPv4(host) {
  if (!/^[0-9a-fA-Fx.]+$/.test(host) || host.length > 64) return -1;
  const parts = host.split('.');
  if (parts.length > 4) return -1;
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop(); // trailing dot
  const nums = [];
  for (const p of parts) {
    let v;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return -1;
    if (!Number.isFinite(v)) return -1;
    nums.push(v);
  }
  let ip = 0;
  for (let i = 0; i < nums.length - 1; i++) {
    if (nums[i] > 255) return -1;
    ip = ip * 256 + nums[i];
  }
  const rest = 4 - (nums.length - 1);
  const last = nums[nums.length - 1];
  if (last >= Math.pow(256, rest)) return -1;
  return ip * Math.pow(256, rest) + last;
}

// IPv6 text (no brackets, optional %zone) -> 8 groups, or null.
function parseIPv6(host) {
  let h = host;
  const pct = h.indexOf('%');
  if (pct >= 0) h = h.slice(0, pct);
  if (h.indexOf(':') < 0 || h.length > 64 || !/^[0-9a-fA-F:.]+$/.test(h)) return null;
  // A dotted quad at the end is two groups.
  const lastColon = h.lastIndexOf(':');
  const lastPart = h.slice(lastColon + 1);
  if (lastPart.indexOf('.') >= 0) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(lastPart);
    if (!m) return null;
    const b = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    if (b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255) return null;
    h = h.slice(0, lastColon + 1) + (b[0] * 256 + b[1]).toString(16) + ':' + (b[2] * 256 + b[3]).toString(16);
  }
  const groups = function (part) {
    if (part === '') return [];
    const out = [];
    const gs = part.split(':');
    for (let i = 0; i < gs.length; i++) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(gs[i])) return null;
      out.push(parseInt(gs[i], 16));
    }
    return out;
  };
  const dbl = h.indexOf('::');
  if (dbl < 0) {
    const all = groups(h);
    return all && all.length === 8 ? all : null;
  }
  if (h.indexOf('::', dbl + 1) >= 0) return null;
  const left = groups(h.slice(0, dbl)), right = groups(h.slice(dbl + 2));
  if (!left || !right || left.length + right.length > 7) return null;
  return left.concat(new Array(8 - left.length - right.length).fill(0), right);
}

function v4Internal(ip) {
  const a = Math.floor(ip / 16777216), b = Math.floor(ip / 65536) % 256, c = Math.floor(ip / 256) % 256;
  if (a === 0 || a === 10 || a === 127) return true;
  if (a === 169 && b === 254) return true;
  if (a === 172 && b >= 16 && b < 32) return true;
  if (a === 192 && b === 168) return true;
  if (a === 100 && b >= 64 && b < 128) return true; // shared / cloud-internal (100.100.100.200)
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return true;
  if (a === 198 && (b === 18 || b === 19)) return true;
  if (a === 198 && b === 51 && c === 100) return true;
  if (a === 203 && b === 0 && c === 113) return true;
  if (a >= 224) return true; // multicast, reserved, broadcast
  return false;
}

function v4Text(ip) {
  return [Math.floor(ip / 16777216), Math.floor(ip / 65536) % 256, Math.floor(ip / 256) % 256, ip % 256].join('.');
}

// Returns a reason string when the address is internal, else ''.
function internalIP(text) {
  if (!isString(text)) return '';
  let h = text.trim().toLowerCase();
  if (h[0] === '[' && h[h.length - 1] === ']') h = h.slice(1, -1);
  const metadata = lowerSet(algorithmConfig.ssrf_userinput.metadata_ips);
  const v4 = parseIPv4(h);
  if (v4 >= 0) {
    const t = v4Text(v4);
    if (metadata.has(t)) return t + ' (cloud metadata)';
    return v4Internal(v4) ? t : '';
  }
  const g = parseIPv6(h);
  if (!g) return '';
  const zeros = function (from, to) { for (let i = from; i < to; i++) if (g[i] !== 0) return false; return true; };
  const embedded = function (hi, lo) {
    const ip = hi * 65536 + lo;
    const t = v4Text(ip);
    if (metadata.has(t)) return t + ' (cloud metadata, in IPv6 ' + h + ')';
    return v4Internal(ip) ? t + ' (in IPv6 ' + h + ')' : '';
  };
  if (zeros(0, 8)) return h + ' (unspecified)';
  if (zeros(0, 7) && g[7] === 1) return h + ' (loopback)';
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(g[6], g[7]) || '';       // ::ffff:a.b.c.d
  if (zeros(0, 6)) return embedded(g[6], g[7]) || '';                          // ::a.b.c.d (compat)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(g[6], g[7]) || ''; // NAT64
  if (g[0] === 0x2002) return embedded(g[1], g[2]) || '';                       // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return h + ' (unique local)';
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xffc0) === 0xfec0) return h + ' (link/site local)';
  if ((g[0] & 0xff00) === 0xff00) return h + ' (multicast)';
  if (g[0] === 0x100 && zeros(1, 4)) return h + ' (discard)';
  if (g[0] === 0xfd00 && g[1] === 0x0ec2) return h + ' (cloud metadata)';
  return '';
}

// Why a host name is internal without resolving it, or ''.
function internalName(host) {
  if (!isString(host)) return '';
  let h = host.trim().toLowerCase();
  if (h[0] === '[' && h[h.length - 1] === ']') h = h.slice(1, -1);
  while (h.endsWith('.')) h = h.slice(0, -1);
  const ip = internalIP(h);
  if (ip) return ip;
  const cfg = algorithmConfig.ssrf_userinput;
  if (lowerSet(cfg.internal_names).has(h)) return h + ' (internal name)';
  const suffixes = cfg.internal_suffixes || [];
  for (let i = 0; i < suffixes.length; i++) {
    const s = String(suffixes[i]).toLowerCase();
    if (h.length > s.length && h.endsWith(s)) return h + ' (internal name)';
  }
  // Wildcard DNS services that answer with the address written in the name.
  const m = /(?:^|[.\-])((?:\d{1,3}[.\-]){3}\d{1,3}|[0-9a-f]{8})\.(?:nip\.io|xip\.io|sslip\.io|nip\.direct|traefik\.me|localtest\.me)$/.exec(h);
  if (m) {
    const inner = /^[0-9a-f]{8}$/.test(m[1]) ? v4Text(parseInt(m[1], 16)) : m[1].replace(/-/g, '.');
    const r = internalIP(inner);
    if (r) return h + ' (wildcard DNS for ' + r + ')';
  }
  return '';
}

// scheme, host and the host's span in a URL string (lenient, like PHP's
// parse_url); null when there is no "scheme:" at all.
function parseUrl(url) {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):/.exec(url);
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  let i = m[0].length;
  const out = { scheme: scheme, host: '', hostStart: -1, hostEnd: -1 };
  let slashes = 0;
  while (i < url.length && (url[i] === '/' || url[i] === '\\') && slashes < 3) { i++; slashes++; }
  if (slashes < 2) return out;
  let end = i;
  while (end < url.length && '/?#\\'.indexOf(url[end]) < 0) end++;
  let start = i;
  const at = url.lastIndexOf('@', end - 1);
  if (at >= start) start = at + 1;
  let hostEnd = end;
  if (url[start] === '[') {
    const close = url.indexOf(']', start);
    hostEnd = close >= 0 && close < end ? close + 1 : end;
  } else {
    const colon = url.indexOf(':', start);
    if (colon >= 0 && colon < end) hostEnd = colon;
  }
  out.host = url.slice(start, hostEnd);
  out.hostStart = start;
  out.hostEnd = hostEnd;
  return out;
}

// The request value that chooses the host of url (its occurrence overlaps
// the host), or that contains the host name the hook reported.
function hostFromInput(url, hostname, context) {
  const u = isString(url) ? parseUrl(url) : null;
  if (u && u.hostStart >= 0) {
    const found = findInput(url, context, function (input, s, e) {
      // Applications build links to themselves from the Host header.
      if (input.source === 'header' && input.name === 'host') return false;
      if (u.hostEnd <= u.hostStart || s >= u.hostEnd || e <= u.hostStart) return false;
      // It chooses the host when it covers all of it, or reshapes it
      // (brings a dot, @, colon, slash ...) from inside.
      if (s <= u.hostStart && e >= u.hostEnd) return true;
      return input.value.length >= 4 && /[.@:\/\\#?\[\]%]/.test(input.value);
    });
    if (found) return found.input;
  }
  if (isString(hostname)) {
    const values = collectValues(context);
    const h = hostname.toLowerCase();
    for (let i = 0; i < values.length; i++) {
      if (values[i].source === 'header' && values[i].name === 'host') continue;
      if (values[i].value.length >= h.length && values[i].value.toLowerCase().indexOf(h) >= 0) return values[i];
    }
  }
  return null;
}

function ssrfInternal(hostname, ips) {
  const byName = internalName(hostname);
  if (byName) return byName;
  if (Array.isArray(ips)) {
    for (let i = 0; i < ips.length && i < 64; i++) {
      const r = internalIP(String(ips[i]));
      if (r) return hostname + ' resolves to ' + r;
    }
  }
  return '';
}

// ssrf_protocol: the request value starts the URL and picks its protocol
// (gopher://, dict://, file:// ...).
function protocolVerdict(url, u, context, fn) {
  if (!enabled('ssrf_protocol') || !u || !lowerSet(algorithmConfig.ssrf_protocol.protocols).has(u.scheme)) return null;
  const found = findInput(url, context, function (input, s) { return s === 0 || url.slice(0, s).trim() === ''; }, 3);
  if (!found) return null;
  return verdict('ssrf_protocol', 'SSRF: ' + describe(found.input) + ' makes ' + fn + ' use the ' + u.scheme + ': protocol', 90);
}

function ssrfCheck(params, context) {
  const url = typeof params.url === 'string' ? params.url : '';
  const u = parseUrl(url);
  const hostname = isString(params.hostname) ? params.hostname : (u ? u.host : '');
  const byProtocol = protocolVerdict(url, u, context, params.function || 'the request');
  if (byProtocol) return byProtocol;
  if (enabled('ssrf_userinput') && isString(hostname)) {
    const why = ssrfInternal(hostname, params.ip);
    if (why) {
      const input = hostFromInput(url, hostname, context);
      if (input) {
        return verdict('ssrf_userinput', 'SSRF: ' + describe(input) + ' sends ' + (params.function || 'the request') +
          ' to internal address ' + why, 90);
      }
    }
  }
  return null;
}

plugin.register('ssrf', function (params, context) {
  return ssrfCheck(params, context) || { action: 'ignore' };
});

plugin.register('ssrfRedirect', function (params, context) {
  if (!enabled('ssrf_redirect')) return { action: 'ignore' };
  const u2 = isString(params.url2) ? parseUrl(params.url2) : null;
  const host2 = isString(params.hostname2) ? params.hostname2 : (u2 ? u2.host : '');
  const u1 = isString(params.url) ? parseUrl(params.url) : null;
  const host1 = isString(params.hostname) ? params.hostname : (u1 ? u1.host : '');
  const why = ssrfInternal(host2, params.ip2);
  if (!why || ssrfInternal(host1, params.ip)) return { action: 'ignore' };
  const input = hostFromInput(params.url, host1, context);
  if (!input) return { action: 'ignore' };
  return verdict('ssrf_redirect', 'SSRF: ' + describe(input) + ' redirects ' + (params.function || 'the request') +
    ' to internal address ' + why + ' (' + clipText(params.url2 || host2, 200) + ')', 90) || { action: 'ignore' };
});

// ================================================================= XXE ==

plugin.register('xxe', function (params, context) {
  if (!enabled('xxe_external_entity')) return { action: 'ignore' };
  const entity = typeof params.entity === 'string' ? params.entity.trim() : '';
  if (entity === '') return { action: 'ignore' };
  const cfg = algorithmConfig.xxe_external_entity;
  const u = parseUrl(entity);
  let why = '';
  if (u && u.scheme.length > 1) {
    if (lowerSet(cfg.protocols).has(u.scheme)) why = 'the ' + u.scheme + ': protocol';
    else if (u.scheme === 'http' || u.scheme === 'https') {
      const internal = internalName(u.host);
      if (internal) why = 'internal address ' + internal;
      else if (!lowerSet(cfg.public_dtd_hosts).has(u.host.toLowerCase())) {
        // An entity fetched from an outside host that the request body
        // itself declared: out-of-band XXE (data exfiltration).
        const body = context && typeof context.body === 'string' ? context.body : '';
        if (body.indexOf(entity) >= 0) why = 'a host named in the request body (out-of-band XXE)';
      }
    }
  } else if (entity[0] === '/' || entity[0] === '\\' || /^[a-zA-Z]:[\\\/]/.test(entity)) {
    why = 'a local file';
  }
  if (!why) return { action: 'ignore' };
  return verdict('xxe_external_entity', 'XXE: external entity ' + JSON.stringify(clipText(entity, 200)) + ' reads ' + why, 90) ||
    { action: 'ignore' };
});

// ===================================================== deserialization ==

const SERIALIZED_CLASS = /(?:^|[;{:])[OC]:\+?\d+:"([^"]{1,512})"/g;

function classesIn(data) {
  const out = [];
  SERIALIZED_CLASS.lastIndex = 0;
  let m;
  while ((m = SERIALIZED_CLASS.exec(data.length > 1048576 ? data.slice(0, 1048576) : data)) !== null && out.length < 64) {
    out.push(m[1]);
  }
  return out;
}

const B64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function base64Decode(s) {
  const t = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (t.length < 8 || t.length > 1048576 || !/^[A-Za-z0-9+\/]+$/.test(t)) return '';
  let out = '', bits = 0, acc = 0;
  for (let i = 0; i < t.length; i++) {
    acc = (acc << 6) | B64_CHARS.indexOf(t[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 255);
    }
  }
  return out;
}

plugin.register('deserialization', function (params, context) {
  if (!enabled('deserialization_userinput')) return { action: 'ignore' };
  const data = params.data;
  if (!isString(data)) return { action: 'ignore' };
  const allowed = lowerSet(algorithmConfig.deserialization_userinput.allowed_classes);
  const classes = (Array.isArray(params.clazz) && params.clazz.length ? params.clazz.map(String) : classesIn(data))
    .filter(function (c) { return !allowed.has(c.replace(/^\\/, '').toLowerCase()); });
  if (classes.length === 0) return { action: 'ignore' };
  // The serialized object must come from the request: a value that holds
  // an object marker occurs in the data (or the data in it), directly or
  // base64-encoded.
  const values = collectValues(context);
  let input = null;
  for (let i = 0; i < values.length && !input; i++) {
    const v = values[i].value;
    if (v.length >= 4 && /[OC]:\+?\d+:"/.test(v) && (data.indexOf(v) >= 0 || v.indexOf(data) >= 0)) input = values[i];
    else if (v.length >= 12 && !/[^A-Za-z0-9+\/=_\-]/.test(v)) {
      const d = base64Decode(v);
      if (d && /[OC]:\+?\d+:"/.test(d) && (data.indexOf(d) >= 0 || d.indexOf(data) >= 0)) {
        input = { source: values[i].source, name: values[i].name, value: v, decoded: 'base64' };
      }
    }
  }
  if (!input) return { action: 'ignore' };
  return verdict('deserialization_userinput', 'Deserialization of object(s) ' + classes.slice(0, 5).join(', ') +
    ' from ' + describe(input), 90) || { action: 'ignore' };
});

// ================================================================ eval ==

// Spans of PHP string literals in code ('..' and ".." with escapes), so a
// value inside one stays data.
function phpStringSpans(code) {
  const spans = [];
  const n = Math.min(code.length, 262144);
  for (let i = 0; i < n; i++) {
    const c = code[i];
    if (c === '\'' || c === '"') {
      let j = i + 1;
      while (j < n && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      // Double-quoted strings interpolate $var and {$expr}: not data.
      const body = code.slice(i + 1, Math.min(j, n));
      if (c === '\'' || !/\$|\{\$/.test(body)) spans.push([i, Math.min(j + 1, n)]);
      i = j;
    } else if (c === '#' || (c === '/' && code[i + 1] === '/')) {
      while (i < n && code[i] !== '\n') i++;
    } else if (c === '/' && code[i + 1] === '*') {
      const e = code.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 1;
    }
  }
  return spans;
}

plugin.register('eval', function (params, context) {
  if (!enabled('webshell_eval')) return { action: 'ignore' };
  const code = params.code;
  if (!isString(code)) return { action: 'ignore' };
  let spans = null;
  const found = findInput(code, context, function (input, s, e) {
    const v = input.value;
    // Plain numbers and words spliced into code are data ("return 5*3;").
    if (/^\s*[-+]?[\p{L}\p{N}_.]*\s*$/u.test(v)) return false;
    if (spans === null) spans = phpStringSpans(code);
    for (let i = 0; i < spans.length; i++) {
      // Strictly inside a literal: neither quote of it is the value's.
      if (spans[i][0] < s && spans[i][1] > e) return false;
    }
    return true;
  });
  if (!found) return { action: 'ignore' };
  return verdict('webshell_eval', 'Code from ' + describe(found.input) + ' runs in ' + (params.function || 'eval') + '()', 95) ||
    { action: 'ignore' };
});

plugin.log('official plugin ' + plugin.version + ' loaded');
