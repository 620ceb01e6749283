--TEST--
A plugin that runs past plugin.timeout.millis is cut off; the call goes on
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$t = microtime(true);
echo shell_exec('echo RASP_SLOW RASP_BLOCK');
$took = microtime(true) - $t;
var_dump($took < 2.0);
var_dump(count(preg_grep('/check command \(request [0-9a-f]+\): plugin check timed out after 100 ms/', rasp_plugin_lines())));
echo shell_exec('echo next call fine');
?>
--EXPECT--
RASP_SLOW RASP_BLOCK
bool(true)
int(1)
next call fine
