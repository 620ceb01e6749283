--TEST--
sql_exception block: the failed query already ran, the block stops the script right after it
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
rasp_try(fn() => $m->query('SELEC 1 -- RASP_BLOCK_ONLY_sql_exception'));
echo rasp_last_alarm(), "\n";
rasp_show('sql', ['query']);
?>
--EXPECT--
blocked
sql_exception block
sql query=SELEC 1 -- RASP_BLOCK_ONLY_sql_exception
