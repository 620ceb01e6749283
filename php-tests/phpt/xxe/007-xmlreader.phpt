--TEST--
XMLReader::xml()/open() with LIBXML_NOENT, or SUBST_ENTITIES switched on before reading: xxe; block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('secret.txt', 'TOP SECRET');
$doc = function (string $uri) { return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "' . $uri . '">]><r>&e;</r>'; };
$file = 'file://' . rasp_tmp('secret.txt');
$r = XMLReader::xml($doc($file), null, LIBXML_NOENT);
rasp_show('xxe', ['entity', 'type', 'name', 'function']);
rasp_tmp('open.txt', 'via open'); rasp_tmp('r.xml', $doc('file://' . rasp_tmp('open.txt')));
$r = new XMLReader; $n = rasp_count('xxe');
var_dump($r->open(rasp_tmp('r.xml')), rasp_count('xxe') - $n);
$r->setParserProperty(XMLReader::SUBST_ENTITIES, true);
rasp_show('xxe', ['entity', 'function']);
while ($r->read()) if ($r->nodeType == XMLReader::TEXT) var_dump($r->value);
$b = new XMLReader; $b->xml($doc($file . '#RASP_BLOCK'));
rasp_try(fn() => $b->setParserProperty(XMLReader::LOADDTD, true));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
xxe entity=file://{TMP}/secret.txt type=general name=e function=XMLReader::xml
bool(true)
int(0)
xxe entity=file://{TMP}/open.txt function=XMLReader::setParserProperty
string(8) "via open"
blocked
xxe block
