--TEST--
webshell_callable (built-in): usort() with a function name taken from the request is blocked; a name in the code is not
--CGI--
--INI--
output_buffering=4096
--GET--
f=system&g=strcmp
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$a = ['b', 'a']; usort($a, 'strcmp'); var_dump($a);
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () {
    $a = rasp_alarms(); $l = end($a); unset($l['attack_params']['stack']);
    echo "\n", $l['attack_type'], ' ', $l['intercept_state'], ' ', json_encode($l['attack_params']), "\n";
});
ob_flush();
$a = ['b', 'a']; usort($a, $_GET['f']);
echo "not reached\n";
?>
--EXPECTF--
array(2) {
  [0]=>
  string(1) "a"
  [1]=>
  string(1) "b"
}
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_callable block {"function":"system","caller":"usort"}
