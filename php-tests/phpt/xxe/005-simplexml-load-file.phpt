--TEST--
simplexml_load_file(): the file's DOCTYPE is scanned; block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
rasp_tmp('s.xml', $doc($file));
var_dump((string)simplexml_load_file(rasp_tmp('s.xml'), null, LIBXML_NOENT));
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
rasp_tmp('b.xml', $doc($file . '#RASP_BLOCK'));
rasp_try(fn() => simplexml_load_file(rasp_tmp('b.xml'), null, LIBXML_NOENT));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(10) "TOP SECRET"
xxe entity=file://{TMP}/secret.txt type=general name=e function=simplexml_load_file
blocked
xxe block
