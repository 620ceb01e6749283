// Fault plugin for php-tests/reliability: misbehaves on purpose when the
// command of a `command` check holds a marker. Loaded next to the official
// plugin, so the suites also see whether detection survives the fault.
//   FAULT_THROW      throws an Error
//   FAULT_LOOP       loops forever (the watchdog must cut it off)
//   FAULT_HEAP       allocates until the V8 heap limit
//   FAULT_STACK      recurses until V8's stack limit
//   FAULT_GARBAGE_n  returns garbage kind n (see GARBAGE)
//   FAULT_LOGFLOOD   writes 100000 plugin log lines
//   FAULT_BIGMSG     blocks with a 10 MB message
//   FAULT_SLOWBLOCK  works for 80 ms (wall clock), then blocks
const fault = new RASP('fault');
fault.version = 'fault-1';

const GARBAGE = [
  function () { return 42; },
  function () { return 'block'; },
  function () { return { action: 'explode' }; },
  function () { return { action: Symbol('block') }; },
  function () { return Promise.resolve({ action: 'block' }); },
  function () { return { get action() { throw new Error('getter throws'); } }; },
  function () { const o = { action: 'log', confidence: NaN }; o.message = o; return o; },
  function () { return new Proxy({}, { get() { throw new Error('proxy trap throws'); } }); },
  function () { return { action: 'log', message: { toString() { throw 1; }, toJSON() { throw 2; } }, algorithm: {} }; },
  function () { return { action: 'log', confidence: 1e308, message: '\u0000\ud800 broken surrogate', algorithm: '\n\r' }; },
  function () { return [{ action: 'block' }]; },
  function () { return { then: 1, action: 'log', message: 'then is not a function' }; },
];

fault.register('command', function (params, context) {
  const c = String(params.command || '');
  if (c.indexOf('FAULT_THROW') >= 0) throw new Error('fault plugin throws on purpose');
  if (c.indexOf('FAULT_LOOP') >= 0) { for (;;) {} }
  if (c.indexOf('FAULT_HEAP') >= 0) {
    const hoard = [];
    for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
  }
  if (c.indexOf('FAULT_STACK') >= 0) {
    const down = function (n) { return down(n + 1) + 1; };
    return down(0);
  }
  const g = /FAULT_GARBAGE_(\d+)/.exec(c);
  if (g) return GARBAGE[Number(g[1]) % GARBAGE.length]();
  if (c.indexOf('FAULT_LOGFLOOD') >= 0) {
    for (let i = 0; i < 100000; i++) fault.log('flood ' + i);
    return { action: 'ignore' };
  }
  if (c.indexOf('FAULT_BIGMSG') >= 0) {
    return { action: 'block', message: 'x'.repeat(10 << 20), confidence: 100, algorithm: 'fault' };
  }
  if (c.indexOf('FAULT_SLOWBLOCK') >= 0) {
    const end = Date.now() + 80;
    while (Date.now() < end) {}
    return { action: 'block', message: 'slow but sure', confidence: 100, algorithm: 'fault' };
  }
  return { action: 'ignore' };
});
