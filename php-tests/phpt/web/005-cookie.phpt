--TEST--
Web: injection through a cookie is blocked
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official
--COOKIE--
session=abc' UNION SELECT sqlite_version() --
--FILE--
<?php
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE s (id TEXT)");
$db->query("SELECT * FROM s WHERE id = '" . $_COOKIE['session'] . "'");
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
--EXPECTF--
%aRequest blocked%a
