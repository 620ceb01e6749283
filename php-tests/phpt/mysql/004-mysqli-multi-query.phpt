--TEST--
mysqli_multi_query() and mysqli::multi_query() on MariaDB: sql with server mysql; log runs the query, block does not
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
$t = 'rasp_t';
$m->query("CREATE TEMPORARY TABLE $t (a INT)");
var_dump(mysqli_multi_query($m, "INSERT INTO $t VALUES (1); SELECT 1")); do { if ($r = $m->store_result()) $r->free(); } while ($m->more_results() && $m->next_result());
rasp_show('sql', ['server', 'query']);
var_dump($m->multi_query("SELECT 'RASP_LOG'")); $m->store_result()->free();
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($m, $t) { $m->multi_query("INSERT INTO $t VALUES (2); SELECT 'RASP_BLOCK'"); });
echo rasp_last_alarm(), "\n";
var_dump($m->query("SELECT count(*) FROM $t")->fetch_row()[0]);
?>
--EXPECT--
bool(true)
sql server=mysql query=INSERT INTO rasp_t VALUES (1); SELECT 1
bool(true)
sql log
blocked
sql block
string(1) "1"
