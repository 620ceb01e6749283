--TEST--
Built-in checks follow plugin.algorithm_config.<type>.action (log lets the call run, ignore turns the check off) and .functions for callables
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/test-webshell-log
--GET--
f=strtoupper&c=echo%20cmd&e=return%201;
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(array_map($_GET['f'], ['a']));
echo rasp_last_alarm(), "\n";
var_dump(eval($_GET['e']));
echo rasp_last_alarm(), "\n";
echo shell_exec($_GET['c']);
echo rasp_last_alarm(), "\n";
var_dump(putenv('LD_PRELOAD=/nonexistent.so'), getenv('LD_PRELOAD'));
echo rasp_last_alarm(), "\n";
putenv('LD_PRELOAD');
?>
--EXPECT--
array(1) {
  [0]=>
  string(1) "A"
}
webshell_callable log
int(1)
webshell_eval log
cmd
webshell_eval log
bool(true)
string(15) "/nonexistent.so"
webshell_ld_preload log
