--TEST--
mysqli::query() on MariaDB: sql with server mysql; log runs the query, block does not
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
$t = 'rasp_t';
$m->query("CREATE TEMPORARY TABLE $t (a INT)");
var_dump($m->query("INSERT INTO $t VALUES (1)"));
rasp_show('sql', ['server', 'query']);
var_dump($m->query("SELECT 'RASP_LOG'")->fetch_row()[0]);
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($m, $t) { $m->query("INSERT INTO $t VALUES (2) -- RASP_BLOCK"); });
echo rasp_last_alarm(), "\n";
var_dump($m->query("SELECT count(*) FROM $t")->fetch_row()[0]);
?>
--EXPECT--
bool(true)
sql server=mysql query=INSERT INTO rasp_t VALUES (1)
string(8) "RASP_LOG"
sql log
blocked
sql block
string(1) "1"
