--TEST--
stream_socket_client(): ssrf for tcp/udp/ssl targets, none for unix sockets; block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$s = stream_socket_client("tcp://127.0.0.1:$p"); var_dump(is_resource($s));
rasp_show('ssrf', ['url', 'hostname', 'port', 'ip', 'function']);
$n = rasp_count('ssrf');
var_dump(@stream_socket_client('unix:///nonexistent.sock'));
var_dump(rasp_count('ssrf') - $n);
rasp_try(fn() => stream_socket_client('udp://10.0.0.1:53#RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
ssrf url=tcp://127.0.0.1:{PORT} hostname=127.0.0.1 port={PORT} ip=["127.0.0.1"] function=stream_socket_client
bool(false)
int(0)
blocked
ssrf block
