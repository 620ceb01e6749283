--TEST--
DOMDocument::$substituteEntities / $resolveExternals / $validateOnParse switch entity loading on like the LIBXML_ flags
--SKIPIF--
<?php if (!extension_loaded('dom')) die('skip dom missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
$n = rasp_count('xxe');
foreach (['substituteEntities', 'resolveExternals', 'validateOnParse'] as $prop) {
    $d = new DOMDocument; $d->$prop = true; @$d->loadXML($doc($file . "#$prop"));
    rasp_show('xxe', ['entity']);
}
var_dump(rasp_count('xxe') - $n);
?>
--EXPECT--
xxe entity=file://{TMP}/secret.txt#substituteEntities
xxe entity=file://{TMP}/secret.txt#resolveExternals
xxe entity=file://{TMP}/secret.txt#validateOnParse
int(3)
