--TEST--
webshell_callable (built-in): call_user_func() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=strtoupper
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(call_user_func('strtoupper', 'a'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
call_user_func($_GET['f'], 'a');
echo "not reached\n";
?>
--EXPECTF--
string(1) "A"
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"call_user_func"}
