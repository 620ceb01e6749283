--TEST--
opendir(): directory with path and realpath; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('list/a.txt', 'a'); rasp_tmp('RASP_LOG/a.txt', 'a'); rasp_tmp('RASP_BLOCK/a.txt', 'a');
$d = opendir('list/../list'); var_dump(is_resource($d));
rasp_show('directory', ['path', 'realpath', 'protocol', 'function']);
$d = opendir('RASP_LOG'); var_dump(is_resource($d));
echo rasp_last_alarm(), "\n";
rasp_try(function () { $d = opendir('RASP_BLOCK'); var_dump(is_resource($d)); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
directory path=list/../list realpath={TMP}/list protocol= function=opendir
bool(true)
directory log
blocked
directory block
