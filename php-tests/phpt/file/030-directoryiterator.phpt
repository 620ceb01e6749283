--TEST--
DirectoryIterator::__construct(): directory with path and realpath; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('list/a.txt', 'a'); rasp_tmp('RASP_LOG/a.txt', 'a'); rasp_tmp('RASP_BLOCK/a.txt', 'a');
var_dump(iterator_count(new DirectoryIterator('list/../list')));
rasp_show('directory', ['path', 'realpath', 'protocol', 'function']);
var_dump(iterator_count(new DirectoryIterator('RASP_LOG')));
echo rasp_last_alarm(), "\n";
rasp_try(function () { var_dump(iterator_count(new DirectoryIterator('RASP_BLOCK'))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
int(3)
directory path=list/../list realpath={TMP}/list protocol= function=DirectoryIterator::__construct
int(3)
directory log
blocked
directory block
