--TEST--
system(): the plugin sees the command; output and return value are unchanged
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$last = system('echo hello', $rc);
var_dump($last, $rc);
var_dump(rasp_last('command'));
$s = rasp_plugin_lines();
var_dump((bool)preg_grep('/^\[test\] STACK .*001-system\.php@\{main\}:3$/', $s));
?>
--EXPECT--
hello
string(5) "hello"
int(0)
array(1) {
  ["command"]=>
  string(10) "echo hello"
}
bool(true)
