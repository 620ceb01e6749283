--TEST--
shell_exec() and the backtick operator are both checked
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo shell_exec('echo one');
echo `echo two`;
foreach (rasp_checks('command') as [$t, $p]) echo $p['command'], "\n";
?>
--EXPECT--
one
two
echo one
echo two
