--TEST--
webshell_callable (built-in): array_walk() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=trim
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$a = [' x ']; var_dump(array_walk($a, 'trim'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
$a = ['x']; array_walk($a, $_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
bool(true)
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"array_walk"}
