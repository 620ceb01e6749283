--TEST--
PDO query/exec/prepare: server is the PDO driver name
--SKIPIF--
<?php if (!extension_loaded('pdo_sqlite')) die('skip pdo_sqlite missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$pdo = new PDO('sqlite::memory:');
var_dump($pdo->exec('CREATE TABLE t (a TEXT)'));
$pdo->query("SELECT 1")->fetchAll();
$st = $pdo->prepare('INSERT INTO t VALUES (?)');
$st->execute(["O'Brien"]);
var_dump($pdo->query('SELECT a FROM t')->fetchColumn());
foreach (rasp_checks() as [$t, $p]) if ($t === 'sql' || $t === 'sqlPrepared') echo $t, ' ', $p['server'], ' ', $p['query'], "\n";
?>
--EXPECT--
int(0)
string(7) "O'Brien"
sql sqlite CREATE TABLE t (a TEXT)
sql sqlite SELECT 1
sqlPrepared sqlite INSERT INTO t VALUES (?)
sql sqlite SELECT a FROM t
