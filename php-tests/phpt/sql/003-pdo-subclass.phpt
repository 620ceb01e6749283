--TEST--
A user subclass of PDO keeps the hooks
--SKIPIF--
<?php if (!extension_loaded('pdo_sqlite')) die('skip pdo_sqlite missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
class MyPDO extends PDO {}
class Traced extends MyPDO { public function query(string $q, ?int $m = null, mixed ...$a): PDOStatement|false { return parent::query($q); } }
(new MyPDO('sqlite::memory:'))->query('SELECT 11');
(new Traced('sqlite::memory:'))->query('SELECT 22');
foreach (rasp_checks('sql') as [, $p]) echo $p['query'], "\n";
?>
--EXPECT--
SELECT 11
SELECT 22
