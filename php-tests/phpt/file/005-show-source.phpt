--TEST--
show_source(): readFile with the path as given and its realpath; log lets it run, block stops it
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('d/plain.ini', "a=1\n");
var_dump(strip_tags(show_source('d/../d/plain.ini', true)));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
rasp_tmp('RASP_LOG.ini', "a=2\n");
var_dump(strip_tags(show_source(rasp_tmp('RASP_LOG.ini'), true)));
echo rasp_last_alarm(), "\n";
rasp_tmp('RASP_BLOCK.ini', "a=3\n");
rasp_try(function () { var_dump(strip_tags(show_source(rasp_tmp('RASP_BLOCK.ini'), true))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(5) "
a=1
"
readFile path=d/../d/plain.ini realpath={TMP}/d/plain.ini protocol= function=show_source
string(5) "
a=2
"
readFile log
blocked
readFile block
