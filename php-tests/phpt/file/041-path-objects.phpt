--TEST--
Paths given as SplFileInfo objects are checked like strings (their internal __toString)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('o.txt', 'obj');
var_dump(file_get_contents(new SplFileInfo(rasp_tmp('o.txt'))));
rasp_show('readFile', ['path', 'function']);
class P { function __toString(): string { echo "toString once\n"; return rasp_tmp('o.txt'); } }
var_dump(file_get_contents(new P));
?>
--EXPECT--
string(3) "obj"
readFile path={TMP}/o.txt function=file_get_contents
toString once
string(3) "obj"
