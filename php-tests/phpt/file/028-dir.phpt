--TEST--
dir(): directory with path and realpath; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('list/a.txt', 'a'); rasp_tmp('RASP_LOG/a.txt', 'a'); rasp_tmp('RASP_BLOCK/a.txt', 'a');
var_dump(get_class(dir('list/../list')));
rasp_show('directory', ['path', 'realpath', 'protocol', 'function']);
var_dump(get_class(dir('RASP_LOG')));
echo rasp_last_alarm(), "\n";
rasp_try(function () { var_dump(get_class(dir('RASP_BLOCK'))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(9) "Directory"
directory path=list/../list realpath={TMP}/list protocol= function=dir
string(9) "Directory"
directory log
blocked
directory block
