--TEST--
rename(): rename with source and dest resolved; log and block (nothing renamed)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('a.txt', 'a'); rasp_tmp('b.txt', 'b'); rasp_tmp('c.txt', 'c');
var_dump(rename('a.txt', 'a2.txt'));
rasp_show('rename', ['source', 'dest', 'source_path', 'dest_path', 'function']);
var_dump(rename('b.txt', 'RASP_LOG.php'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { rename('c.txt', 'RASP_BLOCK.php'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('c.txt'), file_exists('RASP_BLOCK.php'));
?>
--EXPECT--
bool(true)
rename source={TMP}/a.txt dest={TMP}/a2.txt source_path=a.txt dest_path=a2.txt function=rename
bool(true)
rename log
blocked
rename block
bool(true)
bool(false)
