--TEST--
webshell_eval (built-in): eval of code that is exactly a request value is blocked; eval of code built by the application is not
--CGI--
--INI--
output_buffering=4096
--POST--
x=echo 'owned';&n=3
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
eval('echo ' . (int)$_POST['n'] . ', "\n";');
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () { echo "\n", rasp_last_alarm(), "\n"; });
ob_flush();
eval($_POST['x']);
echo "not reached\n";
?>
--EXPECTF--
3
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_eval block
