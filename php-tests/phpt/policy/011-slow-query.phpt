--TEST--
Policy: a query returning more than sql.slowquery.min_rows rows is logged (3010) with the query, rows and stack
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); echo rasp_pg_skip(); ?>
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$m = mysqli_connect(rasp_db('RASP_MYSQL_HOST'), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), rasp_db('RASP_MYSQL_DB'), (int)rasp_db('RASP_MYSQL_PORT'));
$m->query('CREATE TEMPORARY TABLE rasp_users (id INT PRIMARY KEY, name VARCHAR(20))');
$m->query('INSERT INTO rasp_users VALUES ' . implode(',', array_map(fn($i) => "($i, 'user$i')", range(1, 600))));
function dump($m) { return mysqli_query($m, 'SELECT * FROM rasp_users')->num_rows; }
var_dump(dump($m));
var_dump($m->query('SELECT * FROM rasp_users LIMIT 500')->num_rows);
var_dump($m->query('SELECT * FROM rasp_users WHERE id > 99')->num_rows);
// Unbuffered: the count is not known when the call returns; not logged, no error.
$r = $m->query('SELECT * FROM rasp_users', MYSQLI_USE_RESULT);
$n = 0; while ($r->fetch_row()) $n++; var_dump($n);
$pdo = new PDO(rasp_mysql_dsn(), rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'));
var_dump(count($pdo->query('SELECT 1 FROM information_schema.columns LIMIT 700')->fetchAll()) > 500);
$pg = pg_connect(rasp_pg_conninfo());
var_dump(pg_num_rows(pg_query($pg, 'SELECT generate_series(1, 501)')));
var_dump(pg_num_rows(pg_query_params($pg, 'SELECT generate_series(1, $1::int)', [499])));
$id = rasp_request_id();
foreach (rasp_log_lines('policy') as $l) {
    $p = json_decode($l, true);
    if (($p['request_id'] ?? '') !== $id || $p['policy_id'] !== '3010') continue;
    $pp = $p['policy_params'];
    echo $pp['server'], ' ', $pp['rows'] > 500 ? 'many' : $pp['rows'], ' ', $pp['query'], ' | ', basename($pp['stack'][0] ?? '?'), "\n";
}
?>
--EXPECTF--
int(600)
int(500)
int(501)
int(600)
bool(true)
int(501)
int(499)
mysql many SELECT * FROM rasp_users | %s
mysql many SELECT * FROM rasp_users WHERE id > 99 | %s
mysql many SELECT 1 FROM information_schema.columns LIMIT 700 | %s
pgsql many SELECT generate_series(1, 501) | %s
