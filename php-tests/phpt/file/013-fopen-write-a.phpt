--TEST--
fopen() in mode a: writeFile (a mode that writes); log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$h = fopen('plain.txt', 'a'); var_dump(is_resource($h)); fclose($h);
rasp_show('writeFile', ['path', 'realpath', 'protocol', 'function']);
$h = fopen('RASP_LOG.txt', 'a'); var_dump(is_resource($h)); fclose($h);
echo rasp_last_alarm(), "\n";
rasp_try(function () { fopen('RASP_BLOCK.txt', 'a'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('RASP_BLOCK.txt'));
?>
--EXPECT--
bool(true)
writeFile path=plain.txt realpath={TMP}/plain.txt protocol= function=fopen
bool(true)
writeFile log
blocked
writeFile block
bool(false)
