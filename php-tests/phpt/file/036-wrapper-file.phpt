--TEST--
file://: readFile realpath without the scheme
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('f.txt', 'plain');
var_dump(file_get_contents('file://' . rasp_tmp('f.txt')));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(@file_get_contents('file:///nonexistent/../etc/hostname') !== false);
rasp_show('readFile', ['realpath', 'protocol']);
?>
--EXPECT--
string(5) "plain"
readFile path=file://{TMP}/f.txt realpath={TMP}/f.txt protocol=file function=file_get_contents
bool(true)
readFile realpath=/etc/hostname protocol=file
