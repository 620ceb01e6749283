--TEST--
copy(): copy with source and dest resolved; log and block (nothing copied)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('src.txt', 'data');
var_dump(copy('src.txt', 'sub/../dst.txt'));
rasp_show('copy', ['source', 'dest', 'source_path', 'dest_path', 'function']);
var_dump(copy('src.txt', 'RASP_LOG.txt'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { copy('src.txt', 'RASP_BLOCK.php'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('RASP_BLOCK.php'));
?>
--EXPECT--
bool(true)
copy source={TMP}/src.txt dest={TMP}/dst.txt source_path=src.txt dest_path=sub/../dst.txt function=copy
bool(true)
copy log
blocked
copy block
bool(false)
