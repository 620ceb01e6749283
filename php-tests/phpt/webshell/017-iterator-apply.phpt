--TEST--
webshell_callable (built-in): iterator_apply() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=phpversion
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
function cb() { return true; }
var_dump(iterator_apply(new ArrayIterator([1, 2]), 'cb'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
iterator_apply(new ArrayIterator([1]), $_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
int(2)
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"iterator_apply"}
