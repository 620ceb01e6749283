--TEST--
mysqli with named arguments and by-reference binding keeps working
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
var_dump(mysqli_query(mysql: $m, query: 'SELECT 5', result_mode: MYSQLI_STORE_RESULT)->fetch_row()[0]);
rasp_show('sql', ['query']);
$st = $m->prepare(query: 'SELECT ?');
$x = 7; $st->bind_param('i', $x); $x = 8; $st->execute(); $st->bind_result($out); $st->fetch(); var_dump($out);
?>
--EXPECT--
string(1) "5"
sql query=SELECT 5
int(8)
