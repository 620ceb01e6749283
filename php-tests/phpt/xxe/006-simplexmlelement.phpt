--TEST--
new SimpleXMLElement(): data or (dataIsURL) a file; xxe with LIBXML_NOENT; block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
var_dump((string)new SimpleXMLElement($doc($file), LIBXML_NOENT));
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
rasp_tmp('url.txt', 'via url'); rasp_tmp('u.xml', $doc('file://' . rasp_tmp('url.txt')));
var_dump((string)new SimpleXMLElement(rasp_tmp('u.xml'), LIBXML_NOENT, true));
rasp_show('xxe', ['entity']);
rasp_try(fn() => new SimpleXMLElement($doc($file . '#RASP_BLOCK'), LIBXML_NOENT));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(10) "TOP SECRET"
xxe entity=file://{TMP}/secret.txt type=general name=e function=SimpleXMLElement::__construct
string(7) "via url"
xxe entity=file://{TMP}/url.txt
blocked
xxe block
