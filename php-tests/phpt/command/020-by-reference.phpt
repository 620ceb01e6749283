--TEST--
By-reference arguments of exec/system/passthru/proc_open keep working with the hooks in place
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$out = ['old'];
var_dump(exec('printf "a\nb\n"', $out, $rc), $out, $rc);
system('exit 3', $rc2); var_dump($rc2);
ob_start(); passthru('echo p; exit 2', $rc3); $o = ob_get_clean(); var_dump($o, $rc3);
$p = proc_open(['printf', '%s', 'arr'], [1 => ['pipe', 'w']], $pipes);
var_dump(stream_get_contents($pipes[1]), proc_close($p));
rasp_show('command', ['command']);
?>
--EXPECT--
string(1) "b"
array(3) {
  [0]=>
  string(3) "old"
  [1]=>
  string(1) "a"
  [2]=>
  string(1) "b"
}
int(0)
int(3)
string(2) "p
"
int(2)
string(3) "arr"
int(0)
command command=printf %s arr
