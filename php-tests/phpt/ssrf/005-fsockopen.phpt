--TEST--
fsockopen()/pfsockopen(): ssrf with host, port and addresses (ssl:// and tcp:// prefixes too); block stops the connection
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$s = fsockopen('127.0.0.1', $p); var_dump(is_resource($s)); fclose($s);
rasp_show('ssrf', ['url', 'hostname', 'port', 'ip', 'function']);
$s = pfsockopen('tcp://127.0.0.1', $p); var_dump(is_resource($s));
rasp_show('ssrf', ['hostname', 'port', 'function']);
var_dump(@fsockopen('ssl://localhost', 1, $errno, $errstr, 0.5));
rasp_show('ssrf', ['url', 'hostname', 'port']);
rasp_try(fn() => fsockopen('tcp://127.0.0.1#RASP_BLOCK', 1));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
ssrf url=127.0.0.1:{PORT} hostname=127.0.0.1 port={PORT} ip=["127.0.0.1"] function=fsockopen
bool(true)
ssrf hostname=127.0.0.1 port={PORT} function=pfsockopen
bool(false)
ssrf url=ssl://localhost:1 hostname=localhost port=1
blocked
ssrf block
