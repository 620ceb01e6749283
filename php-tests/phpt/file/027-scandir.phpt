--TEST--
scandir(): directory with path and realpath; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('list/a.txt', 'a'); rasp_tmp('RASP_LOG/a.txt', 'a'); rasp_tmp('RASP_BLOCK/a.txt', 'a');
var_dump(count(scandir('list/../list')));
rasp_show('directory', ['path', 'realpath', 'protocol', 'function']);
var_dump(count(scandir('RASP_LOG')));
echo rasp_last_alarm(), "\n";
rasp_try(function () { var_dump(count(scandir('RASP_BLOCK'))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
int(3)
directory path=list/../list realpath={TMP}/list protocol= function=scandir
int(3)
directory log
blocked
directory block
