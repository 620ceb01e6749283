--TEST--
webshell_callable: a request value naming a harmless function, or a method of an object the code chose, is not a web shell
--CGI--
--GET--
sort=strtoupper&action=show
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(array_map($_GET['sort'], ['a']));
class Ctl { function show() { return 'shown'; } function run() { return call_user_func([$this, $_GET['action']]); } }
var_dump((new Ctl)->run());
var_dump(call_user_func_array([new Ctl, $_GET['action']], []));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
array(1) {
  [0]=>
  string(1) "A"
}
string(5) "shown"
string(5) "shown"
no alarm
