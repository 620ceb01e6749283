--TEST--
A blocked query never reaches the database
--SKIPIF--
<?php if (!class_exists('SQLite3')) die('skip sqlite3 missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$db = new SQLite3(':memory:');
$db->exec('CREATE TABLE t (a INT)');
try {
    $db->exec("DROP TABLE t; -- RASP_BLOCK");
} catch (RaspBlockedException $e) {
    echo "blocked\n";
}
var_dump($db->querySingle("SELECT count(*) FROM sqlite_master WHERE name = 't'"));
?>
--EXPECT--
blocked
int(1)
