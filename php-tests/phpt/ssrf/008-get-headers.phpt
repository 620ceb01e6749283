--TEST--
get_headers(): ssrf; block stops it
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
var_dump(get_headers($srv['base'] . '/gh')[0]);
rasp_show('ssrf', ['hostname', 'port', 'function']);
rasp_try(fn() => get_headers($srv['base'] . '/RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(15) "HTTP/1.1 200 OK"
ssrf hostname=127.0.0.1 port={PORT} function=get_headers
blocked
ssrf block
