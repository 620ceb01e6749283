--TEST--
request: one check at the start of every request, before the script runs
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(rasp_checks('request'));
$lines = rasp_plugin_lines();
echo $lines[0] === '[test] CHECK request {}' ? "first check of the request\n" : "not first\n";
?>
--EXPECT--
array(1) {
  [0]=>
  array(2) {
    [0]=>
    string(7) "request"
    [1]=>
    array(0) {
    }
  }
}
first check of the request
