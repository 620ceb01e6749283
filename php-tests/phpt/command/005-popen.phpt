--TEST--
popen(): checked; the stream works
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$p = popen('echo piped', 'r');
echo fread($p, 100);
pclose($p);
echo rasp_last('command')['command'], "\n";
?>
--EXPECT--
piped
echo piped
