--TEST--
sql_exception after a failed mysqli query: MariaDB error code and message, in exception mode and in report-off mode
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
try { $m->query('SELEC 1'); } catch (mysqli_sql_exception $e) { echo $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'query', 'error_code', 'error_msg']);
mysqli_report(MYSQLI_REPORT_OFF);
var_dump(mysqli_query($m, 'SELECT * FROM no_such_table'));
rasp_show('sql_exception', ['query', 'error_code', 'error_msg']);
var_dump($m->prepare('SELECT nope FROM dual WHERE'));
rasp_show('sql_exception', ['query', 'error_code']);
$n = rasp_count('sql_exception'); $m->query('SELECT 1'); var_dump(rasp_count('sql_exception') - $n);
?>
--EXPECT--
1064
sql_exception server=mysql query=SELEC 1 error_code=1064 error_msg=You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'SELEC 1' at line 1
bool(false)
sql_exception query=SELECT * FROM no_such_table error_code=1146 error_msg=Table 'rasptest.no_such_table' doesn't exist
bool(false)
sql_exception query=SELECT nope FROM dual WHERE error_code=1064
int(0)
