--TEST--
phar://: readFile realpath is the archive plus the entry; block stops the read
--INI--
phar.readonly=0
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$p = new Phar(rasp_tmp('a.phar'));
$p['inner/x.txt'] = 'inside';
$p['RASP_BLOCK.txt'] = 'no';
unset($p);
var_dump(file_get_contents('phar://a.phar/inner/./x.txt'));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
rasp_try(fn() => file_get_contents('phar://' . rasp_tmp('a.phar') . '/RASP_BLOCK.txt'));
rasp_show('readFile', ['realpath']);
?>
--EXPECT--
string(6) "inside"
readFile path=phar://a.phar/inner/./x.txt realpath={TMP}/a.phar/inner/x.txt protocol=phar function=file_get_contents
blocked
readFile realpath={TMP}/a.phar/RASP_BLOCK.txt
