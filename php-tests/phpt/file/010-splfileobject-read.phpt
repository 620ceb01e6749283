--TEST--
SplFileObject::__construct(): readFile with the path as given and its realpath; log lets it run, block stops it
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('d/plain.ini', "a=1\n");
$o = new SplFileObject('d/../d/plain.ini'); var_dump($o->fgets());
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
rasp_tmp('RASP_LOG.ini', "a=2\n");
$o = new SplFileObject(rasp_tmp('RASP_LOG.ini')); var_dump($o->fgets());
echo rasp_last_alarm(), "\n";
rasp_tmp('RASP_BLOCK.ini', "a=3\n");
rasp_try(function () { $o = new SplFileObject(rasp_tmp('RASP_BLOCK.ini')); var_dump($o->fgets()); });
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(4) "a=1
"
readFile path=d/../d/plain.ini realpath={TMP}/d/plain.ini protocol= function=SplFileObject::__construct
string(4) "a=2
"
readFile log
blocked
readFile block
