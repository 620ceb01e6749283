--TEST--
curl_multi_exec(): each added handle is an ssrf check once, with its URL; block stops the transfers
--SKIPIF--
<?php if (!extension_loaded('curl')) die('skip curl missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$mh = curl_multi_init();
$a = curl_init($srv['base'] . '/m1'); $b = curl_init($srv['base'] . '/m2');
foreach ([$a, $b] as $h) { curl_setopt($h, CURLOPT_RETURNTRANSFER, true); curl_multi_add_handle($mh, $h); }
$n = rasp_count('ssrf');
do { $st = curl_multi_exec($mh, $running); if ($running) curl_multi_select($mh, 0.1); } while ($running && $st == CURLM_OK);
var_dump(curl_multi_getcontent($a), curl_multi_getcontent($b));
foreach (array_slice(rasp_checks('ssrf'), $n) as [, $p]) echo str_replace($srv['base'], '{BASE}', $p['url']), ' ', $p['function'], "\n";
$mh2 = curl_multi_init(); $x = curl_init($srv['base'] . '/RASP_BLOCK'); curl_setopt($x, CURLOPT_RETURNTRANSFER, true); curl_multi_add_handle($mh2, $x);
$y = curl_init($srv['base'] . '/removed'); curl_multi_add_handle($mh2, $y); curl_multi_remove_handle($mh2, $y);
rasp_try(fn() => curl_multi_exec($mh2, $running));
echo rasp_last_alarm(), "\n";
usleep(100000);
echo implode(' ', rasp_http_requests()), "\n";
?>
--EXPECT--
string(6) "ok /m1"
string(6) "ok /m2"
{BASE}/m1 curl_multi_exec
{BASE}/m2 curl_multi_exec
blocked
ssrf block
/m1 /m2
