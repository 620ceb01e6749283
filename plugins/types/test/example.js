// A plugin written the way docs/plugin-api.md shows: checked by `make test-types`.
'use strict';
const plugin = new RASP('example');
plugin.version = '1.0.0';
plugin.algorithmConfig = { revshell: { action: 'block' } };

plugin.register('command', function (params, context) {
  if (params.command.indexOf('/dev/tcp/') >= 0) {
    return { action: plugin.algorithmConfig.revshell.action, message: 'reverse shell', confidence: 90, algorithm: 'revshell' };
  }
  const tokens = RASP.cmd_tokenize(params.command);
  if (tokens.some(function (t) { return t.type === 'command_substitution'; })) {
    plugin.log('substitution in', context.url, context.parameter);
  }
  return { action: 'ignore' };
});

plugin.register('sql', function (params, context) {
  const all = context.get_all_parameter();
  for (const name in all) {
    for (const value of all[name]) {
      const at = params.query.indexOf(value);
      if (at < 0) continue;
      const hit = RASP.sql_tokenize(params.query, params.server).filter(function (t) {
        return t.stop > at && t.start < at + value.length;
      });
      if (hit.length > 1) return { action: 'block', message: 'parameter ' + name, algorithm: 'my_sql' };
    }
  }
  return undefined;
});

plugin.register('ssrf', function (params) {
  return params.ip.indexOf('169.254.169.254') >= 0 ? { action: 'log', message: params.hostname } : null;
});
