--TEST--
pg_connect(): dbConnection from the libpq string, password redacted; a failed connect is sql_exception
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
var_dump($c instanceof PgSql\Connection);
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
var_dump(@pg_connect('host=127.0.0.1 port=' . rasp_db('RASP_PG_PORT') . " user=nobody password='a b' dbname=x"));
rasp_show('sql_exception', ['server', 'username', 'connectionString', 'error_msg']);
rasp_try(fn() => pg_connect('host=127.0.0.1 user=RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
dbConnection server=pgsql hostname=127.0.0.1 port=15432 username=rasp socket= connectionString=host=127.0.0.1 port=15432 dbname=rasptest user=rasp password=******
bool(false)
sql_exception server=pgsql username=nobody connectionString=host=127.0.0.1 port=15432 user=nobody password=****** dbname=x error_msg=connection to server at "127.0.0.1", port 15432 failed: FATAL:  password authentication failed for user "nobody"
blocked
dbConnection block
