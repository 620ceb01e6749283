--TEST--
Response: X-Request-ID carries the request id; X-Protected-By when configured
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--GET--
x=1
--FILE--
<?php
$h = headers_list();
var_dump(in_array('X-Request-ID: ' . rasp_request_id(), $h, true));
var_dump(in_array('X-Protected-By: php-rasp', $h, true));
?>
--EXPECT--
bool(true)
bool(true)
