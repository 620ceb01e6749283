--TEST--
exec(): by-reference output and result code still work
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$out = ['keep'];
$r = exec('printf "a\nb\n"', $out, $code);
var_dump($r, $out, $code);
echo rasp_last('command')['command'], "\n";
?>
--EXPECT--
string(1) "b"
array(3) {
  [0]=>
  string(4) "keep"
  [1]=>
  string(1) "a"
  [2]=>
  string(1) "b"
}
int(0)
printf "a\nb\n"
