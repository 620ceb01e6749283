--TEST--
data:// and data: reads are readFile with protocol data and no realpath; php://memory is no file
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(file_get_contents('data://text/plain;base64,SGVsbG8='));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(file_get_contents('data:text/plain,hi'));
rasp_show('readFile', ['path', 'protocol']);
$n = rasp_count('readFile');
$m = fopen('php://memory', 'r'); fclose($m); $i = fopen('php://input', 'r'); fclose($i);
var_dump(rasp_count('readFile') - $n);
?>
--EXPECT--
string(5) "Hello"
readFile path=data://text/plain;base64,SGVsbG8= realpath= protocol=data function=file_get_contents
string(2) "hi"
readFile path=data:text/plain,hi protocol=data
int(0)
