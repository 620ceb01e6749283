--TEST--
Policy: a web request connecting as root under enforce_policy gets the block page; the script stops there
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--CGI--
--INI--
output_buffering=4096
rasp.root_dir={PWD}/../../fixtures/roots/policy-enforce
--GET--
page=1
--FILE--
<?php
require __DIR__ . '/../../fixtures/db.inc';
echo "output before the connection is discarded\n";
mysqli_report(MYSQLI_REPORT_OFF);
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), 'root', rasp_db('RASP_MYSQL_ROOT_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
Content-Type: text/html; charset=utf-8
--EXPECTF--
<!DOCTYPE html>
%aRequest blocked%a<code>%x</code>%a
