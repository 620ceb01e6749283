--TEST--
A broken rasp.yml is rejected with line and key; defaults apply and protection stays on
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/broken-config
--FILE--
<?php
ob_start(); phpinfo(INFO_MODULES); $i = ob_get_clean();
preg_match('/php-rasp => enabled.*?\nconfig => (.*?)\n(?=[a-z])/s', $i, $m);
echo $m[1], "\n";
var_dump(strpos($i, 'protection => active') !== false);
try { system('echo RASP_BLOCK'); } catch (RaspBlockedException $e) { echo "blocked\n"; }
?>
--EXPECTF--
php-rasp: %s/broken-config/conf/rasp.yml rejected, using defaults:
line 2: block.status_code: must be between 100 and 599, got 42
line 4: plugin.timeout.milis: unknown key; did you mean `plugin.timeout.millis`?
%s/broken-config/conf/rasp.yml rejected, using defaults:
bool(true)
blocked
