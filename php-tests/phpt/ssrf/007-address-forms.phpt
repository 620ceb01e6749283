--TEST--
Hosts in the spellings resolvers accept: decimal, hex and octal IPv4, IPv6, names resolved by DNS
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
foreach (['http://2130706433:1/', 'http://0x7f.1:1/', 'http://0177.0.0.01:1/', 'http://[::1]:1/', 'http://localhost:1/', 'http://user:pw@127.0.0.1:1/x'] as $u) {
    @file_get_contents($u);
    $p = rasp_last('ssrf');
    echo $p['hostname'], ' ', $p['port'], ' ', in_array('127.0.0.1', $p['ip']) ? 'v4-loopback' : implode(',', $p['ip']), "\n";
}
?>
--EXPECT--
2130706433 1 v4-loopback
0x7f.1 1 v4-loopback
0177.0.0.01 1 v4-loopback
::1 1 ::1
localhost 1 v4-loopback
127.0.0.1 1 v4-loopback
