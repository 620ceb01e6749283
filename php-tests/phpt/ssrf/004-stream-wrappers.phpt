--TEST--
file_get_contents/fopen/file/readfile/copy on http:// URLs are ssrf checks (not readFile); block stops the request
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$p = $srv['port'];
$n = rasp_count('readFile');
var_dump(file_get_contents($srv['base'] . '/fgc'));
rasp_show('ssrf', ['url', 'hostname', 'port', 'ip', 'function']);
$h = fopen($srv['base'] . '/fopen', 'r'); var_dump(fgets($h)); fclose($h);
rasp_show('ssrf', ['function']);
var_dump(file($srv['base'] . '/file'));
rasp_show('ssrf', ['function']);
ob_start(); readfile($srv['base'] . '/readfile'); var_dump(ob_get_clean());
rasp_show('ssrf', ['function']);
var_dump(copy($srv['base'] . '/copy', rasp_tmp('copied.txt')));
rasp_show('ssrf', ['function']);
rasp_show('copy', ['source']);
var_dump(rasp_count('readFile') - $n);
rasp_try(fn() => file_get_contents($srv['base'] . '/RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
echo str_replace($srv['base'], '{BASE}', implode(' ', rasp_http_requests())), "\n";
?>
--EXPECT--
string(7) "ok /fgc"
ssrf url=http://127.0.0.1:{PORT}/fgc hostname=127.0.0.1 port={PORT} ip=["127.0.0.1"] function=file_get_contents
string(9) "ok /fopen"
ssrf function=fopen
array(1) {
  [0]=>
  string(8) "ok /file"
}
ssrf function=file
string(12) "ok /readfile"
ssrf function=readfile
bool(true)
ssrf function=copy
copy source=http://127.0.0.1:{PORT}/copy
int(0)
blocked
ssrf block
/fgc /fopen /file /readfile /copy
