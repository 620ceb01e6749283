--TEST--
curl_exec(): ssrf with the URL set on the handle, its host, port and resolved addresses; log sends the request, block does not
--SKIPIF--
<?php if (!extension_loaded('curl')) die('skip curl missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$c = curl_init($srv['base'] . '/a?x=1'); curl_setopt($c, CURLOPT_RETURNTRANSFER, true);
var_dump(curl_exec($c));
rasp_show('ssrf', ['url', 'hostname', 'port', 'ip', 'function']);
curl_setopt($c, CURLOPT_URL, $srv['base'] . '/RASP_LOG');
var_dump(curl_exec($c));
echo rasp_last_alarm(), "\n";
$b = curl_init(); curl_setopt_array($b, [CURLOPT_URL => $srv['base'] . '/RASP_BLOCK', CURLOPT_RETURNTRANSFER => true]);
rasp_try(fn() => curl_exec($b));
echo rasp_last_alarm(), "\n";
echo implode(' ', rasp_http_requests()), "\n";
?>
--EXPECT--
string(5) "ok /a"
ssrf url=http://127.0.0.1:{PORT}/a?x=1 hostname=127.0.0.1 port={PORT} ip=["127.0.0.1"] function=curl_exec
string(12) "ok /RASP_LOG"
ssrf log
blocked
ssrf block
/a?x=1 /RASP_LOG
