--TEST--
mysqli_stmt_prepare() and mysqli_stmt::prepare(): sqlPrepared; block
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
$t = 'rasp_t';
$st = mysqli_stmt_init($m);
var_dump(mysqli_stmt_prepare($st, 'SELECT 1'));
rasp_show('sqlPrepared', ['server', 'query']);
$st2 = $m->stmt_init();
var_dump($st2->prepare("SELECT 'RASP_LOG'"));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => $st2->prepare("SELECT 'RASP_BLOCK'"));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
sqlPrepared server=mysql query=SELECT 1
bool(true)
sqlPrepared log
blocked
sqlPrepared block
