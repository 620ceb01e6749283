--TEST--
Parameter entities, PUBLIC ids, entities declared inside entity values, UTF-16 documents: each external resource is named
--SKIPIF--
<?php if (!extension_loaded('dom')) die('skip dom missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$x = '<!DOCTYPE r PUBLIC "-//A//DTD" "http://127.0.0.1:1/a.dtd" [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p"><!ENTITY % w "<!ENTITY &#x25; q SYSTEM \'file:///etc/hostname\'>">]><r/>';
$n = rasp_count('xxe');
$d = new DOMDocument; @$d->loadXML($x, LIBXML_NOENT);
foreach (array_slice(rasp_checks('xxe'), $n) as [, $p]) echo $p['type'], ' ', $p['name'], ' ', $p['entity'], ' ', $p['public'], "\n";
$u = mb_convert_encoding('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///utf16">]><r>&e;</r>', 'UTF-16LE', 'UTF-8');
$d = new DOMDocument; @$d->loadXML("\xFF\xFE" . $u, LIBXML_NOENT);
rasp_show('xxe', ['entity', 'type']);
?>
--EXPECT--
doctype r http://127.0.0.1:1/a.dtd -//A//DTD
parameter p http://127.0.0.1:1/p 
parameter q file:///etc/hostname 
xxe entity=file:///utf16 type=general
