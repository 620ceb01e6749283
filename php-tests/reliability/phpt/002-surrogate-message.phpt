--TEST--
B1: a block verdict whose message holds a lone surrogate still blocks
--DESCRIPTION--
Today the whole check result is refused ("unreadable check result") and
the call runs. Fix: docs/reliability.md, B1.
--INI--
rasp.root_dir={PWD}/../roots/surrogate
--FILE--
<?php
try {
    echo shell_exec('echo SURROGATE ran');
} catch (RaspBlockedException $e) {
    echo "blocked\n";
}
?>
--EXPECT--
blocked
