--TEST--
PDO with the sqlite driver: dbConnection with the database file; sql_exception with the SQLite code
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$f = rasp_tmp('db.sqlite');
$p = new PDO("sqlite:$f");
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'connectionString']);
try { $p->query('SELEC 1'); } catch (PDOException $e) { echo $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'query', 'error_code', 'sqlstate', 'error_msg']);
rasp_try(fn() => new PDO('sqlite:' . rasp_tmp('RASP_BLOCK.sqlite')));
var_dump(file_exists(rasp_tmp('RASP_BLOCK.sqlite')));
?>
--EXPECT--
dbConnection server=sqlite hostname= port=0 username= connectionString=sqlite:{TMP}/db.sqlite
HY000
sql_exception server=sqlite query=SELEC 1 error_code=1 sqlstate=HY000 error_msg=near "SELEC": syntax error
blocked
bool(false)
