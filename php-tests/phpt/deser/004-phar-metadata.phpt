--TEST--
Phar::getMetadata(): the archive's serialized metadata is checked before PHP unserializes it; block (no __wakeup)
--INI--
phar.readonly=0
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class Gadget { public $p; function __wakeup() { echo "wakeup ", get_class($this), "\n"; } }
class RASP_LOG extends Gadget {}
class RASP_BLOCK extends Gadget {}
$f = rasp_tmp('m.phar');
$p = new Phar($f); $p['a.txt'] = 'a'; $p->setMetadata(new Gadget); unset($p);
$p = new Phar($f);
var_dump(get_class($p->getMetadata()));
rasp_show('deserialization', ['data', 'clazz', 'function']);
var_dump($p->getMetadata(['allowed_classes' => false]) instanceof __PHP_Incomplete_Class);
$b = rasp_tmp('b.phar');
$q = new Phar($b); $q['x'] = 'x'; $q->setMetadata(new RASP_BLOCK); unset($q);
$q = new Phar($b);
rasp_try(fn() => $q->getMetadata());
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(6) "Gadget"
deserialization data=O:6:"Gadget":1:{s:1:"p";N;} clazz=["Gadget"] function=Phar::getMetadata
bool(true)
blocked
deserialization block
