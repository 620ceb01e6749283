--TEST--
mysqli_query / mysqli::query / real_query / multi_query / prepare: hooked in both styles, errors unchanged
--SKIPIF--
<?php if (!extension_loaded('mysqli')) die('skip mysqli missing'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$m = mysqli_init();
foreach ([
    fn() => mysqli_query($m, 'SELECT 1'),
    fn() => $m->query('SELECT 2'),
    fn() => mysqli_real_query($m, 'SELECT 3'),
    fn() => $m->real_query('SELECT 4'),
    fn() => $m->multi_query('SELECT 5; SELECT 6'),
    fn() => mysqli_prepare($m, 'SELECT ?'),
    fn() => $m->prepare('SELECT 7'),
] as $f) {
    try { $f(); } catch (Error $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
foreach (rasp_checks() as [$t, $p]) if (str_starts_with($t, 'sql')) echo $t, ' ', $p['server'], ' ', $p['query'], "\n";
?>
--EXPECT--
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
Error: mysqli object is not fully initialized
sql mysql SELECT 1
sql mysql SELECT 2
sql mysql SELECT 3
sql mysql SELECT 4
sql mysql SELECT 5; SELECT 6
sqlPrepared mysql SELECT ?
sqlPrepared mysql SELECT 7
