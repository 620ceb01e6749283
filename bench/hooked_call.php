<?php
// Cost of a hooked PHP function call that has nothing to check, measured in
// the PHP CLI with and without the extension (bench/run.sh hooked).
//
// Driver:  php hooked_call.php --php php8.2 --ext /abs/librasp.so \
//              --root-quiet DIR --root-official DIR [--reps 7] [--json out.json] [--callgrind]
// Worker:  php [-d extension=...] hooked_call.php --worker CASE[,CASE...] N
//
// Cases (each a loop of N calls; "quiet" = a root whose only plugin handles
// `sql`, so the hooked call's check type reaches no plugin):
//   array_map_closure   array_map(fn, [1])       hooked (webshell_callable); a closure names nothing
//   array_map_string    array_map('abs', [1])    hooked; a function name is looked up among request values
//   usort_closure       usort([2,1], fn)         hooked (webshell_callable, second argument)
//   file_get_contents   of a 16-byte file        hooked (readFile): quiet = unhandled; official = a V8 check
//   unserialize_int     unserialize('i:1;')      hooked (deserialization): no class in it, no check
//   call_user_func_string  call_user_func($cb, 1), $cb = 'abs'   PHP compiles call_user_func()
//                       outside a namespace to an opcode (INIT_USER_CALL), judged by a user opcode handler
//   str_pad             str_pad('a', 2)          not hooked: loop and call baseline
// Without --callgrind: wall time per call (hrtime), several processes per
// side, alternating, reporting the median. With --callgrind: instructions
// per call under valgrind (N and 2N calls, the difference / N), which does
// not depend on the load of the machine.

const CASES = ['str_pad', 'array_map_closure', 'array_map_string', 'usort_closure', 'unserialize_int', 'call_user_func_string', 'file_get_contents'];

function run_case(string $case, int $n): float {
    $f = static function ($x) { return $x; };
    $cmp = static function ($a, $b) { return $a <=> $b; };
    $one = [1];
    $file = sys_get_temp_dir() . '/rasp-bench-' . getmypid() . '.txt';
    if ($case === 'file_get_contents') file_put_contents($file, str_repeat('x', 16));
    $t = hrtime(true);
    switch ($case) {
    case 'str_pad':           for ($i = 0; $i < $n; $i++) str_pad('a', 2); break;
    case 'array_map_closure': for ($i = 0; $i < $n; $i++) array_map($f, $one); break;
    case 'array_map_string':  for ($i = 0; $i < $n; $i++) array_map('abs', $one); break;
    case 'usort_closure':     for ($i = 0; $i < $n; $i++) { $a = [2, 1]; usort($a, $cmp); } break;
    case 'unserialize_int':   for ($i = 0; $i < $n; $i++) unserialize('i:1;'); break;
    case 'call_user_func_string': $cb = $GLOBALS['argv'][0] !== '' ? 'abs' : 'intval';
                              for ($i = 0; $i < $n; $i++) call_user_func($cb, 1); break;
    case 'file_get_contents': for ($i = 0; $i < $n; $i++) file_get_contents($file); break;
    }
    $ns = (hrtime(true) - $t) / $n;
    if ($case === 'file_get_contents') @unlink($file);
    return $ns;
}

function calls_for(string $case): int {
    return $case === 'file_get_contents' ? 100000 : 1000000;
}

if (($argv[1] ?? '') === '--worker') {
    $out = [];
    foreach (explode(',', $argv[2]) as $case) {
        $n = (int)($argv[3] ?? 0) ?: calls_for($case);
        if ($n >= 1000) run_case($case, intdiv($n, 10)); // warm-up (also loads the plugins once)
        $out[$case] = run_case($case, $n);
    }
    echo json_encode($out), "\n";
    exit(0);
}

$opt = ['php' => 'php8.2', 'ext' => '', 'root-quiet' => '', 'root-official' => '', 'reps' => '7', 'json' => ''];
$callgrind = false;
for ($i = 1; $i < $argc; $i++) {
    $k = substr($argv[$i], 2);
    if ($k === 'callgrind') { $callgrind = true; continue; }
    $opt[$k] = $argv[++$i] ?? '';
}
if ($opt['ext'] === '') { fwrite(STDERR, "--ext is required\n"); exit(2); }
$self = __FILE__;
$sides = [
    'off' => [],
    'quiet' => ['-d', 'extension=' . $opt['ext'], '-d', 'rasp.root_dir=' . $opt['root-quiet']],
    'official' => ['-d', 'extension=' . $opt['ext'], '-d', 'rasp.root_dir=' . $opt['root-official']],
];

