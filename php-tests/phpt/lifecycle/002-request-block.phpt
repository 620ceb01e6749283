--TEST--
request block (web): the block page is answered and no line of the script runs
--CGI--
--GET--
q=RASP_BLOCK
--FILE--
<?php
echo "script ran\n";
file_put_contents('/tmp/rasp-should-not-exist', 'x');
?>
--EXPECTHEADERS--
Status: 400 Bad Request
Content-Type: text/html; charset=utf-8
--EXPECTF--
<!DOCTYPE html>%aRequest blocked%a
