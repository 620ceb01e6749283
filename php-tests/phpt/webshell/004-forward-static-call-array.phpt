--TEST--
webshell_callable (built-in): forward_static_call_array() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=strtoupper
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class C { static function t($f) { return forward_static_call_array($f, ['a']); } }
var_dump(C::t('strtoupper'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
C::t($_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
string(1) "A"
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"forward_static_call_array"}
