--TEST--
unserialize(): deserialization with the classes the payload would instantiate; plain data makes no check; log and block (no object, no __wakeup)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class Gadget { public $p; function __wakeup() { echo "wakeup ", get_class($this), "\n"; } }
class RASP_LOG extends Gadget {}
class RASP_BLOCK extends Gadget {}
$n = rasp_count('deserialization');
var_dump(unserialize('a:2:{i:0;i:1;i:1;s:5:"O:1:x";}'), rasp_count('deserialization') - $n);
$o = unserialize('a:1:{i:0;O:6:"Gadget":1:{s:1:"p";O:8:"stdClass":0:{}}}');
rasp_show('deserialization', ['data', 'clazz', 'function']);
unserialize('O:8:"RASP_LOG":0:{}');
echo rasp_last_alarm(), "\n";
rasp_try(fn() => unserialize('O:10:"RASP_BLOCK":0:{}'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
array(2) {
  [0]=>
  int(1)
  [1]=>
  string(5) "O:1:x"
}
int(0)
wakeup Gadget
deserialization data=a:1:{i:0;O:6:"Gadget":1:{s:1:"p";O:8:"stdClass":0:{}}} clazz=["Gadget","stdClass"] function=unserialize
wakeup RASP_LOG
deserialization log
blocked
deserialization block
