--TEST--
Wrong argument types give PHP's own errors, exactly as without the extension
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
try { system([]); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
try { shell_exec(); } catch (ArgumentCountError $e) { echo $e->getMessage(), "\n"; }
try { exec(new stdClass); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
var_dump(count(rasp_checks('command')));
?>
--EXPECT--
system(): Argument #1 ($command) must be of type string, array given
shell_exec() expects exactly 1 argument, 0 given
exec(): Argument #1 ($command) must be of type string, stdClass given
int(0)
