--TEST--
pg_query_params() and pg_send_query_params(): the query text is an sql check
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
$t = 'rasp_t';
pg_query($c, "CREATE TEMPORARY TABLE $t (a INT)");
var_dump(pg_affected_rows(pg_query_params($c, "INSERT INTO $t VALUES ($1)", [1])));
rasp_show('sql', ['server', 'query']);
var_dump(pg_send_query_params($c, "SELECT $1::text || 'RASP_LOG'", ['x'])); pg_get_result($c);
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($c, $t) { pg_query_params("INSERT INTO $t VALUES ($1) -- RASP_BLOCK", [2]); });
echo rasp_last_alarm(), "\n";
var_dump(pg_fetch_row(pg_query($c, "SELECT count(*) FROM $t"))[0]);
?>
--EXPECT--
int(1)
sql server=pgsql query=INSERT INTO rasp_t VALUES ($1)
bool(true)
sql log
blocked
sql block
string(1) "1"
