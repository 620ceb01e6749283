--TEST--
assert() with a string: reported as eval with function assert (PHP 8 does not evaluate it); block stops the call
--INI--
zend.assertions=1
assert.exception=1
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(assert('1 === 2 && print("evaluated\\n")'));
rasp_show('eval', ['code', 'function']);
var_dump(assert(true));
rasp_try(fn() => assert('RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
eval code=1 === 2 && print("evaluated\n") function=assert
bool(true)
blocked
eval block
