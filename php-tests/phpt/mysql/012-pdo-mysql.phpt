--TEST--
PDO with the mysql driver: dbConnection from the DSN, sql/sqlPrepared with server mysql, sql_exception with the MySQL code and SQLSTATE
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$p = new PDO(rasp_mysql_dsn(), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'));
rasp_show('dbConnection', ['server', 'hostname', 'port', 'username', 'socket', 'connectionString']);
var_dump($p->query('SELECT 1')->fetchColumn());
rasp_show('sql', ['server', 'query']);
var_dump($p->exec('DO 1'));
rasp_show('sql', ['query']);
var_dump(get_class($p->prepare('SELECT ?')));
rasp_show('sqlPrepared', ['server', 'query']);
try { $p->query('SELEC 1'); } catch (PDOException $e) { echo $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'error_code', 'sqlstate', 'error_msg']);
$p->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_SILENT);
var_dump($p->exec('DROP TABLE no_such_table'));
rasp_show('sql_exception', ['error_code', 'sqlstate', 'error_msg']);
try { new PDO(rasp_mysql_dsn(), 'root', 'wrong'); } catch (PDOException $e) { echo $e->getCode(), "\n"; }
rasp_show('sql_exception', ['server', 'error_code', 'username', 'hostname']);
rasp_try(fn() => $p->exec("DO 'RASP_BLOCK'"));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
dbConnection server=mysql hostname=127.0.0.1 port=13306 username=rasp socket= connectionString=mysql:host=127.0.0.1;port=13306;dbname=rasptest
int(1)
sql server=mysql query=SELECT 1
int(0)
sql query=DO 1
string(12) "PDOStatement"
sqlPrepared server=mysql query=SELECT ?
42000
sql_exception server=mysql error_code=1064 sqlstate=42000 error_msg=You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'SELEC 1' at line 1
bool(false)
sql_exception error_code=1051 sqlstate=42S02 error_msg=Unknown table 'rasptest.no_such_table'
1045
sql_exception server=mysql error_code=1045 username=root hostname=127.0.0.1
blocked
sql block
