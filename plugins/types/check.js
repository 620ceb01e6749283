#!/usr/bin/env node
// `make test-types`: type-checks the official plugin and the examples in
// test/ against rasp.d.ts (tsconfig.json: checkJs, ES2021, no DOM/Node types).
// Every diagnostic fails the check unless known-issues.txt lists it; a listed
// issue that no longer occurs fails too, so the list stays honest.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const here = __dirname;
const plugins = path.resolve(here, '..');
const repoRoot = path.resolve(here, '../..');
const configPath = path.join(here, 'tsconfig.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) {
  console.error(ts.formatDiagnostic(read.error, host()));
  process.exit(2);
}
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, here);
// Plugins may reference the declarations where `make install` puts them
// (`/// <reference path="/usr/local/share/php-rasp/types/rasp.d.ts" />`);
// here rasp.d.ts is part of the program, so that line is blanked (keeping
// line numbers) instead of loading a second copy.
const INSTALLED_REF = /^\/\/\/\s*<reference\s+path="\/usr\/local\/share\/php-rasp\/types\/rasp\.d\.ts"\s*\/>/gm;
const compilerHost = ts.createCompilerHost(parsed.options);
const readFile = compilerHost.readFile.bind(compilerHost);
compilerHost.readFile = (f) => {
  const text = readFile(f);
  return text !== undefined && f.endsWith('.js') ? text.replace(INSTALLED_REF, '') : text;
};
const getSourceFile = compilerHost.getSourceFile.bind(compilerHost);
compilerHost.getSourceFile = (f, lang, onError, create) => {
  if (!f.endsWith('.js')) return getSourceFile(f, lang, onError, create);
  const text = compilerHost.readFile(f);
  return text === undefined ? undefined : ts.createSourceFile(f, text, lang, true);
};
const program = ts.createProgram(parsed.fileNames, parsed.options, compilerHost);
const diagnostics = ts.getPreEmitDiagnostics(program);

function host() {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => here, getNewLine: () => '\n' };
}

const known = new Map();
for (const line of fs.readFileSync(path.join(here, 'known-issues.txt'), 'utf8').split('\n')) {
  const t = line.trim();
  if (t === '' || t.startsWith('#')) continue;
  known.set(t, 0);
}

let unexpected = 0;
for (const d of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0];
  let where = '(global)';
  let key = `(global) TS${d.code} ${message}`;
  if (d.file) {
    const rel = path.relative(plugins, d.file.fileName);
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start || 0);
    where = `${path.relative(repoRoot, d.file.fileName)}:${line + 1}:${character + 1}`;
    key = `${rel} TS${d.code} ${message}`;
  }
  if (known.has(key)) {
    known.set(key, known.get(key) + 1);
    continue;
  }
  unexpected++;
  console.error(`${where}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`);
}
let stale = 0;
for (const [key, n] of known) {
  if (n === 0) {
    stale++;
    console.error(`known-issues.txt: no longer occurs, remove it: ${key}`);
  }
}
const files = parsed.fileNames.map((f) => path.relative(plugins, f)).join(', ');
if (unexpected || stale) {
  console.error(`test-types: FAIL (${unexpected} unexpected diagnostics, ${stale} stale known issues; files: ${files})`);
  process.exit(1);
}
const accepted = [...known.values()].reduce((a, b) => a + b, 0);
console.log(`test-types: ok (TypeScript ${ts.version}; ${parsed.fileNames.length} files: ${files}; ${accepted} known issues accepted)`);
