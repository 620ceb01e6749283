--TEST--
webshell_callable (built-in): register_shutdown_function() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=phpversion
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(register_shutdown_function('gc_collect_cycles'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
register_shutdown_function($_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
NULL
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"register_shutdown_function"}
