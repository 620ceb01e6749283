--TEST--
pg_send_query(): sql; block keeps the query from being sent
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
$t = 'rasp_t';
pg_query($c, "CREATE TEMPORARY TABLE $t (a INT)");
var_dump(pg_send_query($c, "INSERT INTO $t VALUES (1)")); pg_get_result($c);
rasp_show('sql', ['server', 'query']);
var_dump(pg_send_query($c, "SELECT 'RASP_LOG'")); pg_get_result($c);
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($c, $t) { pg_send_query($c, "INSERT INTO $t VALUES (2) -- RASP_BLOCK"); });
echo rasp_last_alarm(), "\n";
var_dump(pg_fetch_row(pg_query($c, "SELECT count(*) FROM $t"))[0]);
?>
--EXPECT--
bool(true)
sql server=pgsql query=INSERT INTO rasp_t VALUES (1)
bool(true)
sql log
blocked
sql block
string(1) "1"
