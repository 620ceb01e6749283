--TEST--
The backtick operator: log runs the command, block stops it
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo `echo RASP_LOG`;
echo rasp_last_alarm(), "\n";
$f = rasp_tmp('marker');
rasp_try(fn() => `touch $f # RASP_BLOCK`);
var_dump(file_exists($f));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
RASP_LOG
command log
blocked
bool(false)
command block
