--TEST--
RecursiveDirectoryIterator::__construct(): directory with path and realpath; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('list/a.txt', 'a'); rasp_tmp('RASP_LOG/a.txt', 'a'); rasp_tmp('RASP_BLOCK/a.txt', 'a');
var_dump(iterator_count(new RecursiveDirectoryIterator('list/../list', FilesystemIterator::SKIP_DOTS)));
rasp_show('directory', ['path', 'realpath', 'protocol', 'function']);
var_dump(iterator_count(new RecursiveDirectoryIterator('RASP_LOG', FilesystemIterator::SKIP_DOTS)));
echo rasp_last_alarm(), "\n";
rasp_try(function () { var_dump(iterator_count(new RecursiveDirectoryIterator('RASP_BLOCK', FilesystemIterator::SKIP_DOTS))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
int(1)
directory path=list/../list realpath={TMP}/list protocol= function=RecursiveDirectoryIterator::__construct
int(1)
directory log
blocked
directory block
