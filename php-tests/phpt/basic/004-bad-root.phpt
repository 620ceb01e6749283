--TEST--
A missing root dir turns protection off with a message; PHP keeps working
--INI--
rasp.root_dir=/nonexistent/rasp-root
--FILE--
<?php
echo shell_exec('echo RASP_BLOCK');
echo "still running\n";
?>
--EXPECTF--
%Sphp-rasp: rasp.root_dir /nonexistent/rasp-root (php.ini) is not a directory; protection is off.%s
RASP_BLOCK
still running
