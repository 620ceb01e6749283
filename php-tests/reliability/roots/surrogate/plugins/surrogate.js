// B1 regression: a plugin whose verdict message ends in a lone surrogate
// (what clipping a string by UTF-16 units can produce).
const p = new RASP('surrogate');
p.register('command', function (params) {
  if (String(params.command).indexOf('SURROGATE') < 0) return { action: 'ignore' };
  return { action: 'block', message: 'clipped: ' + '\ud83d\ude00'.slice(0, 1), confidence: 90, algorithm: 'surrogate' };
});
