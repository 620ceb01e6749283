--TEST--
A plugin that throws is logged; the call goes on
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo shell_exec('echo RASP_THROW ok');
$errs = preg_grep('/error in handler for command: Error: test plugin throws on purpose/', rasp_plugin_lines());
var_dump(count($errs));
?>
--EXPECT--
RASP_THROW ok
int(1)
