// Mistakes the declarations must catch. Each `@ts-expect-error` line fails the
// type check if the next line is NOT an error ("Unused '@ts-expect-error'").
'use strict';
const p = new RASP('mistakes');

// @ts-expect-error: no such check type (it is "sql")
p.register('sqll', function () { return null; });

// @ts-expect-error: check types are case-sensitive (it is "readFile")
p.register('readfile', function () { return null; });

p.register('sql', function (params, context) {
  // @ts-expect-error: misspelt params field
  if (params.qeury) return null;
  // @ts-expect-error: misspelt context field
  if (context.parametr) return null;
  // @ts-expect-error: parameter values are arrays of strings
  const n = context.parameter.id.toLowerCase();
  return { action: 'log', message: String(n) };
});

p.register('command', function (params) {
  // @ts-expect-error: the command params have no `query`
  return params.query ? { action: 'block' } : null;
});

// @ts-expect-error: a handler must be a function
p.register('eval', { action: 'block' });

// @ts-expect-error: confidence is a number
p.register('ssrf', function () { return { action: 'log', confidence: 'high' }; });

// @ts-expect-error: the tokenizer returns tokens, not strings
const s = RASP.cmd_tokenize('ls')[0].toUpperCase();

// @ts-expect-error: new RASP needs a name
const nameless = new RASP();

module.exports = { s, nameless };
