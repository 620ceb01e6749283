--TEST--
Web: injection in a POST form field is blocked
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official
--POST--
name=x' OR '1'='1
--FILE--
<?php
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE u (name TEXT)");
$db->query("SELECT * FROM u WHERE name = '" . $_POST['name'] . "'");
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
--EXPECTF--
%aRequest blocked%a
