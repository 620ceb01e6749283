--TEST--
proc_open() with a command line
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$p = proc_open('echo proc', [1 => ['pipe', 'w']], $pipes);
echo stream_get_contents($pipes[1]);
proc_close($p);
echo rasp_last('command')['command'], "\n";
?>
--EXPECT--
proc
echo proc
