--TEST--
pcntl_exec(): a block stops it before the process image is replaced
--SKIPIF--
<?php if (!function_exists('pcntl_exec')) die('skip pcntl not available'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
try {
    pcntl_exec('/bin/echo', ['RASP_BLOCK', 'a b']);
} catch (RaspBlockedException $e) {
    echo "blocked\n";
}
echo rasp_last('command')['command'], "\n";
?>
--EXPECT--
blocked
/bin/echo RASP_BLOCK 'a b'
