<?php
// A deliberately naive page: the id goes into the SQL as it came.
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE users (id INTEGER, name TEXT)");
$db->exec("INSERT INTO users VALUES (1, 'alice'), (2, 'bob')");
$id = $_GET['id'] ?? '1';
$names = [];
$res = $db->query("SELECT name FROM users WHERE id = $id");
while ($row = $res->fetchArray()) {
    $names[] = $row['name'];
}
echo 'users: ', implode(', ', $names), "\n";
