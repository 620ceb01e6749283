--TEST--
hook.include=auto without the JIT: the opcode handler is active, and phpinfo says so
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
ob_start(); phpinfo(INFO_MODULES); $i = ob_get_clean();
preg_match('/include\/eval hook => (.*)/', $i, $m); echo $m[1], "\n";
preg_match('/opcache JIT => (.*)/', $i, $m); echo $m[1], "\n";
?>
--EXPECT--
opcode handler (hook.include=auto, opcache JIT is off)
off
