--TEST--
fopen() in mode r+: writeFile (a mode that writes); log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('plain.txt', 'q'); rasp_tmp('RASP_LOG.txt', 'q'); rasp_tmp('RASP_BLOCK.txt', 'q');
$h = fopen('plain.txt', 'r+'); var_dump(is_resource($h)); fclose($h);
rasp_show('writeFile', ['path', 'realpath', 'protocol', 'function']);
$h = fopen('RASP_LOG.txt', 'r+'); var_dump(is_resource($h)); fclose($h);
echo rasp_last_alarm(), "\n";
rasp_try(function () { fopen('RASP_BLOCK.txt', 'r+'); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
writeFile path=plain.txt realpath={TMP}/plain.txt protocol= function=fopen
bool(true)
writeFile log
blocked
writeFile block
