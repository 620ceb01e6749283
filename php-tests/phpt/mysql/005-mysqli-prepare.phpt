--TEST--
mysqli_prepare() and mysqli::prepare(): sqlPrepared; block stops the prepare
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
$t = 'rasp_t';
$st = mysqli_prepare($m, 'SELECT ? + 1');
$v = 41; $st->bind_param('i', $v); $st->execute(); var_dump($st->get_result()->fetch_row()[0]);
rasp_show('sqlPrepared', ['server', 'query']);
var_dump(get_class($m->prepare("SELECT 'RASP_LOG'")));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => $m->prepare("SELECT 'RASP_BLOCK'"));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
int(42)
sqlPrepared server=mysql query=SELECT ? + 1
string(11) "mysqli_stmt"
sqlPrepared log
blocked
sqlPrepared block
