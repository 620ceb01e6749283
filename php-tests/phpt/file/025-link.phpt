--TEST--
link(): hard links are reported as copy; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('target.txt', 't');
var_dump(link('target.txt', 'h1'));
rasp_show('copy', ['source', 'dest', 'source_path', 'dest_path', 'function']);
var_dump(link('target.txt', 'RASP_LOG.txt'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { link('target.txt', 'RASP_BLOCK.php'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('RASP_BLOCK.php'));
?>
--EXPECT--
bool(true)
copy source={TMP}/target.txt dest={TMP}/h1 source_path=target.txt dest_path=h1 function=link
bool(true)
copy log
blocked
copy block
bool(false)
