--TEST--
rasp_request_id() is a 128-bit hex id, stable within a request
--FILE--
<?php
$a = rasp_request_id();
var_dump(preg_match('/^[0-9a-f]{32}$/', $a));
var_dump($a === rasp_request_id());
?>
--EXPECT--
int(1)
bool(true)
