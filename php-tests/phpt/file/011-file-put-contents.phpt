--TEST--
file_put_contents(): writeFile with path and realpath of a file that does not exist yet; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
@mkdir('out');
var_dump(file_put_contents('out/./new.txt', 'x'));
rasp_show('writeFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(file_put_contents('out/RASP_LOG.txt', 'y'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { file_put_contents('out/RASP_BLOCK.txt', 'z'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('out/RASP_BLOCK.txt'));
?>
--EXPECT--
int(1)
writeFile path=out/./new.txt realpath={TMP}/out/new.txt protocol= function=file_put_contents
int(1)
writeFile log
blocked
writeFile block
bool(false)
