--TEST--
webshell_callable (built-in): ob_start() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=strtoupper
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
function up($s) { return strtoupper($s); }
ob_start('up'); echo "abc\n"; ob_end_flush();
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
ob_start($_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
ABC
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"ob_start"}
