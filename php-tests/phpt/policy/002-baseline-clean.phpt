--TEST--
Policy: a hardened configuration produces no baseline finding; the CLI is not checked
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
allow_url_include=0
expose_php=0
display_errors=0
open_basedir={PWD}/../..:/tmp
session.cookie_httponly=1
session.cookie_secure=1
disable_functions=system,exec
--GET--
x=1
--FILE--
<?php
$id = rasp_request_id();
$n = 0;
foreach (glob(ini_get('rasp.root_dir') . '/logs/policy/policy.log.*') as $f) foreach (file($f) as $l) $n += (json_decode($l, true)['request_id'] ?? '') === $id;
var_dump($n);
?>
--EXPECT--
int(0)
