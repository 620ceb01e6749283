--TEST--
webshell_callable (built-in): preg_replace_callback() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=current
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(preg_replace_callback('/b/', 'current', 'abc'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
preg_replace_callback('/a/', $_GET['f'], 'a');
echo "not reached\n";
?>
--EXPECTF--
string(3) "abc"
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"preg_replace_callback"}
