--TEST--
PDO: a new PDO object that reuses a freed object's handle gets its own driver as `server`
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
// The e2e app does this per request: (new PDO(...))->query(...), one driver
// after the other; handles and addresses of freed objects are reused.
for ($i = 0; $i < 2; $i++) {
    (new PDO(rasp_mysql_dsn(), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD')))->query("SELECT $i");
    (new PDO('sqlite::memory:'))->query("SELECT 10 + $i");
}
foreach (rasp_checks('sql') as [, $c]) echo $c['server'], ' ', $c['query'], "\n";
?>
--EXPECT--
mysql SELECT 0
sqlite SELECT 10 + 0
mysql SELECT 1
sqlite SELECT 10 + 1
