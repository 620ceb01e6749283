--TEST--
Policy: the start-up baseline reports each risky setting once, with its policy id
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
allow_url_include=1
expose_php=1
display_errors=1
open_basedir=
session.cookie_httponly=0
session.cookie_secure=0
disable_functions=exec
--GET--
x=1
--FILE--
<?php
$id = rasp_request_id();
$dir = ini_get('rasp.root_dir') . '/logs/policy';
$lines = [];
foreach (glob("$dir/policy.log.*") as $f) foreach (file($f) as $l) { $j = json_decode($l, true); if (($j['request_id'] ?? '') === $id) $lines[] = $j; }
foreach ($lines as $p) echo $p['policy_id'], ' ', $p['policy_params']['setting'], ' ', $p['policy_params']['value'], "\n";
echo count(array_filter($lines, fn($p) => $p['event_type'] === 'security_policy')) === count($lines) ? "typed\n" : "untyped\n";
?>
--EXPECTF--
3001 allow_url_include 1
3002 expose_php 1
3003 display_errors 1
3004 open_basedir 
3005 session.cookie_httponly 0
3006 session.cookie_secure 0
3007 disable_functions system
typed
%A