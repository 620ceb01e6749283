--TEST--
request log (web): the alarm is written and the script runs
--CGI--
--GET--
q=RASP_LOG
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo "script ran\n";
echo rasp_last_alarm(), "\n";
echo count(rasp_checks('request')), "\n";
?>
--EXPECT--
script ran
request log
1
