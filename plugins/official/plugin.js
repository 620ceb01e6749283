// php-rasp official detection plugin.
//
// Principle: an input is an attack when it changes what the application
// does, not when it merely looks scary. For SQL and shell commands we find
// each request value inside the statement about to run and ask the native
// tokenizer whether that value stays one piece of data or becomes
// structure (operators, keywords, quotes that end a string, comments).
// "O'Brien" sent to a parameterised query never even appears in the SQL;
// "1 or 1=1" inside a quoted string is one string token; both pass.
//
// Every algorithm's action lives in algorithmConfig, which rasp.yml can
// override (plugin.algorithm_config); plugin.monitor_mode turns blocks into logs.
'use strict';

const plugin = new RASP('official');
plugin.version = '2026.11.23';

const algorithmConfig = {
  meta: {
    // Values shorter than this are not looked for in statements.
    min_length: 1,
    // Occurrences of one value checked per statement.
    max_occurrences: 16,
    // Request headers whose values count as user input.
    headers: ['user-agent', 'referer', 'x-forwarded-for', 'x-real-ip', 'host'],
  },
  sql_userinput: {
    name: 'SQL injection: a request value changes the structure of the query',
    action: 'block',
  },
  command_userinput: {
    name: 'Command injection: a request value adds shell syntax to the command',
    action: 'block',
  },
};
plugin.algorithmConfig = algorithmConfig;

// ---------------------------------------------------------------- inputs --

// The request values, computed once per request (the context object is new
// for every request).
let valuesFor = null;
let valuesCache = [];

function collectValues(context) {
  if (context === valuesFor) return valuesCache;
  const out = [];
  const seen = new Set();
  const add = function (source, name, value) {
    if (typeof value !== 'string' || value.length < algorithmConfig.meta.min_length) return;
    const key = value;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ source: source, name: name, value: value });
  };
  if (context) {
    const params = context.parameter || {};
    for (const name in params) {
      const vals = params[name];
      if (Array.isArray(vals)) for (let i = 0; i < vals.length; i++) add('parameter', name, vals[i]);
    }
    const walk = function (v, path, depth) {
      if (depth > 32 || v === null || v === undefined) return;
      if (typeof v === 'object') {
        for (const k in v) walk(v[k], path ? path + '.' + k : k, depth + 1);
      } else {
        add('json', path || '(json)', String(v));
      }
    };
    walk(context.json, '', 0);
    const cookies = context.cookie || {};
    for (const name in cookies) add('cookie', name, cookies[name]);
    const headers = context.header || {};
    const wanted = algorithmConfig.meta.headers;
    for (let i = 0; i < wanted.length; i++) {
      if (typeof headers[wanted[i]] === 'string') add('header', wanted[i], headers[wanted[i]]);
    }
  }
  valuesFor = context;
  valuesCache = out;
  return out;
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
function eachOccurrence(text, value, test) {
  let at = text.indexOf(value);
  let n = 0;
  while (at >= 0 && n < algorithmConfig.meta.max_occurrences) {
    const r = test(at, at + value.length);
    if (r) return r;
    n++;
    at = text.indexOf(value, at + 1);
  }
  return null;
}

function describe(input) {
  const shown = input.value.length > 200 ? input.value.slice(0, 200) + '...' : input.value;
  return input.source + ' "' + input.name + '" = ' + JSON.stringify(shown);
}

function verdict(algorithm, message, confidence) {
  const cfg = algorithmConfig[algorithm];
  if (!cfg || cfg.action === 'ignore') return null;
  return { action: cfg.action, message: message, confidence: confidence, algorithm: algorithm };
}

// ------------------------------------------------------------------- SQL --

// Token types whose delimiters mark where data starts and ends.
const SQL_DELIMITED = new Set(['string', 'identifier', 'comment', 'version_comment']);
// Token types that are syntax, never data, when a value makes up all of one.
const SQL_SYNTAX = new Set(['operator', 'punctuation', 'comment', 'version_comment', 'variable', 'other']);

// A value occurrence is structural when it covers more than one token;
// starts a string, identifier or comment that runs on; contains a closing
// or opening delimiter of the literal it sits in ('%a'%' ends the string);
// or is by itself a piece of syntax of two characters or more (a lone
// "*" or "," also occurs in ordinary queries and can change nothing).
function sqlBreaks(tokens, start, stop) {
  const hit = tokensIn(tokens, start, stop);
  if (hit.length !== 1) return hit.length > 1 ? hit : null;
  const t = hit[0];
  if (t.unterminated) return hit;
  const whole = start <= t.start && stop >= t.stop;
  if (whole) return stop - start >= 2 && SQL_SYNTAX.has(t.type) ? hit : null;
  if (SQL_DELIMITED.has(t.type) && (start <= t.start || stop >= t.stop)) return hit;
  return null;
}

function sqlUserInput(params, context) {
  const query = params.query;
  if (typeof query !== 'string' || query.length === 0) return null;
  const values = collectValues(context);
  let tokens = null;
  for (let i = 0; i < values.length; i++) {
    const input = values[i];
    if (query.indexOf(input.value) < 0) continue;
    if (tokens === null) tokens = RASP.sql_tokenize(query, params.server);
    const hit = eachOccurrence(query, input.value, function (s, e) { return sqlBreaks(tokens, s, e); });
    if (hit) {
      return verdict('sql_userinput',
        'SQL injection: ' + describe(input) + ' changes the query structure (' + hit.length + ' tokens: ' +
        hit.slice(0, 5).map(function (t) { return t.text; }).join(' ') + ')', 90);
    }
  }
  return null;
}

function sqlCheck(params, context) {
  return sqlUserInput(params, context) || { action: 'ignore' };
}

plugin.register('sql', sqlCheck);
plugin.register('sqlPrepared', sqlCheck);

// --------------------------------------------------------------- command --

// Shell syntax a value must never contribute: it starts another command,
// a pipe, a redirection or a substitution.
const SHELL_STRUCTURE = new Set(['operator', 'redirect', 'command_substitution', 'process_substitution', 'heredoc']);

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
  return null;
}

function commandUserInput(params, context) {
  const command = params.command;
  if (typeof command !== 'string' || command.length === 0) return null;
  const values = collectValues(context);
  let tokens = null;
  for (let i = 0; i < values.length; i++) {
    const input = values[i];
    if (command.indexOf(input.value) < 0) continue;
    if (tokens === null) tokens = RASP.cmd_tokenize(command);
    const hit = eachOccurrence(command, input.value, function (s, e) { return cmdBreaks(tokens, s, e, input.value, command); });
    if (hit) {
      return verdict('command_userinput',
        'Command injection: ' + describe(input) + ' adds shell syntax (' +
        hit.slice(0, 5).map(function (t) { return t.text; }).join(' ') + ')', 90);
    }
  }
  return null;
}

plugin.register('command', function (params, context) {
  return commandUserInput(params, context) || { action: 'ignore' };
});

plugin.log('official plugin ' + plugin.version + ' loaded');
