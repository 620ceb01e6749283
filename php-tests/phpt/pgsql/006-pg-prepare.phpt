--TEST--
pg_prepare() and pg_send_prepare(): sqlPrepared with the statement text
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
$t = 'x';
var_dump(pg_prepare($c, 's1', 'SELECT $1::int + 1') instanceof PgSql\Result); var_dump(pg_fetch_row(pg_execute($c, 's1', [41]))[0]);
rasp_show('sqlPrepared', ['server', 'query']);
var_dump(pg_send_prepare($c, 's2', "SELECT 'RASP_LOG'")); pg_get_result($c);
echo rasp_last_alarm(), "\n";
rasp_try(function () use ($c, $t) { pg_prepare($c, 's3', "SELECT 'RASP_BLOCK'"); });
echo rasp_last_alarm(), "\n";
var_dump(pg_fetch_row(pg_query($c, "SELECT count(*) FROM pg_prepared_statements WHERE name = 's3'"))[0]);
?>
--EXPECT--
bool(true)
string(2) "42"
sqlPrepared server=pgsql query=SELECT $1::int + 1
bool(true)
sqlPrepared log
blocked
sqlPrepared block
string(1) "0"
