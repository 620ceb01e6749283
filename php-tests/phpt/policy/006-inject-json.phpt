--TEST--
Inject: never into other content types
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--ENV--
REQUEST_URI=/shop/api.php
--GET--
x=1
--FILE--
<?php
header('Content-Type: application/json');
echo json_encode(['ok' => true]);
?>
--EXPECT--
{"ok":true}
