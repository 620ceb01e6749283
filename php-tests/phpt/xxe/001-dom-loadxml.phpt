--TEST--
DOMDocument::loadXML(): with LIBXML_NOENT each external entity is an xxe check; without it none; log loads it, block does not
--SKIPIF--
<?php if (!extension_loaded('dom')) die('skip dom missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
$n = rasp_count('xxe');
$d = new DOMDocument; $d->loadXML($doc($file)); var_dump($d->textContent, rasp_count('xxe') - $n);
$d = new DOMDocument; var_dump($d->loadXML($doc($file), LIBXML_NOENT), $d->textContent);
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
$d = new DOMDocument; rasp_tmp('RASP_LOG.txt', 'logged'); $d->loadXML($doc('file://' . rasp_tmp('RASP_LOG.txt')), LIBXML_NOENT); var_dump($d->textContent);
echo rasp_last_alarm(), "\n";
$d = new DOMDocument; rasp_try(fn() => $d->loadXML($doc($file . '?RASP_BLOCK'), LIBXML_NOENT)); var_dump($d->textContent);
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(0) ""
int(0)
bool(true)
string(10) "TOP SECRET"
xxe entity=file://{TMP}/secret.txt type=general name=e function=DOMDocument::loadXML
string(6) "logged"
xxe log
blocked
string(0) ""
xxe block
