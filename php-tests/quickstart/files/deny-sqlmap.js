/// <reference path="/usr/local/share/php-rasp/types/rasp.d.ts" />
// One rule: requests sent by the sqlmap scanner may not run SQL.
(function () {
  'use strict';
  const rule = new RASP('deny-sqlmap');
  rule.register('sql', function (params, context) {
    const agent = context.header['user-agent'] || '';
    if (agent.toLowerCase().indexOf('sqlmap') >= 0) {
      return { action: 'block', message: 'SQL from the sqlmap scanner', confidence: 100, algorithm: 'deny_sqlmap' };
    }
    return { action: 'ignore' };
  });
})();
