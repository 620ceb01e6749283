--TEST--
webshell_ld_preload (built-in): putenv() of LD_PRELOAD, LD_AUDIT or GCONV_PATH is blocked, other variables are not
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(putenv('RASP_TEST_VAR=1'), getenv('RASP_TEST_VAR'));
foreach (['LD_PRELOAD=/tmp/evil.so', 'ld_audit=/tmp/a.so', ' GCONV_PATH=/tmp/'] as $s) {
    rasp_try(fn() => putenv($s));
    $a = rasp_alarms(); $l = end($a);
    echo rasp_last_alarm(), ' ', json_encode(array_diff_key($l['attack_params'], ['stack' => 1])), "\n";
}
var_dump(getenv('LD_PRELOAD'), getenv('GCONV_PATH'));
?>
--EXPECT--
bool(true)
string(1) "1"
blocked
webshell_ld_preload block {"env":"LD_PRELOAD=\/tmp\/evil.so","name":"LD_PRELOAD"}
blocked
webshell_ld_preload block {"env":"ld_audit=\/tmp\/a.so","name":"LD_AUDIT"}
blocked
webshell_ld_preload block {"env":" GCONV_PATH=\/tmp\/","name":"GCONV_PATH"}
bool(false)
bool(false)
