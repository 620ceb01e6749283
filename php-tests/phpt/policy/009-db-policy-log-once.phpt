--TEST--
Policy: database connections as root / with a weak password are logged (3008, 3009) once per server and user
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_mysql_skip(); ?>
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
mysqli_report(MYSQLI_REPORT_OFF);
$host = rasp_db('RASP_MYSQL_HOST'); $port = (int)rasp_db('RASP_MYSQL_PORT'); $db = rasp_db('RASP_MYSQL_DB');
// Enforcement is off: the root connections succeed, twice and through PDO.
for ($i = 0; $i < 2; $i++) {
    $m = mysqli_connect($host, 'root', rasp_db('RASP_MYSQL_ROOT_PASSWORD'), $db, $port);
    var_dump($m->query('SELECT CURRENT_USER()')->fetch_row()[0]);
}
$pdo = new PDO(rasp_mysql_dsn(), 'root', rasp_db('RASP_MYSQL_ROOT_PASSWORD'));
var_dump($pdo->query('SELECT 1')->fetchColumn());
// A weak password: judged before connecting, whatever the server says.
var_dump(@mysqli_connect($host, 'rasp', '123456', $db, $port));
// The application's own account is fine.
var_dump(mysqli_connect($host, rasp_db('RASP_MYSQL_USER'), rasp_db('RASP_MYSQL_PASSWORD'), $db, $port) instanceof mysqli);
$id = rasp_request_id();
foreach (rasp_log_lines('policy') as $l) {
    $p = json_decode($l, true);
    if (($p['request_id'] ?? '') !== $id) continue;
    $pp = $p['policy_params'];
    echo $p['policy_id'], ' ', $pp['server'], ' ', $pp['username'], '@', $pp['hostname'], ':', $pp['port'], "\n";
    if (str_contains($l, 'root-pw') || str_contains($l, '123456')) echo "password leaked\n";
}
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
string(14) "root@127.0.0.1"
string(14) "root@127.0.0.1"
int(1)
bool(false)
bool(true)
3008 mysql root@127.0.0.1:13306
3009 mysql rasp@127.0.0.1:13306
no alarm
