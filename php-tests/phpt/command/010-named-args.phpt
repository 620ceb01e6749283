--TEST--
Named arguments reach both the hook and the original function
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$r = exec(command: 'echo named', result_code: $rc);
var_dump($r, $rc, rasp_last('command')['command']);
?>
--EXPECT--
string(5) "named"
int(0)
string(10) "echo named"