function sh(array $cmd): string {
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    $rc = proc_close($p);
    if ($rc !== 0) { fwrite(STDERR, implode(' ', $cmd) . " failed ($rc): $err\n"); exit(1); }
    return $out;
}

function median(array $v): float { sort($v); $n = count($v); return $n % 2 ? $v[intdiv($n, 2)] : ($v[$n / 2 - 1] + $v[$n / 2]) / 2; }

$load = trim(file_get_contents('/proc/loadavg'));
$result = ['load_before' => $load, 'mode' => $callgrind ? 'callgrind' : 'wall', 'cases' => []];

if (!$callgrind) {
    $reps = (int)$opt['reps'];
    $times = [];
    for ($r = 0; $r < $reps; $r++) {
        $order = array_keys($sides);
        if ($r % 2) $order = array_reverse($order);
        foreach ($order as $side) {
            $j = json_decode(sh(array_merge([$opt['php']], $sides[$side], [$self, '--worker', implode(',', CASES)])), true);
            foreach ($j as $case => $ns) $times[$case][$side][] = $ns;
        }
    }
    printf("%-20s %10s %10s %10s %12s %12s   (median of %d processes per side, ns per call)\n",
        'case', 'off', 'quiet', 'official', '+quiet', '+official', $reps);
    foreach (CASES as $case) {
        $m = [];
        foreach (array_keys($sides) as $side) $m[$side] = median($times[$case][$side]);
        printf("%-20s %10.1f %10.1f %10.1f %12.1f %12.1f\n", $case, $m['off'], $m['quiet'], $m['official'],
            $m['quiet'] - $m['off'], $m['official'] - $m['off']);
        $result['cases'][$case] = ['ns' => $m, 'all' => $times[$case],
            'overhead_quiet_ns' => $m['quiet'] - $m['off'], 'overhead_official_ns' => $m['official'] - $m['off']];
    }
} else {
    $tmp = sys_get_temp_dir() . '/rasp-callgrind-' . getmypid();
    @mkdir($tmp);
    $ir = function (array $side, string $case, int $n) use ($opt, $self, $tmp): int {
        $f = "$tmp/cg.out";
        @unlink($f);
        sh(array_merge(['valgrind', '--tool=callgrind', '--callgrind-out-file=' . $f, $opt['php']], $side,
            [$self, '--worker', $case, (string)$n]));
        foreach (file($f) as $line) {
            if (str_starts_with($line, 'summary:') || str_starts_with($line, 'totals:')) return (int)trim(substr($line, strpos($line, ':') + 1));
        }
        return 0;
    };
    printf("%-20s %10s %10s %10s %12s %12s   (instructions per call, callgrind)\n",
        'case', 'off', 'quiet', 'official', '+quiet', '+official');
    foreach (CASES as $case) {
        $n = $case === 'file_get_contents' ? 2000 : 20000;
        $per = [];
        foreach ($sides as $name => $side) {
            if ($name === 'official' && $case === 'file_get_contents') $n = 500; // each call runs V8
            $a = $ir($side, $case, $n);
            $b = $ir($side, $case, 2 * $n);
            $per[$name] = ($b - $a) / $n;
        }
        printf("%-20s %10.0f %10.0f %10.0f %12.0f %12.0f\n", $case, $per['off'], $per['quiet'], $per['official'],
            $per['quiet'] - $per['off'], $per['official'] - $per['off']);
        $result['cases'][$case] = ['ir' => $per, 'overhead_quiet_ir' => $per['quiet'] - $per['off'],
            'overhead_official_ir' => $per['official'] - $per['off']];
    }
    @unlink("$tmp/cg.out");
    @rmdir($tmp);
}
$result['load_after'] = trim(file_get_contents('/proc/loadavg'));
if ($opt['json'] !== '') file_put_contents($opt['json'], json_encode($result, JSON_PRETTY_PRINT) . "\n");
