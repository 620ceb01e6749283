--TEST--
PDO with the pgsql driver: dbConnection, sql with server pgsql, sql_exception with the SQLSTATE as error code
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$p = new PDO('pgsql:host=' . rasp_db('RASP_PG_HOST') . ';port=' . rasp_db('RASP_PG_PORT') . ';dbname=' . rasp_db('RASP_PG_DB'), rasp_db('RASP_PG_USER'), rasp_db('RASP_PG_PASSWORD'));
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
var_dump($p->query('SELECT 1')->fetchColumn());
rasp_show('sql', ['server', 'query']);
var_dump(get_class($p->prepare('SELECT ?::int')));
rasp_show('sqlPrepared', ['server', 'query']);
try { $p->exec('SELEC 1'); } catch (PDOException $e) { echo $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'error_code', 'sqlstate', 'error_msg']);
try { new PDO('pgsql:host=127.0.0.1;port=' . rasp_db('RASP_PG_PORT') . ';dbname=x;user=nobody;password=secret'); } catch (PDOException $e) { echo get_class($e), "\n"; }
rasp_show('sql_exception', ['server', 'username', 'connectionString']);
rasp_try(fn() => $p->query("SELECT 'RASP_BLOCK'"));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
dbConnection server=pgsql hostname=127.0.0.1 port=15432 username=rasp socket= connectionString=pgsql:host=127.0.0.1;port=15432;dbname=rasptest
int(1)
sql server=pgsql query=SELECT 1
string(12) "PDOStatement"
sqlPrepared server=pgsql query=SELECT ?::int
42601
sql_exception server=pgsql error_code=42601 sqlstate=42601 error_msg=ERROR:  syntax error at or near "SELEC"
LINE 1: SELEC 1
        ^
PDOException
sql_exception server=pgsql username=nobody connectionString=pgsql:host=127.0.0.1;port=15432;dbname=x;user=nobody;password=******
blocked
sql block
