--TEST--
Web: a client that accepts JSON gets a JSON block response; status and body from rasp.yml
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official-custom
--ENV--
HTTP_ACCEPT=application/json
--GET--
c=x;id
--FILE--
<?php
system('echo ' . $_GET['c']);
?>
--EXPECTHEADERS--
Status: 403 Forbidden
Content-Type: application/json
--EXPECTF--
{"blocked":true,"id":"%x"}
