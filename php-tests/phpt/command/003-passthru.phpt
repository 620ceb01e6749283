--TEST--
passthru(): checked, output passed through
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
passthru('echo pass', $rc);
var_dump($rc, rasp_last('command')['command']);
?>
--EXPECT--
pass
int(0)
string(9) "echo pass"
