--TEST--
pg_query() with and without a connection argument: sql with server pgsql; log runs the query, block does not
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
$t = 'rasp_t';
pg_query($c, "CREATE TEMPORARY TABLE $t (a INT)");
var_dump(pg_affected_rows(pg_query($c, "INSERT INTO $t VALUES (1)")));
rasp_show('sql', ['server', 'query']);
var_dump(pg_fetch_row(pg_query("SELECT 'RASP_LOG'"))[0]);
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($c, $t) { pg_query($c, "INSERT INTO $t VALUES (2) -- RASP_BLOCK"); });
echo rasp_last_alarm(), "\n";
var_dump(pg_fetch_row(pg_query($c, "SELECT count(*) FROM $t"))[0]);
?>
--EXPECTF--
int(1)
sql server=pgsql query=INSERT INTO rasp_t VALUES (1)

Deprecated: pg_query(): Automatic fetching of PostgreSQL connection is deprecated in %s on line 9
string(8) "RASP_LOG"
sql log
blocked
sql block
string(1) "1"
