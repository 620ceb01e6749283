--TEST--
eval: eval check with the code; log runs it, block does not
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(eval('return 6 * 7;'));
rasp_show('eval', ['code', 'function']);
var_dump(eval('/* RASP_LOG */ return 1;'));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => eval('echo "block ran\\n"; /* RASP_BLOCK */'));
echo rasp_last_alarm(), "\n";
function f($c) { return eval($c); }
var_dump(f('return 5;'));
$s = preg_grep('/STACK /', rasp_plugin_lines());
echo basename(end($s)), "\n";
?>
--EXPECT--
int(42)
eval code=return 6 * 7; function=eval
int(1)
eval log
blocked
eval block
int(5)
005-eval.php@f:9
