--TEST--
Wrong argument types give PHP's own errors and warnings, and no check for calls PHP rejects
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$n = rasp_count('readFile') + rasp_count('writeFile') + rasp_count('deleteFile');
foreach ([fn() => file_get_contents([]), fn() => file_put_contents(), fn() => fopen('x'), fn() => unlink(new stdClass), fn() => copy('a'), fn() => scandir()] as $f) {
    try { $f(); } catch (Error $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
try { file_get_contents(''); } catch (ValueError $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
try { file_get_contents("/etc/hostname\0.txt"); } catch (ValueError $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
var_dump(@file_get_contents('/nonexistent/x'));
echo error_get_last()['message'], "\n";
var_dump(rasp_count('readFile') + rasp_count('writeFile') + rasp_count('deleteFile') - $n);
?>
--EXPECT--
TypeError: file_get_contents(): Argument #1 ($filename) must be of type string, array given
ArgumentCountError: file_put_contents() expects at least 2 arguments, 0 given
ArgumentCountError: fopen() expects at least 2 arguments, 1 given
TypeError: unlink(): Argument #1 ($filename) must be of type string, stdClass given
ArgumentCountError: copy() expects at least 2 arguments, 1 given
ArgumentCountError: scandir() expects at least 1 argument, 0 given
ValueError: Path cannot be empty
ValueError: file_get_contents(): Argument #1 ($filename) must not contain any null bytes
bool(false)
file_get_contents(/nonexistent/x): Failed to open stream: No such file or directory
int(1)
