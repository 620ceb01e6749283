--TEST--
DOMDocument::load(): the file is read to find its DOCTYPE; LIBXML_DTDLOAD makes the external DTD a check; block
--SKIPIF--
<?php if (!extension_loaded('dom')) die('skip dom missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('x.dtd', '<!ENTITY ext "from dtd">');
rasp_tmp('d.xml', '<?xml version="1.0"?><!DOCTYPE r SYSTEM "x.dtd"><r>&ext;</r>');
$d = new DOMDocument; var_dump($d->load(rasp_tmp('d.xml'), LIBXML_DTDLOAD | LIBXML_NOENT), $d->textContent);
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
rasp_tmp('b.xml', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/RASP_BLOCK.dtd"> %p;]><r/>');
$d = new DOMDocument; rasp_try(fn() => $d->load(rasp_tmp('b.xml'), LIBXML_DTDLOAD));
rasp_show('xxe', ['entity', 'type', 'name']);
?>
--EXPECT--
bool(true)
string(8) "from dtd"
xxe entity=x.dtd type=doctype name=r function=DOMDocument::load
blocked
xxe entity=http://127.0.0.1:1/RASP_BLOCK.dtd type=parameter name=p
