--TEST--
Named arguments reach the hook and the original function
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
var_dump(file_put_contents(data: 'named', filename: 'n.txt', flags: FILE_APPEND));
rasp_show('writeFile', ['path', 'function']);
var_dump(file_get_contents(length: 3, filename: 'n.txt'));
rasp_show('readFile', ['path']);
$h = fopen(mode: 'r', filename: 'n.txt'); var_dump(fread($h, 5));
rasp_show('readFile', ['path', 'function']);
?>
--EXPECT--
int(5)
writeFile path=n.txt function=file_put_contents
string(3) "nam"
readFile path=n.txt
string(5) "named"
readFile path=n.txt function=fopen
