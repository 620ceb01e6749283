--TEST--
proc_open() with an argv array: plugins see a shell-quoted line with the same word boundaries
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$p = proc_open(['printf', '%s|', 'a b', "it's", ';id'], [1 => ['pipe', 'w']], $pipes);
echo stream_get_contents($pipes[1]), "\n";
proc_close($p);
echo rasp_last('command')['command'], "\n";
?>
--EXPECT--
a b|it's|;id|
printf '%s|' 'a b' 'it'\''s' ';id'
