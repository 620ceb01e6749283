--TEST--
unserialize() errors and wrong types behave exactly as without the extension
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class Gadget { public $p; function __wakeup() { echo "wakeup ", get_class($this), "\n"; } }
class RASP_LOG extends Gadget {}
class RASP_BLOCK extends Gadget {}
enum Suit { case Hearts; }
var_dump(@unserialize('O:6:"Gadget":1:{s:1:"p";#'));
echo error_get_last()['message'], "\n";
rasp_show('deserialization', ['clazz']);
try { unserialize([]); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
try { unserialize('i:1;', ['allowed_classes' => 'x']); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
var_dump(unserialize(data: 'E:11:"Suit:Hearts";', options: []) instanceof Suit);
rasp_show('deserialization', ['clazz']);
?>
--EXPECT--
bool(false)
unserialize(): Error at offset 24 of 25 bytes
deserialization clazz=["Gadget"]
unserialize(): Argument #1 ($data) must be of type string, array given
unserialize(): Option "allowed_classes" must be of type array|bool, string given
bool(true)
deserialization clazz=["Suit"]
