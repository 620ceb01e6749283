// Registers 1000 handlers for `command`: each ignores, except that with
// MANY_LOG in the command all of them answer `log` (one alarm must result,
// not 1000).
const many = new RASP('many');
many.version = 'many-1';
for (let i = 0; i < 1000; i++) {
  many.register('command', function (params) {
    return String(params.command).indexOf('MANY_LOG') >= 0
      ? { action: 'log', message: 'handler ' + i, confidence: 10, algorithm: 'many' }
      : { action: 'ignore' };
  });
}
