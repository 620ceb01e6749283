--TEST--
mysqli_connect(): dbConnection with host, port and user; a failed connect is sql_exception with the connection fields
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
try { mysqli_connect('127.0.0.1', 'root', 'wrong', '', (int)rasp_db('RASP_MYSQL_PORT')); } catch (mysqli_sql_exception $e) { echo get_class($e), ' ', $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'error_code', 'error_msg', 'hostname', 'username']);
rasp_try(fn() => mysqli_connect('127.0.0.1', 'RASP_BLOCK', 'x', '', (int)rasp_db('RASP_MYSQL_PORT')));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
dbConnection server=mysql hostname=127.0.0.1 port=13306 username=rasp socket= connectionString=mysql:host=127.0.0.1;port=13306;dbname=rasptest
mysqli_sql_exception 1045
sql_exception server=mysql error_code=1045 error_msg=Access denied for user 'root'@'127.0.0.1' (using password: YES) hostname=127.0.0.1 username=root
blocked
dbConnection block
