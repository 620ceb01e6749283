--TEST--
fwrite()/fputs(): writeFile names the file behind the stream, once per stream; php://memory and stdio are no files
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$n = rasp_count('writeFile');
$h = fopen('t.txt', 'w');
var_dump(fwrite($h, 'a'), fputs($h, 'b'), fwrite($h, 'c'));
fclose($h);
foreach (array_slice(rasp_checks('writeFile'), $n) as [, $p]) echo $p['function'], ' ', str_replace(rasp_tmp(), '{TMP}', $p['realpath']), "\n";
$m = fopen('php://memory', 'w+'); var_dump(fwrite($m, 'x')); fclose($m);
$e = fopen('php://stderr', 'w'); var_dump(fwrite($e, ''));
echo rasp_count('writeFile') - $n, "\n";
?>
--EXPECT--
int(1)
int(1)
int(1)
fopen {TMP}/t.txt
fwrite {TMP}/t.txt
int(1)
int(0)
2
