--TEST--
Web: injection inside a JSON request body is found through context.json
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official
--POST_RAW--
Content-Type: application/json
{"filter": {"ids": [1, "2) UNION SELECT name FROM sqlite_master --"]}}
--FILE--
<?php
$in = json_decode(file_get_contents('php://input'), true);
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE u (id INT)");
$db->query("SELECT * FROM u WHERE id IN (" . implode(',', $in['filter']['ids']) . ")");
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
--EXPECTF--
%aRequest blocked%a
