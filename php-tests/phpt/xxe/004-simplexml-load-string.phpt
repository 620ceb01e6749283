--TEST--
simplexml_load_string(): xxe per external entity when LIBXML_NOENT is given; block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
$n = rasp_count('xxe');
var_dump((string)simplexml_load_string($doc($file)), rasp_count('xxe') - $n);
var_dump((string)simplexml_load_string($doc($file), 'SimpleXMLElement', LIBXML_NOENT));
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
rasp_try(fn() => simplexml_load_string($doc($file . '#RASP_BLOCK'), null, LIBXML_NOENT));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(0) ""
int(0)
string(10) "TOP SECRET"
xxe entity=file://{TMP}/secret.txt type=general name=e function=simplexml_load_string
blocked
xxe block
