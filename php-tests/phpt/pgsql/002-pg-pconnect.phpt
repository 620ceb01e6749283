--TEST--
pg_pconnect(): dbConnection; block stops it
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_pconnect(rasp_pg_conninfo());
var_dump($c instanceof PgSql\Connection);
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username']);
var_dump(pg_pconnect('postgresql://' . rasp_db('RASP_PG_USER') . ':' . rasp_db('RASP_PG_PASSWORD') . '@127.0.0.1:' . rasp_db('RASP_PG_PORT') . '/' . rasp_db('RASP_PG_DB') . '?application_name=RASP_LOG') instanceof PgSql\Connection);
rasp_show('dbConnection', ['hostname', 'port', 'username', 'connectionString']);
echo rasp_last_alarm(), "\n";
rasp_try(fn() => pg_pconnect('host=127.0.0.1 dbname=RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
dbConnection server=pgsql hostname=127.0.0.1 port=15432 username=rasp
bool(true)
dbConnection hostname=127.0.0.1 port=15432 username=rasp connectionString=postgresql://rasp:******@127.0.0.1:15432/rasptest?application_name=RASP_LOG
dbConnection log
blocked
dbConnection block
