--TEST--
SQLite3::query/exec/querySingle/prepare: log runs the statement, block does not
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$db = new SQLite3(':memory:');
$db->exec('CREATE TABLE t (a)');
var_dump($db->exec("INSERT INTO t VALUES ('RASP_LOG')"));
echo rasp_last_alarm(), "\n";
foreach ([fn() => $db->query("INSERT INTO t VALUES ('RASP_BLOCK')"), fn() => $db->querySingle("SELECT 'RASP_BLOCK'"), fn() => $db->prepare("INSERT INTO t VALUES ('RASP_BLOCK')"), fn() => $db->exec("INSERT INTO t VALUES ('RASP_BLOCK')")] as $f) rasp_try($f);
var_dump($db->querySingle('SELECT count(*) FROM t'));
?>
--EXPECT--
bool(true)
sql log
blocked
blocked
blocked
blocked
int(1)
