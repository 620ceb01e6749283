--TEST--
Commands inside functions called by array_map / call_user_func are checked too
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
array_map('shell_exec', ['echo a', 'echo b']);
call_user_func('exec', 'echo c');
$f = 'system'; ob_start(); $f('echo d'); ob_end_clean();
foreach (rasp_checks('command') as [, $p]) echo $p['command'], "\n";
?>
--EXPECT--
echo a
echo b
echo c
echo d
