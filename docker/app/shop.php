<?php
// php-rasp Docker demo: a product lookup against MariaDB that builds its SQL
// by string concatenation. `?id=1` works; `?id=1 OR 1=1` is blocked.
header('Content-Type: text/plain; charset=utf-8');
mysqli_report(MYSQLI_REPORT_OFF);
$db = new mysqli('mariadb', 'shop', 'shop', 'shop');
if ($db->connect_errno) {
    http_response_code(503);
    exit("database not ready: {$db->connect_error}\n");
}
$id = $_GET['id'] ?? '1';
$res = $db->query("SELECT name, price FROM products WHERE id = $id");
if ($res === false) {
    http_response_code(500);
    exit("query failed\n");
}
while ($row = $res->fetch_assoc()) {
    echo "{$row['name']}: {$row['price']}\n";
}
echo 'request id: ', rasp_request_id(), "\n";
