--TEST--
fwrite(): a block on the stream's file stops the write (the plugin blocks only fwrite here)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$h = fopen('RASP_BLOCK_ONLY_fwrite.txt', 'w');
rasp_try(fn() => fwrite($h, 'data'));
fclose($h);
var_dump(filesize('RASP_BLOCK_ONLY_fwrite.txt'));
rasp_show('writeFile', ['path', 'function']);
?>
--EXPECT--
blocked
int(0)
writeFile path=RASP_BLOCK_ONLY_fwrite.txt function=fwrite
