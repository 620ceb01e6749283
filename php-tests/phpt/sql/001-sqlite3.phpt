--TEST--
SQLite3::query/exec/querySingle are sql checks, prepare is sqlPrepared; server is sqlite
--SKIPIF--
<?php if (!class_exists('SQLite3')) die('skip sqlite3 missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$db = new SQLite3(':memory:');
var_dump($db->exec('CREATE TABLE t (a INT)'));
$db->exec('INSERT INTO t VALUES (1), (2)');
$r = $db->query('SELECT a FROM t ORDER BY a');
while ($row = $r->fetchArray(SQLITE3_NUM)) echo $row[0], "\n";
var_dump($db->querySingle('SELECT count(*) FROM t'));
$st = $db->prepare('SELECT a FROM t WHERE a = ?');
foreach (rasp_checks() as [$t, $p]) if ($t === 'sql' || $t === 'sqlPrepared') echo $t, ' ', $p['server'], ' ', $p['query'], "\n";
?>
--EXPECT--
bool(true)
1
2
int(2)
sql sqlite CREATE TABLE t (a INT)
sql sqlite INSERT INTO t VALUES (1), (2)
sql sqlite SELECT a FROM t ORDER BY a
sql sqlite SELECT count(*) FROM t
sqlPrepared sqlite SELECT a FROM t WHERE a = ?
