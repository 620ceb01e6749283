<?php
// php-fpm test app: one vulnerable sink per case, plus the worker's pid.
header('Content-Type: text/plain');
$v = $_GET['v'] ?? '';
switch ($_GET['case'] ?? '') {
case 'pid':
    echo getmypid();
    break;
case 'sql':
    $db = new SQLite3(':memory:');
    $db->exec('CREATE TABLE u (id INT, name TEXT)');
    $db->exec("INSERT INTO u VALUES (1, 'alice')");
    echo $db->querySingle("SELECT name FROM u WHERE id = $v") ?? 'none';
    break;
case 'cmd':
    echo shell_exec('echo ' . $v);
    break;
case 'rid':
    echo rasp_request_id();
    break;
default:
    http_response_code(404);
}
