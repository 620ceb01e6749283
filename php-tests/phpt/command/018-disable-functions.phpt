--TEST--
Command functions listed in disable_functions stay disabled; backticks (shell_exec) too
--INI--
disable_functions=system,shell_exec,proc_open
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
foreach ([fn() => system('echo x'), fn() => `echo y`, fn() => proc_open('echo z', [], $p)] as $f) {
    try { $f(); } catch (Error $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
var_dump(function_exists('system'), rasp_count('command'));
echo exec('echo still-works'), "\n";
rasp_show('command', ['command']);
?>
--EXPECT--
Error: Call to undefined function system()
Error: Call to undefined function shell_exec()
Error: Call to undefined function proc_open()
bool(false)
int(0)
still-works
command command=echo still-works
