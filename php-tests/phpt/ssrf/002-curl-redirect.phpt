--TEST--
ssrfRedirect after curl followed a redirect: both URLs, hosts, ports and addresses, the final status; a block stops the script after the request
--SKIPIF--
<?php if (!extension_loaded('curl')) die('skip curl missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$c = curl_init($srv['base'] . '/redirect'); curl_setopt_array($c, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true]);
var_dump(curl_exec($c));
rasp_show('ssrfRedirect', ['url', 'hostname', 'port', 'ip', 'url2', 'hostname2', 'port2', 'ip2', 'http_status', 'function']);
$n = rasp_count('ssrfRedirect');
$d = curl_init($srv['base'] . '/plain'); curl_setopt_array($d, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true]);
curl_exec($d);
var_dump(rasp_count('ssrfRedirect') - $n);
$e = curl_init($srv['base'] . '/redirect'); curl_setopt_array($e, [CURLOPT_RETURNTRANSFER => true]);
var_dump(curl_exec($e), rasp_count('ssrfRedirect') - $n);
$f = curl_init($srv['base'] . '/redirect?RASP_BLOCK_ONLY_ssrfRedirect'); curl_setopt_array($f, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true]);
$r = 'unset'; rasp_try(function () use ($f, &$r) { $r = curl_exec($f); });
var_dump($r);
echo rasp_last_alarm(), "\n";
echo implode(' ', rasp_http_requests()), "\n";
?>
--EXPECT--
string(5) "final"
ssrfRedirect url=http://127.0.0.1:{PORT}/redirect hostname=127.0.0.1 port={PORT} ip=["127.0.0.1"] url2=http://127.0.0.1:{PORT}/final hostname2=127.0.0.1 port2={PORT} ip2=["127.0.0.1"] http_status=200 function=curl_exec
int(0)
string(0) ""
int(0)
blocked
string(5) "unset"
ssrfRedirect block
/redirect /final /plain /redirect /redirect?RASP_BLOCK_ONLY_ssrfRedirect /final
