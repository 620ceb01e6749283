--TEST--
PharFileInfo::getMetadata(): the entry's metadata is checked; block
--INI--
phar.readonly=0
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class Gadget { public $p; function __wakeup() { echo "wakeup ", get_class($this), "\n"; } }
class RASP_LOG extends Gadget {}
class RASP_BLOCK extends Gadget {}
$f = rasp_tmp('e.phar');
$p = new Phar($f); $p['dir/a.txt'] = 'a'; $p['dir/a.txt']->setMetadata(['k' => new Gadget]); $p['b.txt'] = 'b'; $p['b.txt']->setMetadata(new RASP_BLOCK); unset($p);
$p = new Phar($f);
var_dump(get_class($p['dir/a.txt']->getMetadata()['k']));
rasp_show('deserialization', ['clazz', 'function']);
rasp_try(fn() => $p['b.txt']->getMetadata());
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(6) "Gadget"
deserialization clazz=["Gadget"] function=PharFileInfo::getMetadata
blocked
deserialization block
