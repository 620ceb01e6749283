--TEST--
readgzfile(): readFile with the path as given and its realpath; log lets it run, block stops it
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('d/plain.ini', "a=1\n");
var_dump(readgzfile('d/../d/plain.ini'));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
rasp_tmp('RASP_LOG.ini', "a=2\n");
var_dump(readgzfile(rasp_tmp('RASP_LOG.ini')));
echo rasp_last_alarm(), "\n";
rasp_tmp('RASP_BLOCK.ini', "a=3\n");
rasp_try(function () { var_dump(readgzfile(rasp_tmp('RASP_BLOCK.ini'))); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
a=1
int(4)
readFile path=d/../d/plain.ini realpath={TMP}/d/plain.ini protocol= function=readgzfile
a=2
int(4)
readFile log
blocked
readFile block
