--TEST--
Web: a plugin stuck in a loop is cut off after the timeout and the request succeeds
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/test
--GET--
c=RASP_SLOW
--FILE--
<?php
$t = microtime(true);
echo shell_exec('echo ' . $_GET['c']);
echo microtime(true) - $t < 2 ? "fast\n" : "slow\n";
?>
--EXPECT--
RASP_SLOW
fast
