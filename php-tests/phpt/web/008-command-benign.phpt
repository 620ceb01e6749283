--TEST--
Web: harmless values in commands pass, quoted or not
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official
--GET--
a=hello world&b=semi;colon&f=report-2026.txt
--FILE--
<?php
echo shell_exec('echo ' . $_GET['a']);
echo shell_exec('echo ' . escapeshellarg($_GET['b']));
echo shell_exec('echo ' . $_GET['f']);
?>
--EXPECT--
hello world
semi;colon
report-2026.txt
