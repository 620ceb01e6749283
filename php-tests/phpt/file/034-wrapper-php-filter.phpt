--TEST--
php://filter/.../resource=: readFile realpath is the filtered file; block stops the read
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('s.txt', 'secret');
var_dump(file_get_contents('php://filter/read=string.toupper/resource=s.txt'));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
rasp_tmp('RASP_BLOCK.txt', 'x');
rasp_try(fn() => file_get_contents('php://filter/convert.base64-encode/resource=' . rasp_tmp('RASP_BLOCK.txt')));
rasp_show('readFile', ['path', 'realpath']);
?>
--EXPECT--
string(6) "SECRET"
readFile path=php://filter/read=string.toupper/resource=s.txt realpath={TMP}/s.txt protocol=php function=file_get_contents
blocked
readFile path=php://filter/convert.base64-encode/resource={TMP}/RASP_BLOCK.txt realpath={TMP}/RASP_BLOCK.txt
