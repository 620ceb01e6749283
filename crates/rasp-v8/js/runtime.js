// php-rasp plugin runtime: the `RASP` class plugins are written against and
// the dispatcher the engine calls for each check. It runs before any plugin
// and becomes part of the startup snapshot.
//
// Everything a plugin hands back is normalised here, so the Rust side only
// ever sees well-formed verdicts: a plugin that returns garbage produces a
// plugin error, never a surprise.
'use strict';
(function (global) {
  const sqlTokenizeNative = global.__rasp_native_sql_tokenize;
  const cmdTokenizeNative = global.__rasp_native_cmd_tokenize;
  const requestInputsNative = global.__rasp_native_request_inputs;
  const nativeContext = global.__rasp_native_context;
  const inputsInNative = global.__rasp_native_inputs_in;
  const setup = global.__rasp_setup || {};
  delete global.__rasp_native_sql_tokenize;
  delete global.__rasp_native_cmd_tokenize;
  delete global.__rasp_native_request_inputs;
  delete global.__rasp_native_context;
  delete global.__rasp_native_inputs_in;
  delete global.__rasp_setup;

  const CHECK_TYPES = new Set(setup.checkTypes || []);
  const SQL_KINDS = setup.sqlKinds || [];
  const CMD_KINDS = setup.cmdKinds || [];
  const MAX_LOG_LINES = setup.maxLogLines || 100;
  const MAX_LOG_CHARS = 4096;
  const MAX_MESSAGE_CHARS = 4096;

  const handlers = Object.create(null);
  const plugins = [];
  let logs = [];
  let logsDropped = 0;
  let context = null;
  // The context JSON as received, '' until fetched when the check left it
  // to the embedder; the request it belongs to; the request values, by
  // options.
  let contextJson = '{}';
  let contextSerial = 0;
  let inputsCache = new Map();
  let currentPlugin = null;

  // Lone UTF-16 surrogates (slicing a string by code units can leave one)
  // become U+FFFD before anything crosses to Rust: JSON.stringify writes a
  // lone surrogate as a \udXXX escape, which is not valid JSON to serde, and
  // the whole check result, every verdict in it, would be lost.
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  function wellFormed(key, value) {
    return typeof value === 'string' ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
  }

  function clip(s, n) {
    return s.length > n ? s.slice(0, n) + '...' : s;
  }

  function show(v) {
    if (typeof v === 'string') return v;
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      try { return String(v); } catch (e2) { return '[unprintable]'; }
    }
  }

  function describe(e) {
    try {
      if (e instanceof Error) {
        const where = typeof e.stack === 'string' ? e.stack : e.name + ': ' + e.message;
        return clip(where, MAX_MESSAGE_CHARS);
      }
      return clip('threw ' + show(e), MAX_MESSAGE_CHARS);
    } catch (e2) {
      return 'threw an exception that cannot be described';
    }
  }

  function pushLog(line) {
    if (logs.length < MAX_LOG_LINES) logs.push(clip(line, MAX_LOG_CHARS));
    else logsDropped++;
  }

  function tokens(text, flat, kinds) {
    const n = (flat.length / 3) | 0;
    const out = new Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const start = flat[j], stop = flat[j + 1], kind = flat[j + 2];
      const t = { start: start, stop: stop, text: text.substring(start, stop), type: kinds[kind & 0xff] || 'other' };
      if (kind & 0x100) t.unterminated = true;
      out[i] = t;
    }
    return out;
  }

  // request_inputs' options as JSON, once per options object: plugins pass
  // the same object every check, and writing it out cost more than the rest
  // of the call. Only the keys the list depends on are written (a plugin's
  // meta holds much else, and the key crosses to the embedder on every
  // inputs_in). An object is read once; pass a new one to change the options.
  const optionsJson = new WeakMap();
  const INPUT_OPTION_KEYS = setup.inputOptionKeys || null;
  function inputsKey(options) {
    if (options === null || typeof options !== 'object') {
      return (options === undefined ? undefined : JSON.stringify(options)) || '{}';
    }
    let key = optionsJson.get(options);
    if (key === undefined) {
      key = JSON.stringify(options, INPUT_OPTION_KEYS) || '{}';
      optionsJson.set(options, key);
    }
    return key;
  }

  // The entries of a request-value list at least min long that occur in t.
  function walkInputs(list, t, min) {
    const out = [];
    for (let i = 0; i < list.length; i++) {
      const v = list[i].value;
      if (v.length >= min && v.length <= t.length && t.indexOf(v) >= 0) out.push(list[i]);
    }
    return out;
  }
  // The entries of list at the given positions; undefined if one is not
  // in it (the list and the native answer must be the same list).
  function entriesAt(list, positions) {
    const out = [];
    for (let i = 0; i < positions.length; i++) {
      const e = list[positions[i]];
      if (e === undefined) return undefined;
      out.push(e);
    }
    return out;
  }
  let lastInputsIn = null;
  let inputsInAsked = false;
  // Per check type, the `input` conditions of its gate in the gate's order
  // (the Rust side flattens the handlers' `when` lists the same way):
  // { param, key } for each, null for a `contains` condition. From gates().
  let gateInputs = Object.create(null);

  // What the gate found for this event (Engine::check_lazy_noting,
  // finding_arg): the answer to RASP.inputs_in(params[param], options,
  // min_length) for that condition's options, taken as the last answer so
  // the handler's own call need not search again. The rows are made only
  // if a handler asks.
  function noteFinding(type, params, finding) {
    const colon = finding.indexOf(':');
    const colon2 = finding.indexOf(':', colon + 1);
    const conds = gateInputs[type];
    const cond = conds === undefined ? undefined : conds[+finding.slice(0, colon)];
    if (cond === undefined || cond === null || colon2 < 0) return;
    const text = params[cond.param];
    if (typeof text !== 'string') return;
    const min = +finding.slice(colon + 1, colon2);
    const last = lastInputsIn;
    // The same text again (a page repeats queries): the answer made before.
    if (last !== null && last.found !== undefined && last.text === text && last.key === cond.key && last.min === min) return;
    lastInputsIn = {
      text: text, key: cond.key, min: min, found: undefined,
      positions: finding.charAt(colon2 + 1) === 'P', rows: finding.slice(colon2 + 2),
    };
  }

  // The entries a finding names: its rows, or positions in the list (taken
  // from the embedder once per request, as for later texts).
  function foundEntries(last) {
    if (!last.positions) return foundRows(last.rows);
    if (last.rows === '') return [];
    const at = last.rows.split(',');
    for (let i = 0; i < at.length; i++) at[i] = +at[i];
    return entriesAt(inputsByKey(last.key), at);
  }

  // "count(,source,decoded,name_len,value_len)*:" then the names and values:
  // the entries of RASP.inputs_in(), as JSON.parse would make them (it cost
  // four times as much).
  function foundRows(rows) {
    const colon = rows.indexOf(':');
    if (colon < 0) return undefined;
    const head = rows.slice(0, colon).split(',');
    const n = +head[0];
    if (!(n >= 0) || head.length !== 1 + 4 * n) return undefined;
    const out = new Array(n);
    let at = colon + 1;
    for (let i = 0, h = 1; i < n; i++, h += 4) {
      const nameEnd = at + +head[h + 2];
      const valueEnd = nameEnd + +head[h + 3];
      const row = { source: head[h], name: rows.slice(at, nameEnd), value: rows.slice(nameEnd, valueEnd) };
      if (head[h + 1] !== '') row.decoded = head[h + 1];
      out[i] = row;
      at = valueEnd;
    }
    return at === rows.length ? out : undefined;
  }

  class RASP {
    constructor(name) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new TypeError('new RASP(name): name must be a non-empty string');
      }
      this.name = name;
      this.version = '';
      plugins.push(this);
      currentPlugin = this;
    }

    // options.when (optional): when the handler wants to be called, as
    // conditions the extension checks natively before entering V8 (see
    // docs/plugin-api.md); a function returning them is called once after
    // rasp.yml's overrides were applied, so it can read algorithmConfig.
    register(type, handler, options) {
      if (!CHECK_TYPES.has(type)) {
        throw new TypeError(this.name + ': register(): unknown check type "' + String(type) + '"');
      }
      if (typeof handler !== 'function') {
        throw new TypeError(this.name + ': register("' + type + '"): handler must be a function');
      }
      let when;
      if (options !== undefined && options !== null) {
        if (typeof options !== 'object') {
          throw new TypeError(this.name + ': register("' + type + '"): options must be an object');
        }
        when = options.when;
        if (when !== undefined && when !== null && typeof when !== 'function' && typeof when !== 'object') {
          throw new TypeError(this.name + ': register("' + type + '"): options.when must be a condition, ' +
            'an array of conditions or a function returning them');
        }
      }
      (handlers[type] || (handlers[type] = [])).push({ plugin: this, handler: handler, when: when });
    }

    log() {
      const parts = [];
      for (let i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      pushLog('[' + this.name + '] ' + parts.join(' '));
    }

    static sql_tokenize(query, server) {
      const q = String(query);
      return tokens(q, sqlTokenizeNative(q, server === undefined ? '' : String(server)), SQL_KINDS);
    }

    static cmd_tokenize(command) {
      const c = String(command);
      return tokens(c, cmdTokenizeNative(c), CMD_KINDS);
    }

    // The tokenizers without token objects: a flat Uint32Array [start,
    // stop, kind, start, stop, kind, ...] where `kind & 0xff` indexes
    // RASP.SQL_TOKEN_TYPES / RASP.CMD_TOKEN_TYPES and `kind & 0x100`
    // (RASP.TOKEN_UNTERMINATED) marks a token that runs to the end.
    // Building one object and one substring per token costs far more than
    // tokenizing; hot paths and long inputs should use these.
    static sql_tokenize_flat(query, server) {
      return sqlTokenizeNative(String(query), server === undefined ? '' : String(server));
    }

    static cmd_tokenize_flat(command) {
      return cmdTokenizeNative(String(command));
    }

    // The entries of RASP.request_inputs(options) at least min_length long
    // (UTF-16 units, default 1) that occur in text, in list order. The
    // extension searches its own list natively, so a handler that only
    // wants the values in one text does not make the whole list cross.
    static inputs_in(text, options, min_length) {
      const t = String(text);
      const min = Math.max(1, Number(min_length) || 1);
      const key = inputsKey(options);
      // Handlers of one event ask about the same text: the last answer.
      const last = lastInputsIn;
      if (last !== null && last.text === t && last.key === key && last.min === min) {
        if (last.found === undefined) {
          const rows = foundEntries(last);
          if (rows !== undefined) return (last.found = Object.freeze(rows));
        } else {
          return last.found;
        }
      }
      let found;
      if (typeof inputsInNative === 'function') {
        if (!inputsInAsked && !inputsCache.has(key)) {
          // The first text of a request gets the entries themselves: a
          // request whose only event reaches V8 (one query per request is
          // common) never makes the whole list cross.
          inputsInAsked = true;
          const json = inputsInNative(key, t, min, false);
          if (json !== undefined) found = JSON.parse(json);
        } else {
          // Later texts: the list crosses once, then only where in it the
          // values occur (the native search beats indexOf per value).
          const list = RASP.request_inputs(options);
          const at = inputsInNative(key, t, min, true);
          if (at !== undefined) found = entriesAt(list, at);
        }
      }
      if (found === undefined) found = walkInputs(RASP.request_inputs(options), t, min);
      Object.freeze(found);
      lastInputsIn = { text: t, key: key, min: min, found: found };
      return found;
    }

    static get_jsengine() {
      return 'v8';
    }

    // The current request's values (parameters, JSON body leaves, cookies,
    // the headers named in options.headers, and their URL/HTML/JSON-decoded
    // forms): [{ source, name, value, decoded? }]. The same list the
    // extension's gates search natively, so a handler registered with
    // { when: [{ param, input: options }] } sees every value a gate let in.
    static request_inputs(options) {
      return inputsByKey(inputsKey(options));
    }
  }
  // RASP.request_inputs() by the options' key, fetched once per request.
  function inputsByKey(key) {
    let list = inputsCache.get(key);
    if (list === undefined) {
      // The embedder's own list (the one its gates searched), else the
      // values of the context.
      let json = requestInputsNative(key);
      if (json === undefined) json = requestInputsNative(key, contextText());
      list = JSON.parse(json);
      Object.freeze(list);
      inputsCache.set(key, list);
    }
    return list;
  }
  RASP.algorithmConfig = setup.algorithmConfig || {};
  Object.defineProperty(RASP, 'SQL_TOKEN_TYPES', { value: Object.freeze(SQL_KINDS.slice()), enumerable: true });
  Object.defineProperty(RASP, 'CMD_TOKEN_TYPES', { value: Object.freeze(CMD_KINDS.slice()), enumerable: true });
  Object.defineProperty(RASP, 'TOKEN_UNTERMINATED', { value: 0x100, enumerable: true });
  Object.defineProperty(global, 'RASP', { value: RASP, enumerable: false });

  // Values of parameters and of the JSON body, as { name: [values] }.
  function collectJson(value, path, out, depth) {
    if (depth > 32) return;
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) collectJson(value[i], path, out, depth + 1);
      } else {
        for (const k in value) collectJson(value[k], path ? path + '.' + k : k, out, depth + 1);
      }
      return;
    }
    const key = path || '(json)';
    (out[key] || (out[key] = [])).push(String(value));
  }

  const ContextProto = {
    get_all_parameter() {
      const out = Object.create(null);
      const p = this.parameter || {};
      for (const k in p) out[k] = Array.isArray(p[k]) ? p[k].slice() : [String(p[k])];
      collectJson(this.json, '', out, 0);
      return out;
    },
  };

  // The current request's context JSON, fetched from the embedder if the
  // check left it there.
  function contextText() {
    if (contextJson === '') contextJson = typeof nativeContext === 'function' ? nativeContext() : '{}';
    return contextJson;
  }

  function fetchContext(serial) {
    let parsed = null;
    // A context object kept past its request reads as empty, never as the
    // next request's.
    if (serial === contextSerial) {
      try { parsed = JSON.parse(contextText()); } catch (e) { parsed = null; }
    }
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  }

  // The context of a check that left it to the embedder
  // (Engine::check_lazy): a Proxy that fetches and parses it when a handler
  // first touches it in any way (most checks never do), then lets V8 forward
  // everything to the filled-in target. Cheaper to make per request than an
  // object with accessors, and Object.keys, for-in and JSON.stringify see
  // the real keys.
  function fill(handler, target) {
    const data = fetchContext(handler.serial);
    for (let i = 0; i < LAZY_TRAPS.length; i++) delete handler[LAZY_TRAPS[i]];
    const keys = Object.keys(data);
    for (let i = 0; i < keys.length; i++) {
      Object.defineProperty(target, keys[i], { value: data[keys[i]], writable: true, enumerable: true, configurable: true });
    }
  }
  const lazyHandler = {
    get(t, k, r) { fill(this, t); return Reflect.get(t, k, r); },
    set(t, k, v, r) { fill(this, t); return Reflect.set(t, k, v, r); },
    has(t, k) { fill(this, t); return Reflect.has(t, k); },
    deleteProperty(t, k) { fill(this, t); return Reflect.deleteProperty(t, k); },
    ownKeys(t) { fill(this, t); return Reflect.ownKeys(t); },
    getOwnPropertyDescriptor(t, k) { fill(this, t); return Reflect.getOwnPropertyDescriptor(t, k); },
    defineProperty(t, k, d) { fill(this, t); return Reflect.defineProperty(t, k, d); },
    preventExtensions(t) { fill(this, t); return Reflect.preventExtensions(t); },
    isExtensible(t) { fill(this, t); return Reflect.isExtensible(t); },
  };
  const LAZY_TRAPS = Object.keys(lazyHandler);
  function lazyContext(serial) {
    // A handler per request: fill() deletes its traps once the target holds the context.
    const h = Object.assign({ serial: serial }, lazyHandler);
    return new Proxy(Object.create(ContextProto), h);
  }

  function normalise(r, plugin) {
    if (r === undefined || r === null) return null;
    if (typeof r !== 'object') return { error: 'returned a ' + typeof r + ' instead of an object' };
    if (typeof r.then === 'function') return { error: 'returned a Promise; handlers must be synchronous' };
    const action = r.action;
    if (action === undefined || action === 'ignore') return null;
    if (action !== 'block' && action !== 'log') {
      return { error: 'returned unknown action ' + show(action) + ' (expected block, log or ignore)' };
    }
    const confidence = Number(r.confidence);
    return {
      action: action,
      message: clip(r.message === undefined ? '' : show(r.message), MAX_MESSAGE_CHARS),
      confidence: Number.isFinite(confidence) ? Math.max(0, Math.min(100, confidence)) : 0,
      algorithm: r.algorithm === undefined ? '' : clip(show(r.algorithm), 128),
      plugin: plugin.name,
    };
  }

  function drain(verdicts, errors) {
    if (!verdicts && !errors && logs.length === 0 && logsDropped === 0) return undefined;
    if (logsDropped) logs.push('[rasp] ' + logsDropped + ' plugin log lines dropped (limit ' + MAX_LOG_LINES + ' per check)');
    const out = JSON.stringify({ v: verdicts || [], e: errors || [], l: logs }, wellFormed);
    logs = [];
    logsDropped = 0;
    return out;
  }

  // params.stack passed apart (Engine::check_with_stack), or built by the
  // embedder only when read (Engine::check_lazy, stackJson ''): a plain
  // property holding a Proxy over an array that is filled on first touch.
  // (An accessor defined on every params object cost a slow
  // Object.defineProperty per check.) Only the current check's array is
  // ever filled: a stack read after its check is empty.
  const nativeStack = global.__rasp_native_stack;
  let stackTarget = null;
  let stackSource = '';
  function fillStack(t) {
    if (t !== stackTarget) return;
    stackTarget = null;
    let v;
    try {
      v = JSON.parse(stackSource === '' && typeof nativeStack === 'function' ? nativeStack() : stackSource);
    } catch (e) { v = null; }
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) t.push(v[i]);
  }
  const stackHandler = {};
  for (const trap of Object.getOwnPropertyNames(Reflect)) {
    if (trap === 'apply' || trap === 'construct') continue;
    const forward = Reflect[trap];
    stackHandler[trap] = function (t, a, b, c) { fillStack(t); return forward(t, a, b, c); };
  }
  function lazyStack(params, stackJson) {
    const t = [];
    stackTarget = t;
    stackSource = stackJson;
    params.stack = new Proxy(t, stackHandler);
  }

  // The engine's entry point: judge one check event. ctxJson is passed only
  // when the request changed ('' = ask the embedder when first read); the
  // context is kept for later checks.
  // `gate` (Engine::check_lazy_noting): "handlers" or "handlers:finding",
  // the handlers the type's gate let the event through to (bit i: handler
  // i; from the 32nd on, always) and what it found (see noteFinding).
  global.__rasp_check = function (type, paramsJson, ctxJson, stackJson, gate) {
    if (ctxJson !== undefined) {
      contextSerial++;
      contextJson = ctxJson;
      inputsCache = new Map();
      lastInputsIn = null;
      inputsInAsked = false;
      if (ctxJson === '') {
        context = lazyContext(contextSerial);
      } else {
        context = JSON.parse(ctxJson);
        Object.setPrototypeOf(context, ContextProto);
      }
    }
    const list = handlers[type];
    if (list === undefined) return drain(null, null);
    const params = JSON.parse(paramsJson);
    if (stackJson !== undefined && params !== null && typeof params === 'object') lazyStack(params, stackJson);
    let wanted = -1;
    if (gate !== undefined) {
      const colon = gate.indexOf(':');
      wanted = +(colon < 0 ? gate : gate.slice(0, colon));
      if (!(wanted >= 0)) wanted = -1; // unreadable: every handler, as without a gate
      if (colon >= 0 && params !== null && typeof params === 'object') noteFinding(type, params, gate.slice(colon + 1));
    }
    let verdicts = null, errors = null;
    for (let i = 0; i < list.length; i++) {
      if (i < 31 && (wanted & (1 << i)) === 0) continue;
      const h = list[i];
      let v;
      try {
        v = normalise(h.handler(params, context), h.plugin);
      } catch (e) {
        (errors || (errors = [])).push({ plugin: h.plugin.name, message: describe(e) });
        continue;
      }
      if (v === null) continue;
      if (v.error !== undefined) {
        (errors || (errors = [])).push({ plugin: h.plugin.name, message: 'handler for "' + type + '" ' + v.error });
        continue;
      }
      (verdicts || (verdicts = [])).push(v);
    }
    return drain(verdicts, errors);
  };

  // Called once after all plugins ran: applies rasp.yml's algorithm overrides
  // to each plugin's own algorithmConfig, in place, so handlers see them.
  global.__rasp_finish_load = function () {
    const overrides = RASP.algorithmConfig;
    function merge(target, src, depth) {
      if (depth > 16) return;
      for (const k in src) {
        const s = src[k];
        if (s !== null && typeof s === 'object' && !Array.isArray(s) &&
            target[k] !== null && typeof target[k] === 'object' && !Array.isArray(target[k])) {
          merge(target[k], s, depth + 1);
        } else {
          target[k] = s;
        }
      }
    }
    for (const p of plugins) {
      if (p.algorithmConfig && typeof p.algorithmConfig === 'object') merge(p.algorithmConfig, overrides, 0);
    }
    // The gates' input conditions, now that `when` can be evaluated: a
    // snapshot keeps them (its description is read from a restored copy).
    gates();
  };

  // Each type's handlers' `when`, evaluated now (after the overrides):
  // { type: [{ when } | {} (none) | { error }] }.
  function gates() {
    const out = {};
    gateInputs = Object.create(null);
    for (const type in handlers) {
      const conds = [];
      out[type] = handlers[type].map(function (h) {
        if (h.when === undefined || h.when === null) return {};
        try {
          const w = typeof h.when === 'function' ? h.when() : h.when;
          const json = JSON.parse(JSON.stringify(w));
          // As the gate sees them: the JSON, an array or one condition.
          const list = Array.isArray(json) ? json : [json];
          for (let i = 0; i < list.length; i++) {
            const c = list[i];
            const input = c !== null && typeof c === 'object' && c.input !== undefined;
            conds.push(input ? { param: String(c.param), key: inputsKey(c.input) } : null);
          }
          return { when: json };
        } catch (e) {
          return { error: h.plugin.name + ': options.when of a "' + type + '" handler: ' + describe(e) };
        }
      });
      gateInputs[type] = conds;
    }
    return out;
  }

  global.__rasp_info = function () {
    return JSON.stringify({
      gates: gates(),
      types: Object.keys(handlers),
      plugins: plugins.map(function (p) { return { name: p.name, version: String(p.version || '') }; }),
    }, wellFormed);
  };

  global.__rasp_drain_logs = function () {
    return drain(null, null);
  };

  // Logs written while plugins loaded, saved by the finish script; taken once.
  global.__rasp_take_load_logs = function () {
    const l = global.__rasp_load_logs;
    delete global.__rasp_load_logs;
    return l;
  };
})(globalThis);
