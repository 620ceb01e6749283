--TEST--
zip://: the archive is the realpath, checked before PHP looks for the wrapper
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
rasp_tmp('a.zip', 'PK');
$r = @file_get_contents('zip://a.zip#shell.php');
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
?>
--EXPECT--
readFile path=zip://a.zip#shell.php realpath={TMP}/a.zip protocol=zip function=file_get_contents
