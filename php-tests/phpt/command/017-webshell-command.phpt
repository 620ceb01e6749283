--TEST--
webshell_command (built-in): a command line that is exactly a request value is blocked; commands built around input are not
--CGI--
--INI--
output_buffering=4096
--GET--
c=echo%20pwned&n=42
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo shell_exec('echo ' . (int)$_GET['n']);
echo shell_exec($_GET['c'] . ' too');
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () { echo "\n", rasp_last_alarm(), "\n"; });
ob_flush();
system($_GET['c']);
echo "not reached\n";
?>
--EXPECTF--
42
pwned too
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_command block
