--TEST--
unlink(): deleteFile with path and realpath; log and block (the file survives a block)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('a.txt', 'a'); rasp_tmp('RASP_LOG.txt', 'b'); rasp_tmp('RASP_BLOCK.txt', 'c');
var_dump(unlink('./a.txt'));
rasp_show('deleteFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(unlink('RASP_LOG.txt'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { unlink('RASP_BLOCK.txt'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('RASP_BLOCK.txt'));
?>
--EXPECT--
bool(true)
deleteFile path=./a.txt realpath={TMP}/a.txt protocol= function=unlink
bool(true)
deleteFile log
blocked
deleteFile block
bool(true)
