--TEST--
mysqli::connect(), mysqli_real_connect() and mysqli::real_connect(): dbConnection; block stops the connect
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_init();
var_dump(mysqli_real_connect($m, '127.0.0.1', rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT')));
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
$m2 = mysqli_init();
try { $m2->real_connect('127.0.0.1', 'RASP_LOG', 'x', '', (int)rasp_db('RASP_MYSQL_PORT')); } catch (mysqli_sql_exception $e) { echo $e->getCode(), "\n"; }
echo rasp_last_alarm(), "\n";
$m3 = new mysqli();
var_dump(@$m3->connect('127.0.0.1', rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT')));
rasp_show('dbConnection', ['hostname', 'username']);
$m4 = mysqli_init();
rasp_try(fn() => $m4->real_connect('127.0.0.1', 'RASP_BLOCK', 'x', '', (int)rasp_db('RASP_MYSQL_PORT')));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
dbConnection server=mysql hostname=127.0.0.1 port=13306 username=rasp socket= connectionString=mysql:host=127.0.0.1;port=13306;dbname=rasptest
1045
sql_exception log
bool(true)
dbConnection hostname=127.0.0.1 username=rasp
blocked
dbConnection block
