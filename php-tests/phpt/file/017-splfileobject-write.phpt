--TEST--
new SplFileObject($f, "w"): writeFile; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$o = new SplFileObject('w.txt', 'w'); var_dump($o->fwrite('abc'));
rasp_show('writeFile', ['path', 'realpath', 'protocol', 'function']);
$o = new SplFileObject('RASP_LOG.txt', 'a'); var_dump($o->fwrite('abc'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { new SplFileObject('RASP_BLOCK.txt', 'w'); });
echo rasp_last_alarm(), "\n";
var_dump(file_exists('RASP_BLOCK.txt'));
?>
--EXPECT--
int(3)
writeFile path=w.txt realpath={TMP}/w.txt protocol= function=SplFileObject::__construct
int(3)
writeFile log
blocked
writeFile block
bool(false)
