--TEST--
SQLite3: sql_exception with lastErrorCode/lastErrorMsg, with warnings and with exceptions enabled
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$db = new SQLite3(':memory:');
var_dump(@$db->exec('SELEC 1'));
rasp_show('sql_exception', ['server', 'query', 'error_code', 'error_msg']);
var_dump(@$db->query('SELECT * FROM nope'));
rasp_show('sql_exception', ['query', 'error_code', 'error_msg']);
var_dump(@$db->querySingle('SELECT x FROM nope2'));
rasp_show('sql_exception', ['query']);
var_dump(@$db->prepare('SELEC ?'));
rasp_show('sql_exception', ['query']);
$db->enableExceptions(true);
try { $db->exec('DROP TABLE nope3'); } catch (Exception $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
rasp_show('sql_exception', ['query', 'error_code', 'error_msg']);
?>
--EXPECT--
bool(false)
sql_exception server=sqlite query=SELEC 1 error_code=1 error_msg=near "SELEC": syntax error
bool(false)
sql_exception query=SELECT * FROM nope error_code=1 error_msg=no such table: nope
bool(false)
sql_exception query=SELECT x FROM nope2
bool(false)
sql_exception query=SELEC ?
Exception: no such table: nope3
sql_exception query=DROP TABLE nope3 error_code=1 error_msg=no such table: nope3
