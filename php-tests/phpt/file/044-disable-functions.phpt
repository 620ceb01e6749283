--TEST--
Functions in disable_functions stay disabled with the extension loaded
--INI--
disable_functions=readfile,unlink
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
foreach (['readfile', 'unlink'] as $f) {
    try { $f('/etc/hostname'); } catch (Error $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
var_dump(function_exists('readfile'), function_exists('unlink'), rasp_count('readFile'), rasp_count('deleteFile'));
var_dump(strlen(file_get_contents('/etc/hostname')) > 0);
rasp_show('readFile', ['path', 'function']);
?>
--EXPECT--
Error: Call to undefined function readfile()
Error: Call to undefined function unlink()
bool(false)
bool(false)
int(0)
int(0)
bool(true)
readFile path=/etc/hostname function=file_get_contents
