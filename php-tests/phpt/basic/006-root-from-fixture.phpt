--TEST--
The configured root dir is the one in use and its plugin is loaded
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
exec('true');
$c = rasp_checks('command');
echo count($c), ' ', $c[0][1]['command'], "\n";
?>
--EXPECT--
1 true
