--TEST--
Response: X-Protected-By is off by default, X-Request-ID on
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/test
--GET--
x=1
--FILE--
<?php
$h = implode("\n", headers_list());
var_dump(str_contains($h, 'X-Request-ID: ' . rasp_request_id()), str_contains($h, 'X-Protected-By'));
?>
--EXPECT--
bool(true)
bool(false)
