--TEST--
rmdir(): deleteFile; log and block (the directory survives a block)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
mkdir('d1'); mkdir('RASP_LOG'); mkdir('RASP_BLOCK');
var_dump(rmdir('d1/'));
rasp_show('deleteFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(rmdir('RASP_LOG'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { rmdir('RASP_BLOCK'); });
echo rasp_last_alarm(), "\n";
var_dump(is_dir('RASP_BLOCK'));
?>
--EXPECT--
bool(true)
deleteFile path=d1/ realpath={TMP}/d1 protocol= function=rmdir
bool(true)
deleteFile log
blocked
deleteFile block
bool(true)
