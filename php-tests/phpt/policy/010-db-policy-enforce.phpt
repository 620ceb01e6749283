--TEST--
Policy: with security.enforce_policy a root or weak-password connection is refused before it is made
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); echo rasp_pg_skip(); ?>
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy-enforce
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
mysqli_report(MYSQLI_REPORT_OFF);
$host = rasp_db('RASP_MYSQL_HOST'); $port = (int)rasp_db('RASP_MYSQL_PORT'); $db = rasp_db('RASP_MYSQL_DB');
$root = rasp_db('RASP_MYSQL_ROOT_PASSWORD');
rasp_try(fn() => mysqli_connect($host, 'root', $root, $db, $port));
$a = rasp_alarms(); echo rasp_last_alarm(), ' ', end($a)['plugin_algorithm'], "\n";
rasp_try(fn() => new mysqli($host, 'ROOT', $root, $db, $port));
rasp_try(function () use ($host, $root, $db, $port) { $m = mysqli_init(); return $m->real_connect($host, 'root', $root, $db, $port); });
rasp_try(fn() => new PDO(rasp_mysql_dsn(), 'root', $root));
rasp_try(fn() => mysqli_connect($host, 'rasp', 'password', $db, $port));
rasp_try(fn() => pg_connect('host=' . rasp_db('RASP_PG_HOST') . ' port=' . rasp_db('RASP_PG_PORT') . ' user=rasp password=123456 dbname=' . rasp_db('RASP_PG_DB')));
rasp_try(fn() => new PDO('pgsql:host=' . rasp_db('RASP_PG_HOST') . ';port=' . rasp_db('RASP_PG_PORT') . ';dbname=' . rasp_db('RASP_PG_DB'), 'postgres', 'k3#long-and-random'));
// The application's own accounts connect.
rasp_try(fn() => mysqli_connect($host, rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), $db, $port)->query('SELECT 1')->fetch_row()[0], true);
rasp_try(fn() => pg_fetch_row(pg_query(pg_connect(rasp_pg_conninfo()), 'SELECT 2'))[0], true);
$a = rasp_alarms();
echo count($a), " alarms\n";
$last = $a[4];
echo $last['attack_type'], ' ', $last['intercept_state'], ' ', $last['plugin_name'], ' ', implode(',', $last['attack_params']['policy_id']), ' ', $last['attack_params']['username'], "\n";
echo str_contains(json_encode($a), 'password') && !str_contains(json_encode($a), '123456') ? "redacted\n" : "check redaction\n";
?>
--EXPECT--
blocked
dbConnection block db_policy
blocked
blocked
blocked
blocked
blocked
blocked
ok '1'
ok '2'
7 alarms
dbConnection block builtin 3009 rasp
redacted
