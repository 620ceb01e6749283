--TEST--
webshell_callable: a static call whose class name comes from the request ("Class::method" or [class, method]) is blocked
--CGI--
--INI--
output_buffering=4096
--GET--
c=ReflectionClass&m=export
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
$f = 'call_user_func';
$f([$_GET['c'], $_GET['m']]);
echo "not reached\n";
?>
--EXPECTF--
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"ReflectionClass","caller":"call_user_func"}
