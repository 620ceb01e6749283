--TEST--
Invalid UTF-8 and NUL bytes in a query reach the plugin (replaced) and the database (unchanged)
--SKIPIF--
<?php if (!class_exists('SQLite3')) die('skip sqlite3 missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$db = new SQLite3(':memory:');
var_dump(bin2hex($db->querySingle("SELECT X'ff00fe'")));
var_dump($db->querySingle("SELECT 'a\xffb'") === "a\xffb");
$q = rasp_checks('sql');
echo $q[1][1]['query'], "\n";
?>
--EXPECT--
string(6) "ff00fe"
bool(true)
SELECT 'a�b'
