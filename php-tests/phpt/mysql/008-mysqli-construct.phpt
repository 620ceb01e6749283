--TEST--
new mysqli(): dbConnection (root user visible to plugins); failure in report-off mode is still sql_exception
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = new mysqli('127.0.0.1', 'root', rasp_db('RASP_MYSQL_ROOT_PASSWORD'), '', (int)rasp_db('RASP_MYSQL_PORT'));
var_dump($m->connect_errno);
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
mysqli_report(MYSQLI_REPORT_OFF);
$x = @new mysqli('127.0.0.1', 'nobody', 'x', '', (int)rasp_db('RASP_MYSQL_PORT'));
var_dump($x->connect_errno);
rasp_show('sql_exception', ['error_code', 'username']);
$y = new mysqli('localhost', 'u', 'p', 'd', 0, '/nonexistent.sock');
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
rasp_try(fn() => new mysqli('127.0.0.1', 'RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECTF--
int(0)
dbConnection server=mysql hostname=127.0.0.1 port=13306 username=root socket= connectionString=mysql:host=127.0.0.1;port=13306
int(1045)
sql_exception error_code=1045 username=nobody

Warning: mysqli::__construct(): (HY000/2002): No such file or directory in %s on line 11
dbConnection server=mysql hostname=localhost port=3306 username=u socket=/nonexistent.sock connectionString=mysql:host=localhost;port=3306;dbname=d;unix_socket=/nonexistent.sock
blocked
dbConnection block
