--TEST--
B1: an SQL injection is blocked even when the official plugin's message clips a token inside an emoji
--DESCRIPTION--
The official plugin quotes matched tokens clipped to 40 UTF-16 units. An
emoji (a surrogate pair) at units 39-40 leaves a lone high surrogate in the
verdict message; JSON.stringify writes it as \ud83d, serde_json refuses the
whole check result ("unreadable check result: unexpected end of hex escape")
and every verdict of the check is dropped: the injection runs.
Fix (docs/reliability.md, B1): make every string the runtime hands back
well-formed (lone surrogates -> U+FFFD) in crates/rasp-v8/js/runtime.js.
--CGI--
--INI--
output_buffering=4096
rasp.root_dir={PWD}/../../fixtures/roots/official
--GET--
v=x%27%20OR%20%27AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%F0%9F%98%80B%27%20%3D%20%27AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%F0%9F%98%80B
--FILE--
<?php
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE u (name TEXT)");
$db->exec("INSERT INTO u VALUES ('alice')");
echo $db->querySingle("SELECT name FROM u WHERE name = '" . $_GET['v'] . "'");
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
--EXPECTF--
<!DOCTYPE html>
%aRequest blocked%a
