--TEST--
Web: a SQL injection in a GET parameter is blocked with status 400 and a page showing the request id
--CGI--
--INI--
output_buffering=4096
rasp.root_dir={PWD}/../../fixtures/roots/official
--GET--
id=1 or 1=1
--FILE--
<?php
echo "output before the query is discarded\n";
$db = new SQLite3(':memory:');
$db->exec('CREATE TABLE u (id INT)');
$db->query("SELECT * FROM u WHERE id = " . $_GET['id']);
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
Content-Type: text/html; charset=utf-8
--EXPECTF--
<!DOCTYPE html>
%aRequest blocked%a<code>%x</code>%a
