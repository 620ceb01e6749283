<?php
// Micro-benchmarks for docs/hooks.md; run by php-tests/bench/hooks.sh.
//   php bench.php <case> <iterations>
// Prints "case ns/op". Cases: include, include_once, eval, jit (CPU-bound
// loop the tracing JIT speeds up), fwrite, array_map, strlen (not hooked).
[$case, $n] = [$argv[1], (int)$argv[2]];
$dir = sys_get_temp_dir() . '/rasp-bench-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/inc.php", '<?php return 1;');
function mandel(): int {
    $c = 0;
    for ($y = -39; $y < 39; $y++) for ($x = -39; $x < 39; $x++) {
        $cr = $y / 40 - 0.5; $ci = $x / 40; $zr = $zi = 0.0; $i = 0;
        while ($i < 100 && $zr * $zr + $zi * $zi < 4) { $t = $zr * $zr - $zi * $zi + $cr; $zi = 2 * $zr * $zi + $ci; $zr = $t; $i++; }
        $c += $i;
    }
    return $c;
}
$h = fopen("$dir/out.txt", 'w');
$f = fn($x) => $x;
$a = [1];
$t0 = hrtime(true);
switch ($case) {
    case 'include': for ($i = 0; $i < $n; $i++) include "$dir/inc.php"; break;
    case 'include_once': for ($i = 0; $i < $n; $i++) include_once "$dir/inc.php"; break;
    case 'eval': for ($i = 0; $i < $n; $i++) eval('return 1;'); break;
    case 'jit': for ($i = 0; $i < $n; $i++) mandel(); break;
    case 'fwrite': for ($i = 0; $i < $n; $i++) fwrite($h, 'x'); break;
    case 'array_map': for ($i = 0; $i < $n; $i++) array_map($f, $a); break;
    case 'strlen': $s = 'abc'; $k = 'strlen'; for ($i = 0; $i < $n; $i++) $k($s); break;
}
$ns = (hrtime(true) - $t0) / $n;
fclose($h);
array_map('unlink', glob("$dir/*")); rmdir($dir);
printf("%s %.1f\n", $case, $ns);
