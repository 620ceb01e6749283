--TEST--
unserialize() honours allowed_classes: classes PHP would not instantiate are not reported
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class Gadget { public $p; function __wakeup() { echo "wakeup ", get_class($this), "\n"; } }
class RASP_LOG extends Gadget {}
class RASP_BLOCK extends Gadget {}
$p = 'a:2:{i:0;O:6:"Gadget":0:{}i:1;O:8:"stdClass":0:{}}';
$n = rasp_count('deserialization');
var_dump(get_class(unserialize($p, ['allowed_classes' => false])[0]), rasp_count('deserialization') - $n);
unserialize($p, ['allowed_classes' => ['STDCLASS']]);
rasp_show('deserialization', ['clazz']);
unserialize($p, ['allowed_classes' => true]);
rasp_show('deserialization', ['clazz']);
?>
--EXPECT--
string(22) "__PHP_Incomplete_Class"
int(0)
deserialization clazz=["stdClass"]
wakeup Gadget
deserialization clazz=["Gadget","stdClass"]
